"""Ticket stage: write what the earlier stages decided into the ticket tables.

Input: the open Session, the parsed mail, its raw row and the triage. Output: the Ticket and
TicketMessage rows (with facts, attachments and audit events). Runs inside the pipeline's
transaction; never sends anything (the respond stage queues mail in the same transaction).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from maild.database.models import AttachmentRow, Event, FactRow, RawMail, Ticket, TicketMessage
from maild.database.queries import Queries
from maild.message import ParsedMessage, Triage

SYSTEM = "maild"
MAX_SUBJECT = 998


def create(s: Session, q: Queries, msg: ParsedMessage, triage: Triage, arrival: datetime) -> Ticket:
    assert triage.due is not None
    ticket = Ticket(
        number=q.next_ticket_number(),
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
    s.add(ticket)
    s.flush()
    event(
        s,
        ticket.number,
        arrival,
        SYSTEM,
        "ticket created",
        f"{triage.kind} mail from the customer; {triage.thread_reason}",
    )
    for hit in triage.hits:
        event(s, ticket.number, arrival, f"rule:{hit.rule}", hit.effect, hit.reason)
    event(
        s,
        ticket.number,
        arrival,
        SYSTEM,
        f"priority {triage.priority}, category {triage.category}",
        _why(triage),
    )
    return ticket


def _why(triage: Triage) -> str:
    reasons = [h.reason for h in triage.hits]
    return "; ".join(reasons) if reasons else "no rule matched: defaults"


def add_message(
    s: Session, number: int, msg: ParsedMessage, raw: RawMail, kind: str, arrival: datetime
) -> TicketMessage:
    row = TicketMessage(
        ticket_number=number,
        raw_id=raw.id,
        direction="in",
        kind=kind,
        author_address=msg.sender.address,
        author_name=msg.sender.name[:200],
        subject=msg.subject[:MAX_SUBJECT],
        text=msg.text,
        quoted=msg.quoted,
        message_id=msg.message_id,
        date=msg.date or arrival,
    )
    s.add(row)
    s.flush()
    for fact in msg.facts:
        s.add(
            FactRow(
                ticket_number=number,
                ticket_message_id=row.id,
                kind=fact.kind,
                value=fact.value[:2000],
                source=fact.source[:300],
            )
        )
    for a in msg.attachments:
        s.add(
            AttachmentRow(
                ticket_message_id=row.id,
                filename=a.filename[:2000],
                safe_name=a.safe_name,
                content_type=a.content_type[:200],
                size=a.size,
                sha256=a.sha256,
            )
        )
    return row


def follow_up(
    s: Session, ticket: Ticket, msg: ParsedMessage, triage: Triage, arrival: datetime
) -> None:
    ticket.updated_at = arrival
    actor = msg.sender.address
    if triage.kind in ("auto_reply", "bounce", "bulk"):
        event(
            s, ticket.number, arrival, SYSTEM, f"{triage.kind} mail recorded", triage.thread_reason
        )
        return
    event(s, ticket.number, arrival, actor, "follow-up", triage.thread_reason)
    if ticket.status in ("waiting", "resolved"):
        before, ticket.status = ticket.status, "open"
        event(
            s, ticket.number, arrival, actor, f"status {before} → open", "the customer wrote again"
        )


def event(s: Session, number: int, when: datetime, actor: str, what: str, why: str = "") -> None:
    s.add(Event(ticket_number=number, date=when, actor=actor[:320], what=what, why=why))
