"""Batch incidents (one problem, many customers) and the assignment queue of a ticket.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "incidents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("priority", sa.String(length=2), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incidents")),
    )
    op.create_index(op.f("ix_incidents_key"), "incidents", ["key"], unique=False)
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("queue", sa.String(length=80), nullable=False,
                                   server_default=""))
        batch.add_column(sa.Column("incident_id", sa.Integer(), nullable=True))
        batch.create_index(batch.f("ix_tickets_incident_id"), ["incident_id"], unique=False)
        batch.create_foreign_key(batch.f("fk_tickets_incident_id_incidents"), "incidents",
                                 ["incident_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.drop_constraint(batch.f("fk_tickets_incident_id_incidents"), type_="foreignkey")
        batch.drop_index(batch.f("ix_tickets_incident_id"))
        batch.drop_column("incident_id")
        batch.drop_column("queue")
    op.drop_index(op.f("ix_incidents_key"), table_name="incidents")
    op.drop_table("incidents")
