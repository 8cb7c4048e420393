"""The installation's secret for signed reply tokens (support+t<N>.<hmac>@…), made once.

Revision ID: 0006
Revises: 0005
"""

import secrets
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

FLAGS = sa.table("flags", sa.column("name", sa.String), sa.column("value", sa.Text),
                 sa.column("updated_at", sa.DateTime(timezone=True)))


def upgrade() -> None:
    op.bulk_insert(FLAGS, [{"name": "reply_secret", "value": secrets.token_hex(32),
                            "updated_at": datetime.now(UTC)}])


def downgrade() -> None:
    op.execute(FLAGS.delete().where(FLAGS.c.name == "reply_secret"))
