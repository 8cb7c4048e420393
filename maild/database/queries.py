"""Queries the pipeline needs inside its transaction: dedupe, threading, numbering, caps.

Input: an open Session. Implements `maild.thread.Lookup`. Writes only counters; the ticket
stage writes tickets.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from maild.database.models import (
    AutoReplyCount,
    Counter,
    OutboxRow,
    RawMail,
    Ticket,
    TicketMessage,
)


class Queries:
    def __init__(self, session: Session) -> None:
        self.s = session

    def raw_by_identity(self, identity: str) -> RawMail | None:
        return self.s.scalars(select(RawMail).where(RawMail.identity == identity)).first()

    def raw_by_uid(self, mailbox: str, uidvalidity: int, uid: int) -> RawMail | None:
        return self.s.scalars(
            select(RawMail).where(
                RawMail.mailbox == mailbox, RawMail.uidvalidity == uidvalidity, RawMail.uid == uid
            )
        ).first()

    def raw_ids_with_message_id(self, message_id: str) -> list[int]:
        return list(self.s.scalars(select(RawMail.id).where(RawMail.message_id == message_id)))

    def next_ticket_number(self) -> int:
        # one row, updated in place: PostgreSQL row-locks it until commit, SQLite holds the
        # write lock, so two daemons can never get the same number
        value = self.s.scalar(
            update(Counter)
            .where(Counter.name == "ticket")
            .values(value=Counter.value + 1)
            .returning(Counter.value)
        )
        if value is None:
            raise RuntimeError("ticket counter missing: run `maild db upgrade`")
        return int(value)

    def ticket_by_message_ids(self, ids: tuple[str, ...]) -> int | None:
        if not ids:
            return None
        number = self.s.scalar(
            select(TicketMessage.ticket_number).where(TicketMessage.message_id.in_(ids)).limit(1)
        )
        if number is None:
            number = self.s.scalar(
                select(OutboxRow.ticket_number)
                .where(OutboxRow.message_id.in_(ids), OutboxRow.ticket_number.is_not(None))
                .limit(1)
            )
        return number

    def ticket_customer(self, number: int) -> str | None:
        return self.s.scalar(select(Ticket.customer_address).where(Ticket.number == number))

    def is_participant(self, number: int, address: str) -> bool:
        return (
            self.s.scalar(
                select(TicketMessage.id)
                .where(
                    TicketMessage.ticket_number == number,
                    TicketMessage.direction == "in",
                    TicketMessage.author_address == address,
                )
                .limit(1)
            )
            is not None
        )

    def take_autoreply(self, address: str, day: str, cap: int) -> int:
        """Count one automatic reply to `address` today; return the new count, or 0 when the
        cap is already reached (no reply may be sent)."""
        row = self.s.get(AutoReplyCount, (address, day), with_for_update=True)
        if row is None:
            self.s.add(AutoReplyCount(address=address, day=day, count=1))
            self.s.flush()
            return 1
        if row.count >= cap:
            return 0
        row.count += 1
        return row.count
