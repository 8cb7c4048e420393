"""Ticket stage: the rows that record what the earlier stages decided.

Input: the parsed mail, a reference to its raw row and the triage. Output: a new Ticket (an
ORM object, since later stages read it) and plain rows (message, facts, attachments, audit
events) appended to the batch's `Writes`; on a follow-up it changes the existing ticket in
place. Never sends anything and does no I/O.
"""

from __future__ import annotations

from datetime import datetime

from maild.database.models import Ticket
from maild.database.writes import Ref, Row, Writes, nul_free
from maild.message import ParsedMessage, Triage
from maild.sla import Calendar

SYSTEM = "maild"
MAX_SUBJECT = 998


def create(w: Writes, number: int, msg: ParsedMessage, triage: Triage, arrival: datetime) -> Ticket:
    assert triage.due is not None
    ticket = Ticket(
        number=number,
        subject=nul_free(msg.subject or "(no subject)")[:MAX_SUBJECT],
        status="new",
        priority=triage.priority,
        category=triage.category,
        customer_address=msg.sender.address,
        customer_name=nul_free(msg.sender.name)[:200],
        language=msg.language,
        created_at=arrival,
        updated_at=arrival,
        first_response_due=triage.due.first_response,
        resolution_due=triage.due.resolution,
        queue=triage.queue[:80],
    )
    w.events.append(
        event(
            number,
            arrival,
            SYSTEM,
            "ticket created",
            f"{triage.kind} mail from the customer; {triage.thread_reason}",
        )
    )
    w.events += [event(number, arrival, f"rule:{h.rule}", h.effect, h.reason) for h in triage.hits]
    w.events.append(
        event(
            number,
            arrival,
            SYSTEM,
            f"priority {triage.priority}, category {triage.category}",
            _why(triage),
        )
    )
    return ticket


def _why(triage: Triage) -> str:
    reasons = [h.reason for h in triage.hits]
    return "; ".join(reasons) if reasons else "no rule matched: defaults"


def message(w: Writes, number: int, msg: ParsedMessage, raw: Ref | int, kind: str,
            arrival: datetime, direction: str = "in", text: str | None = None) -> None:
    """The mail as a message of the ticket; `text` replaces the mail's new text (an agent's
    reply without its commands), `direction` is "out" for what an agent sends."""
    ref = w.message(
        {
            "ticket_number": number,
            "raw_id": raw,
            "direction": direction,
            "kind": kind,
            "author_address": msg.sender.address,
            "author_name": msg.sender.name[:200],
            "subject": msg.subject[:MAX_SUBJECT],
            "text": msg.text if text is None else text,
            "quoted": msg.quoted,
            "message_id": msg.message_id,
            "date": msg.date or arrival,
        }
    )
    w.attachments += [
        {
            "ticket_message_id": ref,
            "filename": a.filename[:2000],
            "safe_name": a.safe_name,
            "content_type": a.content_type[:200],
            "size": a.size,
            "sha256": a.sha256,
        }
        for a in msg.attachments
    ]
    w.facts += [
        {
            "ticket_number": number,
            "ticket_message_id": ref,
            "kind": f.kind,
            "value": f.value[:2000],
            "source": f.source[:300],
        }
        for f in msg.facts
    ]


def follow_up(
    w: Writes, ticket: Ticket, msg: ParsedMessage, triage: Triage, arrival: datetime
) -> None:
    ticket.updated_at = arrival
    actor = msg.sender.address
    if triage.kind in ("auto_reply", "bounce", "bulk"):
        w.events.append(
            event(
                ticket.number, arrival, SYSTEM, f"{triage.kind} mail recorded", triage.thread_reason
            )
        )
        return
    w.events.append(event(ticket.number, arrival, actor, "follow-up", triage.thread_reason))
    if ticket.status in ("waiting", "resolved", "closed"):
        before, ticket.status = ticket.status, "open"
        ticket.closed_at = None
        w.events.append(
            event(
                ticket.number, arrival, actor, f"status {before} → open", "the customer wrote again"
            )
        )


def set_priority(ticket: Ticket, priority: str, calendar: Calendar, since: datetime) -> str:
    """Give the ticket a new priority and the due times that go with it, counted from
    `since`; return the priority it had."""
    before, ticket.priority = ticket.priority, priority
    due = calendar.due(since, priority)
    ticket.first_response_due, ticket.resolution_due = due.first_response, due.resolution
    return before


def event(number: int, when: datetime, actor: str, what: str, why: str = "") -> Row:
    return {"ticket_number": number, "date": when, "actor": actor[:320], "what": what, "why": why}
