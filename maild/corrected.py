"""Labelled mail from the desk's own tickets (`maild triage export`): every ticket whose
priority or category an agent set by `#priority` / `#category` is a mail with the support
lead's answer — the labels the triage model learns best from.

The label of a corrected question is the agent's last setting; the other question keeps
maild's first judgement, which the agent saw and let stand. A ticket whose first priority was
raised by policy (VIP sender, business peak, batch incident) and not set by an agent is left
out: its priority says who wrote and when, not what the mail says. Purged tickets have no
text left and are left out too. No addresses are written: the model reads subject and text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from maild.database.models import Event, Ticket

_SET = re.compile(r"^(priority|category) \S+ → (\S+)$")
_FIRST = re.compile(r"^priority (P[1-4]), category (\S+)$")
POLICY = ("rule:vip-sender", "rule:business-peak", "rule:batch-incident")
COMMANDS = ("#priority", "#category")


def labelled(s: Session, since: datetime | None = None) -> Iterator[dict[str, Any]]:
    """One labelled record per corrected ticket, oldest first."""
    corrected = select(Event.ticket_number).where(Event.why.in_(COMMANDS))
    query = (
        select(Ticket)
        .where(Ticket.number.in_(corrected), Ticket.purged_at.is_(None))
        .options(selectinload(Ticket.events), selectinload(Ticket.messages))
        .order_by(Ticket.number)
    )
    if since is not None:
        query = query.where(Ticket.created_at >= since)
    for ticket in s.scalars(query):
        record = _record(ticket)
        if record is not None:
            yield record


def _record(ticket: Ticket) -> dict[str, Any] | None:
    first: dict[str, str] = {}
    agent: dict[str, str] = {}
    raised = False
    for e in ticket.events:
        if e.actor in POLICY:
            raised = True
        elif (m := _FIRST.match(e.what)) and not first:
            first = {"priority": m.group(1), "category": m.group(2)}
        elif e.why in COMMANDS and (m := _SET.match(e.what)):
            agent[m.group(1)] = m.group(2)
    if not first or ("priority" not in agent and raised):
        return None
    mail = next((m for m in ticket.messages if m.direction == "in"), None)
    if mail is None or not (mail.subject.strip() or mail.text.strip()):
        return None
    labels = {**first, **agent}
    return {
        "id": f"ticket-{ticket.number}",
        "subject": mail.subject,
        "body": mail.text,
        "priority": labels["priority"],
        "category": labels["category"],
        "why": "set by an agent: " + ", ".join(sorted(agent)) if agent else "",
    }
