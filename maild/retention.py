"""Retention: what a finished ticket keeps once `storage.retention` has passed.

Input: a cutoff time. A ticket resolved or closed before the cutoff, and not touched since,
loses its raw mails, its attachment files, the texts of its messages (ours included: they
quote the customer), the bytes of its outbox mail (still-queued mail is dropped) and every
fact taken from the customer's words (steps, impact, phone…). It keeps the ticket row, every
event, the message headers (author, subject, date, Message-ID), the names and sizes of
attachments and the facts that describe the problem (error code, OS, browser, version,
device: `maild report` counts them), and a "purged" event says what went and under which
setting — the audit trail. A reply to a purged ticket opens a new one (maild/pipeline.py).

A file is content-addressed, so two tickets can share one (the same logo in two mails): it is
removed only when no ticket that is kept, and no quarantined mail, refers to it, and only if
no mail stored it again in the last hour (a batch in flight may be about to refer to it);
a ticket with a file spared that way stays unmarked and is finished by a later run.
Files go first, then the commit: a crash in between leaves the tickets unmarked and the next
run finishes them; it never leaves a ticket marked purged whose files are still there.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update
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
# facts that describe the problem, not the person: they stay for `maild report`
KEPT_FACTS = ("error_code", "os", "browser", "app_version", "device")


@dataclass(frozen=True, slots=True)
class Purged:
    tickets: tuple[int, ...]
    raw_files: int
    attachment_files: int
    bytes: int
    dry_run: bool
    last: int = 0  # the highest ticket number looked at: the next chunk starts after it

    def __add__(self, other: Purged) -> Purged:
        return Purged(self.tickets + other.tickets, self.raw_files + other.raw_files,
                      self.attachment_files + other.attachment_files,
                      self.bytes + other.bytes, self.dry_run, max(self.last, other.last))

    def as_json(self) -> dict[str, object]:
        return {"tickets": len(self.tickets), "numbers": list(self.tickets),
                "raw_files": self.raw_files, "attachment_files": self.attachment_files,
                "bytes": self.bytes, "dry_run": self.dry_run}


def purge(factory: sessionmaker[Session], files: FileStore, cutoff: datetime, now: datetime,
          setting: str, dry_run: bool = False) -> Purged:
    """Purge every ticket finished before `cutoff`; `setting` is named in the event."""
    total = Purged((), 0, 0, 0, dry_run)
    while (part := purge_chunk(factory, files, cutoff, now, setting, total.last, dry_run)):
        total += part
    return total


def purge_chunk(factory: sessionmaker[Session], files: FileStore, cutoff: datetime,
                now: datetime, setting: str, after: int = 0,
                dry_run: bool = False) -> Purged | None:
    """One transaction's worth: up to CHUNK tickets numbered above `after`; None when there
    are no more. A ticket whose file was spared (stored again within the hour) is left
    unmarked, so a later run finishes it."""
    with transaction(factory) as s:
        chunk = _finished(s, cutoff, after)
        if not chunk:
            return None
        owners = _owners(s, chunk)
        removed: dict[tuple[str, str], int] = {}  # (kind, sha256) → bytes freed
        spared: list[tuple[str, str]] = []  # stored again within the hour: kept for now
        for kind in ("raw", "attachment"):
            for sha in _unshared(s, kind, {sha for k, sha in owners if k == kind}, chunk):
                size = _size(files, kind, sha) if dry_run else \
                    files.remove(kind, sha, UNTOUCHED)
                if size is None:
                    spared.append((kind, sha))
                else:
                    removed[kind, sha] = size
        waiting = {n for key in spared for n in owners[key]}
        done = [n for n in chunk if n not in waiting]
        raw_n = sum(1 for (kind, _), size in removed.items() if kind == "raw" and size)
        att_n = sum(1 for (kind, _), size in removed.items() if kind == "attachment" and size)
        if not dry_run and done:
            _strip(s, done, now, f"retention {setting}: {raw_n} raw mails, {att_n} attachment "
                                 "files and the message texts removed")
        return Purged(tuple(done), raw_n, att_n, sum(removed.values()), dry_run, chunk[-1])


def _finished(s: Session, cutoff: datetime, after: int) -> list[int]:
    ended = func.coalesce(Ticket.closed_at, Ticket.resolved_at)
    # locked (PostgreSQL) so a follow-up cannot land between this look and the strip
    return list(s.scalars(
        select(Ticket.number).where(Ticket.status.in_(FINISHED), Ticket.purged_at.is_(None),
                                    ended < cutoff, Ticket.updated_at < cutoff,
                                    Ticket.number > after)
        .order_by(Ticket.number).limit(CHUNK).with_for_update()))


def _owners(s: Session, chunk: list[int]) -> dict[tuple[str, str], set[int]]:
    """(kind, sha256) of every file of the chunk's tickets → the tickets that have it."""
    out: dict[tuple[str, str], set[int]] = {}
    raws = s.execute(
        select(RawMail.sha256, TicketMessage.ticket_number)
        .join(TicketMessage, TicketMessage.raw_id == RawMail.id)
        .where(TicketMessage.ticket_number.in_(chunk)))
    direct = s.execute(select(RawMail.sha256, RawMail.ticket_number)
                       .where(RawMail.ticket_number.in_(chunk)))
    atts = s.execute(
        select(AttachmentRow.sha256, TicketMessage.ticket_number).join(TicketMessage)
        .where(TicketMessage.ticket_number.in_(chunk)))
    for kind, rows in (("raw", raws), ("raw", direct), ("attachment", atts)):
        for sha, number in rows:
            if number is not None:
                out.setdefault((kind, sha), set()).add(number)
    return out


def _unshared(s: Session, kind: str, shas: set[str], chunk: list[int]) -> list[str]:
    """The hashes no kept ticket and no quarantined mail refers to."""
    dying = set(chunk)
    keep: set[str] = set()
    some = sorted(shas)
    for i in range(0, len(some), 500):
        part = some[i:i + 500]
        if kind == "raw":
            keep.update(_kept(s.execute(
                select(RawMail.sha256, RawMail.ticket_number, Ticket.purged_at)
                .outerjoin(Ticket, Ticket.number == RawMail.ticket_number)
                .where(RawMail.sha256.in_(part))).tuples(), dying))
        else:
            keep.update(_kept(s.execute(
                select(AttachmentRow.sha256, TicketMessage.ticket_number, Ticket.purged_at)
                .join(TicketMessage, TicketMessage.id == AttachmentRow.ticket_message_id)
                .join(Ticket, Ticket.number == TicketMessage.ticket_number)
                .where(AttachmentRow.sha256.in_(part))).tuples(), dying))
    return [sha for sha in some if sha not in keep]


def _kept(rows: Iterable[tuple[str, int | None, datetime | None]], dying: set[int]) -> set[str]:
    return {sha for sha, number, purged in rows
            if number is None or (number not in dying and purged is None)}


def _size(files: FileStore, kind: str, sha: str) -> int:
    path = files.path(kind, sha)
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
    s.execute(delete(FactRow).where(FactRow.ticket_number.in_(chunk),
                                    FactRow.kind.not_in(KEPT_FACTS)))
    s.execute(update(Ticket).where(Ticket.number.in_(chunk)).values(purged_at=now))
    s.add_all(Event(ticket_number=n, date=now, actor="maild", what="purged", why=why)
              for n in chunk)
