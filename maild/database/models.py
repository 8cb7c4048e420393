"""Tables, as typed SQLAlchemy 2 ORM classes. Schema changes go through Alembic
(`maild/database/migrations/versions/`); this module and the newest migration agree, which a
test checks."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on SQLite (no zone) and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Counter(Base):
    """Named counters; `ticket` hands out ticket numbers (row-locked, so never twice)."""

    __tablename__ = "counters"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)


class RawMail(Base):
    __tablename__ = "raw_messages"
    __table_args__ = (UniqueConstraint("mailbox", "uidvalidity", "uid", name="uq_raw_mailbox_uid"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    identity: Mapped[str] = mapped_column(String(64), unique=True)
    message_id: Mapped[str | None] = mapped_column(String(500), index=True)
    source: Mapped[str] = mapped_column(String(20))
    mailbox: Mapped[str | None] = mapped_column(String(200))
    uidvalidity: Mapped[int | None] = mapped_column(BigInteger)
    uid: Mapped[int | None] = mapped_column(BigInteger)
    label: Mapped[str] = mapped_column(String(500), default="")
    size: Mapped[int] = mapped_column(Integer)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    outcome: Mapped[str] = mapped_column(String(20))  # created|followup|...|quarantined
    ticket_number: Mapped[int | None] = mapped_column(BigInteger, index=True)


class Ticket(Base):
    __tablename__ = "tickets"
    number: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    subject: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), index=True)
    priority: Mapped[str] = mapped_column(String(2))
    category: Mapped[str] = mapped_column(String(40))
    customer_address: Mapped[str] = mapped_column(String(320), index=True)
    customer_name: Mapped[str] = mapped_column(String(200), default="")
    language: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    first_response_due: Mapped[datetime] = mapped_column(UTCDateTime)
    resolution_due: Mapped[datetime] = mapped_column(UTCDateTime)
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    queue: Mapped[str] = mapped_column(String(80), default="")
    assignee: Mapped[str] = mapped_column(String(200), default="")
    rating: Mapped[str] = mapped_column(String(20), default="")
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # raw mail, attachments and texts removed under the retention setting
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # the ticket this one continues (reply to an old closed ticket) or was merged into
    parent_number: Mapped[int | None] = mapped_column(BigInteger)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"), index=True)
    incident: Mapped[Incident | None] = relationship()
    messages: Mapped[list[TicketMessage]] = relationship(
        back_populates="ticket", order_by="TicketMessage.id"
    )
    events: Mapped[list[Event]] = relationship(order_by="Event.id")
    facts: Mapped[list[FactRow]] = relationship(order_by="FactRow.id")


class Incident(Base):
    """A batch problem (批量问题): the same error from several customers, handled once."""

    __tablename__ = "incidents"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(200), index=True)  # the shared error code
    title: Mapped[str] = mapped_column(Text)
    priority: Mapped[str] = mapped_column(String(2))
    status: Mapped[str] = mapped_column(String(10))  # open | closed
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class TicketMessage(Base):
    __tablename__ = "ticket_messages"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_number: Mapped[int] = mapped_column(ForeignKey("tickets.number"), index=True)
    raw_id: Mapped[int | None] = mapped_column(ForeignKey("raw_messages.id"))
    direction: Mapped[str] = mapped_column(String(3))  # in | out
    kind: Mapped[str] = mapped_column(String(20))
    author_address: Mapped[str] = mapped_column(String(320), index=True)  # the flood check
    author_name: Mapped[str] = mapped_column(String(200), default="")
    subject: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    quoted: Mapped[str] = mapped_column(Text, default="")
    message_id: Mapped[str | None] = mapped_column(String(500), index=True)
    date: Mapped[datetime] = mapped_column(UTCDateTime)
    ticket: Mapped[Ticket] = relationship(back_populates="messages")
    raw: Mapped[RawMail | None] = relationship()
    attachments: Mapped[list[AttachmentRow]] = relationship(order_by="AttachmentRow.id")


class AttachmentRow(Base):
    __tablename__ = "attachments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_message_id: Mapped[int] = mapped_column(ForeignKey("ticket_messages.id"), index=True)
    filename: Mapped[str] = mapped_column(Text)
    safe_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(200))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)  # retention: still shared?


class FactRow(Base):
    __tablename__ = "facts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_number: Mapped[int] = mapped_column(ForeignKey("tickets.number"), index=True)
    ticket_message_id: Mapped[int] = mapped_column(ForeignKey("ticket_messages.id"))
    kind: Mapped[str] = mapped_column(String(40), index=True)
    value: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(300))
    message: Mapped[TicketMessage] = relationship()


class Event(Base):
    """The audit trail: who did what to a ticket, and why."""

    __tablename__ = "events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_number: Mapped[int] = mapped_column(ForeignKey("tickets.number"), index=True)
    date: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(320))
    what: Mapped[str] = mapped_column(Text)
    why: Mapped[str] = mapped_column(Text, default="")


class OutboxRow(Base):
    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_number: Mapped[int | None] = mapped_column(ForeignKey("tickets.number"), index=True)
    purpose: Mapped[str] = mapped_column(String(20))  # ack | notify | relay | ...
    sender: Mapped[str] = mapped_column(String(320))
    recipients: Mapped[str] = mapped_column(Text)  # JSON list
    subject: Mapped[str] = mapped_column(Text)
    message_id: Mapped[str] = mapped_column(String(500), unique=True)
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(10))  # queued|sending|sent|failed|dropped
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)  # hourly budget
    # never loaded by the sender; tells the unit of work to insert tickets first
    ticket: Mapped[Ticket | None] = relationship(viewonly=False, lazy="raise")


class QuarantineRow(Base):
    __tablename__ = "quarantine"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    raw_id: Mapped[int] = mapped_column(ForeignKey("raw_messages.id"), index=True)
    stage: Mapped[str] = mapped_column(String(40))
    error: Mapped[str] = mapped_column(Text)
    traceback: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(10))  # held | replayed
    replayed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    result: Mapped[str] = mapped_column(Text, default="")
    raw: Mapped[RawMail] = relationship()


class AutoReplyCount(Base):
    """Automatic replies sent per sender per day: the loop brake shared by all daemons."""

    __tablename__ = "autoreply_counters"
    address: Mapped[str] = mapped_column(String(320), primary_key=True)
    day: Mapped[str] = mapped_column(String(10), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)


class Flag(Base):
    """Switches an admin flips at run time, shared by every daemon (e.g. outbox paused)."""

    __tablename__ = "flags"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SourceState(Base):
    """Where each mailbox source stands (JSON of its state), and which daemon holds its
    lease: one daemon fetches a mailbox at a time; another takes over when the lease ends."""

    __tablename__ = "source_state"
    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    state: Mapped[str] = mapped_column(Text, default="{}")
    last_fetch: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")
    backlog: Mapped[int] = mapped_column(Integer, default=0)
    owner: Mapped[str] = mapped_column(String(200), default="")
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SlaWarning(Base):
    """An SLA warning sent for a ticket: unique per ticket and kind, so it goes out once, even
    with several daemons and across restarts."""

    __tablename__ = "sla_warnings"
    __table_args__ = (UniqueConstraint("ticket_number", "kind", name="uq_sla_warning"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_number: Mapped[int] = mapped_column(ForeignKey("tickets.number"))
    kind: Mapped[str] = mapped_column(String(40))  # first_response_soon|first_response_breached|…
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
