"""What agents change by mail: assignee, satisfaction rating, closing time, linked ticket.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("assignee", sa.String(length=200), nullable=False,
                                   server_default=""))
        batch.add_column(sa.Column("rating", sa.String(length=20), nullable=False,
                                   server_default=""))
        batch.add_column(sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("parent_number", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("parent_number")
        batch.drop_column("closed_at")
        batch.drop_column("rating")
        batch.drop_column("assignee")
