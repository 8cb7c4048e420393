"""Indexes for two look-ups made on every sweep or batch: the outbox's mail sent in the last
hour (the hourly budget) and a sender's recent mail (the flood check). Without them both scan
their whole table, and the daemon's cost per mail grows with everything it ever sent.

Revision ID: 0008
Revises: 0007
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.create_index("ix_outbox_sent_at", ["sent_at"], unique=False)
    with op.batch_alter_table("ticket_messages") as batch:
        batch.create_index("ix_ticket_messages_author_address", ["author_address"],
                           unique=False)


def downgrade() -> None:
    with op.batch_alter_table("ticket_messages") as batch:
        batch.drop_index("ix_ticket_messages_author_address")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_index("ix_outbox_sent_at")
