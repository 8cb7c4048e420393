"""What the pipeline looks up inside its transaction: dedupe, threading, numbering, caps.

Input: an open Session (autoflush off) and the `Batch` of rows this transaction has added
but not yet written. Every lookup consults the batch first, then the database, so a mail
and its follow-up in the same group commit find each other without a flush per mail.
Implements `maild.thread.Lookup`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from maild.database.models import (
    AutoReplyCount,
    Counter,
    FactRow,
    Flag,
    Incident,
    OutboxRow,
    RawMail,
    Ticket,
    TicketMessage,
)
from maild.message import Seen


@dataclass
class PendingRaw:
    """A raw mail added by this batch and not yet written (the fields dedupe reports)."""

    identity: str
    message_id: str | None
    outcome: str
    ticket_number: int | None
    received_at: datetime
    id: int | None = None


@dataclass
class Batch:
    """Rows added by the current transaction, indexed for the lookups below."""

    raws: dict[str, RawMail | PendingRaw] = field(default_factory=dict)  # identity → row
    raw_message_ids: set[str] = field(default_factory=set)  # … and their Message-IDs
    message_ids: dict[str, int] = field(default_factory=dict)  # Message-ID → ticket
    tickets: dict[int, Ticket] = field(default_factory=dict)
    people: dict[int, set[str]] = field(default_factory=dict)  # ticket → senders seen
    autoreplies: dict[tuple[str, str], AutoReplyCount] = field(default_factory=dict)
    # looked up once per batch (`prefetch`), so a mail costs no query of its own
    known_raws: dict[str, RawMail] = field(default_factory=dict)
    known_message_ids: set[str] = field(default_factory=set)
    known_threads: dict[str, int] = field(default_factory=dict)
    prefetched: bool = False
    numbers: list[int] = field(default_factory=list)  # reserved, not yet handed out
    reserve: int = 1  # how many ticket numbers to reserve at once (the batch's size)
    autoreply_day: str = ""  # the day whose counters `prefetch_autoreplies` loaded
    seen_codes: list[Seen] = field(default_factory=list)  # recent tickets with error codes
    incidents: dict[str, Incident] = field(default_factory=dict)  # open, by error code
    sent: dict[str, int] = field(default_factory=dict)  # mails per sender in the flood window
    sent_now: dict[str, int] = field(default_factory=dict)  # … and in this batch
    flood_since: datetime | None = None
    suspended: dict[str, Flag] = field(default_factory=dict)  # flood suspensions by sender
    secret: str = ""


class Queries:
    def __init__(self, session: Session, batch: Batch | None = None) -> None:
        self.s = session
        self.batch = batch or Batch()

    def prefetch(
        self, identities: list[str], message_ids: list[str], references: list[str]
    ) -> None:
        """Look up what a whole batch needs in three queries instead of three per mail."""
        b = self.batch
        for chunk in _chunks(identities):
            for raw in self.s.scalars(select(RawMail).where(RawMail.identity.in_(chunk))):
                b.known_raws[raw.identity] = raw
        for chunk in _chunks(message_ids):
            b.known_message_ids.update(
                self.s.scalars(select(RawMail.message_id).where(RawMail.message_id.in_(chunk)))
            )
        for chunk in _chunks(references):
            for mid, number in self.s.execute(
                select(TicketMessage.message_id, TicketMessage.ticket_number).where(
                    TicketMessage.message_id.in_(chunk)
                )
            ):
                b.known_threads.setdefault(str(mid), int(number))
            for out_mid, out_number in self.s.execute(
                select(OutboxRow.message_id, OutboxRow.ticket_number).where(
                    OutboxRow.message_id.in_(chunk), OutboxRow.ticket_number.is_not(None)
                )
            ):
                if out_number is not None:
                    b.known_threads.setdefault(str(out_mid), int(out_number))
        b.prefetched = True

    def prefetch_autoreplies(self, senders: list[str], day: str) -> None:
        """Today's automatic-reply counts of a batch's senders, locked for the batch."""
        b = self.batch
        for chunk in _chunks(senders):
            rows = self.s.scalars(
                select(AutoReplyCount)
                .where(AutoReplyCount.address.in_(chunk), AutoReplyCount.day == day)
                .with_for_update()
            )
            for row in rows:
                b.autoreplies[(row.address, row.day)] = row
        b.autoreply_day = day

    def prefetch_codes(self, codes: list[str], since: datetime) -> None:
        """Recent tickets and open incidents for the error codes of a batch."""
        b = self.batch
        for chunk in _chunks(codes):
            rows = self.s.execute(
                select(FactRow.value, Ticket.number, Ticket.customer_address, Ticket.incident_id)
                .join(Ticket, Ticket.number == FactRow.ticket_number)
                .where(FactRow.kind == "error_code", FactRow.value.in_(chunk),
                       Ticket.created_at >= since))
            b.seen_codes += [Seen(str(v), int(n), str(c), i) for v, n, c, i in rows]
            for inc in self.s.scalars(select(Incident).where(Incident.key.in_(chunk),
                                                             Incident.status == "open")):
                b.incidents.setdefault(inc.key, inc)

    def raw_by_identity(self, identity: str) -> RawMail | PendingRaw | None:
        if identity in self.batch.raws:
            return self.batch.raws[identity]
        if self.batch.prefetched:
            return self.batch.known_raws.get(identity)
        return self.s.scalars(select(RawMail).where(RawMail.identity == identity)).first()

    def message_id_seen(self, message_id: str) -> bool:
        if message_id in self.batch.raw_message_ids:
            return True
        if self.batch.prefetched:
            return message_id in self.batch.known_message_ids
        found = self.s.scalar(select(RawMail.id).where(RawMail.message_id == message_id).limit(1))
        return found is not None

    def next_ticket_number(self) -> int:
        """The next ticket number. The counter is one row updated in place: PostgreSQL
        row-locks it until commit and SQLite holds the write lock, so two daemons never get
        the same number. A batch reserves a block at once; `release` gives back what it
        did not use before the commit, so numbers stay without gaps."""
        if not self.batch.numbers:
            reserve = self.batch.reserve
            top = self.s.connection().scalar(
                update(Counter)
                .where(Counter.name == "ticket")
                .values(value=Counter.value + reserve)
                .returning(Counter.value)
            )
            if top is None:
                raise RuntimeError("ticket counter missing: run `maild db upgrade`")
            self.batch.numbers = list(range(int(top) - reserve + 1, int(top) + 1))
        return self.batch.numbers.pop(0)

    def unuse(self, number: int) -> None:
        """A number handed out for a mail that then failed: the next ticket gets it."""
        self.batch.numbers.insert(0, number)

    def release(self) -> None:
        """Give unused reserved numbers back (we still hold the counter's lock)."""
        unused = len(self.batch.numbers)
        if unused:
            self.s.connection().execute(
                update(Counter).where(Counter.name == "ticket").values(value=Counter.value - unused)
            )
            self.batch.numbers = []

    def ticket(self, number: int) -> Ticket | None:
        return self.batch.tickets.get(number) or self.s.get(Ticket, number)

    def latest_ticket_of(self, address: str, since: datetime, until: datetime) -> Ticket | None:
        """The newest ticket `address` opened between `since` and `until` (this batch's
        first)."""
        mine = [t for t in self.batch.tickets.values()
                if t.customer_address == address and since <= t.created_at <= until]
        if mine:
            return max(mine, key=lambda t: t.number)
        return self.s.scalars(
            select(Ticket).where(Ticket.customer_address == address, Ticket.created_at >= since,
                                 Ticket.created_at <= until)
            .order_by(Ticket.number.desc()).limit(1)).first()

    def ticket_by_message_ids(self, ids: tuple[str, ...]) -> int | None:
        if not ids:
            return None
        for i in ids:
            if i in self.batch.message_ids:
                return self.batch.message_ids[i]
        if self.batch.prefetched:
            return next(
                (self.batch.known_threads[i] for i in ids if i in self.batch.known_threads), None
            )
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

    def reply_secret(self) -> str:
        """The installation's secret for reply tokens (made by the 0006 migration)."""
        if not self.batch.secret:
            flag = self.s.get(Flag, "reply_secret")
            if flag is None or not flag.value:
                raise RuntimeError("reply secret missing: run `maild db upgrade`")
            self.batch.secret = flag.value
        return self.batch.secret

    def replies_to_agent_mail(self, ids: tuple[str, ...]) -> bool:
        """Does the mail answer a mail we sent to the agents (notification, warning…)?"""
        if not ids:
            return False
        found = self.s.scalar(select(OutboxRow.id).where(
            OutboxRow.message_id.in_(ids), OutboxRow.purpose.in_(AGENT_PURPOSES)).limit(1))
        return found is not None

    def outbox_by_message_ids(self, ids: tuple[str, ...]) -> OutboxRow | None:
        if not ids:
            return None
        return self.s.scalars(select(OutboxRow).where(OutboxRow.message_id.in_(ids))).first()

    def customer_thread(self, number: int) -> tuple[str | None, tuple[str, ...]]:
        """The customer's last Message-ID on the ticket and the thread's references."""
        ids = [i for i in self.s.scalars(
            select(TicketMessage.message_id).where(
                TicketMessage.ticket_number == number, TicketMessage.direction == "in",
                TicketMessage.kind != "agent_reply", TicketMessage.message_id.is_not(None))
            .order_by(TicketMessage.id.desc()).limit(10)) if i]
        return (ids[0] if ids else None), tuple(reversed(ids))

    def ticket_customer(self, number: int) -> str | None:
        if number in self.batch.tickets:
            return self.batch.tickets[number].customer_address
        return self.s.scalar(select(Ticket.customer_address).where(Ticket.number == number))

    def is_participant(self, number: int, address: str) -> bool:
        if address in self.batch.people.get(number, ()):
            return True
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

    def prefetch_senders(self, senders: list[str], since: datetime) -> None:
        """How many mails each sender of a batch sent since `since` (the flood check)."""
        b = self.batch
        b.flood_since = since
        for chunk in _chunks(senders):
            rows = self.s.execute(
                select(TicketMessage.author_address, func.count())
                .join(RawMail, RawMail.id == TicketMessage.raw_id)
                .where(TicketMessage.author_address.in_(chunk), RawMail.received_at >= since)
                .group_by(TicketMessage.author_address))
            for address, count in rows:
                b.sent[str(address)] = int(count)
            keys = {_suspend_key(a): a for a in chunk}
            for flag in self.s.scalars(select(Flag).where(Flag.name.in_(keys))):
                b.suspended[keys[flag.name]] = flag

    def mails_from(self, address: str) -> int:
        """Mails from `address` within the flood window, this one included."""
        return self.batch.sent.get(address, 0) + self.batch.sent_now.get(address, 0)

    def suspended_until(self, address: str) -> datetime | None:
        if self.batch.flood_since is not None:  # prefetched for the batch
            flag = self.batch.suspended.get(address)
        else:
            flag = self.s.get(Flag, _suspend_key(address))
        return datetime.fromisoformat(flag.value) if flag is not None and flag.value else None

    def suspend(self, address: str, until: datetime) -> None:
        key = _suspend_key(address)
        flag = self.batch.suspended.get(address) or self.s.get(Flag, key)
        if flag is None:
            flag = Flag(name=key, value=until.isoformat(), updated_at=until)
            self.s.add(flag)
            self.batch.suspended[address] = flag
        else:
            flag.value, flag.updated_at = until.isoformat(), until

    def take_autoreply(self, address: str, day: str, cap: int) -> int:
        """Count one automatic reply to `address` today; return the new count, or 0 when the
        cap is already reached (no reply may be sent)."""
        key = (address, day)
        row = self.batch.autoreplies.get(key)
        if row is None:
            known_absent = day == self.batch.autoreply_day
            row = None if known_absent else self.s.get(AutoReplyCount, key, with_for_update=True)
            if row is None:
                row = AutoReplyCount(address=address, day=day, count=0)
                self.s.add(row)
            self.batch.autoreplies[key] = row
        if row.count >= cap:
            return 0
        row.count += 1
        return row.count

    def remember(
        self, raw: RawMail | PendingRaw, number: int | None, message_id: str | None, sender: str
    ) -> None:
        self.batch.raws[raw.identity] = raw
        if raw.message_id:
            self.batch.raw_message_ids.add(raw.message_id)
        if sender:
            self.batch.sent_now[sender] = self.batch.sent_now.get(sender, 0) + 1
        if number is not None:
            if message_id:
                self.batch.message_ids[message_id] = number
            self.batch.people.setdefault(number, set()).add(sender)

    def remember_outgoing(self, message_id: str, number: int) -> None:
        self.batch.message_ids[message_id] = number


def _suspend_key(address: str) -> str:
    return "suspend:" + hashlib.sha256(address.encode()).hexdigest()[:32]


AGENT_PURPOSES = ("notify", "sla", "incident", "agent_error", "escalation")


def _chunks(values: list[str], size: int = 500) -> list[list[str]]:
    unique = list(dict.fromkeys(v for v in values if v))
    return [unique[i : i + size] for i in range(0, len(unique), size)]
