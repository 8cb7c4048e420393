"""SLA warnings sent, one row per ticket and kind, so each goes out once.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sla_warnings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_number", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["ticket_number"], ["tickets.number"],
                                name=op.f("fk_sla_warnings_ticket_number_tickets")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sla_warnings")),
        sa.UniqueConstraint("ticket_number", "kind", name="uq_sla_warning"),
    )


def downgrade() -> None:
    op.drop_table("sla_warnings")
