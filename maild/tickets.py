"""Ticket stage: the rows that record what the earlier stages decided.

Input: the parsed mail, its raw row and the triage. Output: new ORM objects (ticket, message,
facts, attachments, audit events) for the driver to add to its transaction; the only row it
changes in place is an existing ticket on a follow-up. Never sends anything and does no I/O.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from maild.database.models import AttachmentRow, Event, FactRow, RawMail, Ticket, TicketMessage
from maild.message import ParsedMessage, Triage

SYSTEM = "maild"
MAX_SUBJECT = 998


def create(number: int, msg: ParsedMessage, triage: Triage, arrival: datetime) -> list[object]:
    assert triage.due is not None
    ticket = Ticket(
        number=number,
        subject=(msg.subject or "(no subject)")[:MAX_SUBJECT],
        status="new",
        priority=triage.priority,
        category=triage.category,
        customer_address=msg.sender.address,
        customer_name=msg.sender.name[:200],
        language=msg.language,
        created_at=arrival,
        updated_at=arrival,
        first_response_due=triage.due.first_response,
        resolution_due=triage.due.resolution,
    )
    rows: list[object] = [ticket, event(number, arrival, SYSTEM, "ticket created",
                                        f"{triage.kind} mail from the customer; "
                                        f"{triage.thread_reason}")]
    rows += [event(number, arrival, f"rule:{h.rule}", h.effect, h.reason) for h in triage.hits]
    rows.append(event(number, arrival, SYSTEM,
                      f"priority {triage.priority}, category {triage.category}", _why(triage)))
    return rows


def _why(triage: Triage) -> str:
    reasons = [h.reason for h in triage.hits]
    return "; ".join(reasons) if reasons else "no rule matched: defaults"


def message(number: int, msg: ParsedMessage, raw: RawMail, kind: str,
            arrival: datetime) -> list[object]:
    row = TicketMessage(
        ticket_number=number, raw=raw, direction="in", kind=kind,
        author_address=msg.sender.address, author_name=msg.sender.name[:200],
        subject=msg.subject[:MAX_SUBJECT], text=msg.text, quoted=msg.quoted,
        message_id=msg.message_id, date=msg.date or arrival,
    )
    row.attachments = [
        AttachmentRow(filename=a.filename[:2000], safe_name=a.safe_name,
                      content_type=a.content_type[:200], size=a.size, sha256=a.sha256)
        for a in msg.attachments
    ]
    facts = [FactRow(ticket_number=number, message=row, kind=f.kind, value=f.value[:2000],
                     source=f.source[:300]) for f in msg.facts]
    return [row, *facts]


def follow_up(ticket: Ticket, msg: ParsedMessage, triage: Triage,
              arrival: datetime) -> list[object]:
    ticket.updated_at = arrival
    actor = msg.sender.address
    if triage.kind in ("auto_reply", "bounce", "bulk"):
        return [event(ticket.number, arrival, SYSTEM, f"{triage.kind} mail recorded",
                      triage.thread_reason)]
    rows: list[object] = [event(ticket.number, arrival, actor, "follow-up", triage.thread_reason)]
    if ticket.status in ("waiting", "resolved"):
        before, ticket.status = ticket.status, "open"
        rows.append(event(ticket.number, arrival, actor, f"status {before} → open",
                          "the customer wrote again"))
    return rows


def event(number: int, when: datetime, actor: str, what: str, why: str = "") -> Event:
    return Event(ticket_number=number, date=when, actor=actor[:320], what=what, why=why)


def add_event(s: Session, number: int, when: datetime, actor: str, what: str,
              why: str = "") -> None:
    s.add(event(number, when, actor, what, why))
