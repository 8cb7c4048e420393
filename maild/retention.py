"""Retention: what a finished ticket keeps once `storage.retention` has passed.

Input: a cutoff time. A ticket resolved or closed before the cutoff, and not touched since,
loses its raw mails, its attachment files, the texts of its messages (ours included: they
quote the customer), the bytes of its outbox mail (still-queued mail is dropped) and its
phone-number facts. It keeps
the ticket row, every event, the message headers (author, subject, date, Message-ID), the
names and sizes of attachments and the other facts (error codes feed `maild report`), and a
"purged" event says what went and under which setting — the audit trail.

A file is content-addressed, so two tickets can share one (the same logo in two mails): it is
removed only when no ticket that is kept, and no quarantined mail, refers to it, and only if
no mail stored it again in the last hour (a batch in flight may be about to refer to it).
Files go first, then the commit: a crash in between leaves the tickets unmarked and the next
run finishes them; it never leaves a ticket marked purged whose files are still there.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from maild.database.engine import transaction
from maild.database.models import (
    AttachmentRow,
    Event,
    FactRow,
    OutboxRow,
    RawMail,
    Ticket,
    TicketMessage,
)
from maild.store.files import FileStore

UNTOUCHED = 3600.0  # seconds a re-stored file is spared
CHUNK = 200  # tickets per transaction (SQLite holds its write lock meanwhile)
FINISHED = ("resolved", "closed")


@dataclass(frozen=True, slots=True)
class Purged:
    tickets: tuple[int, ...]
    raw_files: int
    attachment_files: int
    bytes: int
    dry_run: bool

    def as_json(self) -> dict[str, object]:
        return {"tickets": len(self.tickets), "numbers": list(self.tickets),
                "raw_files": self.raw_files, "attachment_files": self.attachment_files,
                "bytes": self.bytes, "dry_run": self.dry_run}


def purge(factory: sessionmaker[Session], files: FileStore, cutoff: datetime, now: datetime,
          setting: str, dry_run: bool = False) -> Purged:
    """Purge every ticket finished before `cutoff`; `setting` is named in the event."""
    numbers: list[int] = []
    raw_n = att_n = freed = 0
    last = 0
    while True:
        with transaction(factory) as s:
            chunk = _finished(s, cutoff, last)
            if not chunk:
                break
            last = chunk[-1]
            raws = _unshared(s, _raw_rows(s, chunk), chunk)
            atts = _unshared(s, _attachment_rows(s, chunk), chunk)
            for kind, shas in (("raw", raws), ("attachment", atts)):
                for sha in shas:
                    size = _size(files, kind, sha) if dry_run else \
                        files.remove(kind, sha, UNTOUCHED)
                    freed += size
                    if size:
                        raw_n += kind == "raw"
                        att_n += kind == "attachment"
            numbers += chunk
            if dry_run:
                continue  # nothing was written: the transaction ends empty
            _strip(s, chunk, now, f"retention {setting}: {len(raws)} raw mails, "
                                  f"{len(atts)} attachment files and the message texts removed")
    return Purged(tuple(numbers), raw_n, att_n, freed, dry_run)


def _finished(s: Session, cutoff: datetime, after: int) -> list[int]:
    ended = func.coalesce(Ticket.closed_at, Ticket.resolved_at)
    return list(s.scalars(
        select(Ticket.number).where(Ticket.status.in_(FINISHED), Ticket.purged_at.is_(None),
                                    ended < cutoff, Ticket.updated_at < cutoff,
                                    Ticket.number > after)
        .order_by(Ticket.number).limit(CHUNK)))


def _raw_rows(s: Session, chunk: list[int]) -> set[str]:
    via_messages = select(TicketMessage.raw_id).where(TicketMessage.ticket_number.in_(chunk))
    return set(s.scalars(select(RawMail.sha256).where(
        or_(RawMail.ticket_number.in_(chunk), RawMail.id.in_(via_messages)))))


def _attachment_rows(s: Session, chunk: list[int]) -> set[str]:
    return set(s.scalars(
        select(AttachmentRow.sha256).join(TicketMessage)
        .where(TicketMessage.ticket_number.in_(chunk))))


def _unshared(s: Session, shas: set[str], chunk: list[int]) -> list[str]:
    """The hashes no kept ticket and no quarantined mail refers to."""
    if not shas:
        return []
    dying = set(chunk)
    keep: set[str] = set()
    some = sorted(shas)
    for i in range(0, len(some), 500):
        part = some[i:i + 500]
        raw = s.execute(
            select(RawMail.sha256, RawMail.ticket_number, Ticket.purged_at)
            .outerjoin(Ticket, Ticket.number == RawMail.ticket_number)
            .where(RawMail.sha256.in_(part)))
        att = s.execute(
            select(AttachmentRow.sha256, TicketMessage.ticket_number, Ticket.purged_at)
            .join(TicketMessage, TicketMessage.id == AttachmentRow.ticket_message_id)
            .join(Ticket, Ticket.number == TicketMessage.ticket_number)
            .where(AttachmentRow.sha256.in_(part)))
        keep.update(_kept(list(raw) + list(att), dying))
    return [sha for sha in some if sha not in keep]


def _kept(rows: Iterable[tuple[str, int | None, datetime | None]], dying: set[int]) -> set[str]:
    return {sha for sha, number, purged in rows
            if number is None or (number not in dying and purged is None)}


def _size(files: FileStore, kind: str, sha: str) -> int:
    path = files.raw_path(sha) if kind == "raw" else \
        files.root / "attachments" / sha[:2] / sha
    return path.stat().st_size if path.exists() else 0


def _strip(s: Session, chunk: list[int], now: datetime, why: str) -> None:
    s.execute(update(TicketMessage).where(TicketMessage.ticket_number.in_(chunk))
              .values(text="", quoted=""))
    # mail still queued for a ticket finished a year ago is stale: dropped, visibly
    s.execute(update(OutboxRow).where(OutboxRow.ticket_number.in_(chunk),
                                      OutboxRow.status == "queued")
              .values(status="dropped", last_error="dropped unsent: ticket purged"))
    s.execute(update(OutboxRow).where(OutboxRow.ticket_number.in_(chunk),
                                      OutboxRow.status.in_(("sent", "failed", "dropped")))
              .values(raw=b""))
    s.query(FactRow).filter(FactRow.ticket_number.in_(chunk), FactRow.kind == "phone") \
        .delete(synchronize_session=False)
    s.execute(update(Ticket).where(Ticket.number.in_(chunk)).values(purged_at=now))
    s.add_all(Event(ticket_number=n, date=now, actor="maild", what="purged", why=why)
              for n in chunk)
