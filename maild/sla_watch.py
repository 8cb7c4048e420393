"""SLA over time: warn the agents before a target is missed, and when it is — once each.

Input: settings, a session factory, the renderer and the time now. Output: for every open
ticket whose first-response or resolution target is within `sla.warn_before` (or past),
one warning mail to `agents.notify`, an event on the ticket, and a row in `sla_warnings`
whose uniqueness makes the warning go out once, across restarts and several daemons (the
loser of a race rolls back and finds the row next time). Run by the daemon every minute.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from maild.compose import Renderer, build
from maild.database.engine import transaction
from maild.database.models import SlaWarning, Ticket
from maild.database.writes import Writes
from maild.durations import parse_seconds
from maild.respond import outbox_row, tagged
from maild.settings import Settings
from maild.tickets import SYSTEM, event

log = logging.getLogger("maild.sla")
OPEN_FOR_ANSWER = ("new", "open")
DONE = ("resolved", "closed")
BATCH = 200


def due_warnings(t: Ticket, now: datetime, lead: timedelta) -> list[tuple[str, datetime]]:
    """(kind, due) of the warnings this ticket calls for now."""
    out = []
    if t.first_response_at is None and t.status in OPEN_FOR_ANSWER:
        out.append(("first_response", t.first_response_due))
    if t.resolved_at is None and t.status not in DONE:
        out.append(("resolution", t.resolution_due))
    return [(f"{name}_{'breached' if due <= now else 'soon'}", due)
            for name, due in out if due <= now + lead]


def sweep(settings: Settings, sessions: sessionmaker[Session], renderer: Renderer,
          now: datetime) -> int:
    if not settings.sla.warn_before or not settings.agents.notify:
        return 0
    lead = timedelta(seconds=parse_seconds(settings.sla.warn_before))
    try:
        with transaction(sessions) as s:
            return _sweep(s, settings, renderer, now, lead)
    except IntegrityError:
        log.info("SLA warnings: another daemon sent some of these first")
        return 0


def _sweep(s: Session, settings: Settings, renderer: Renderer, now: datetime,
           lead: timedelta) -> int:
    horizon = now + lead
    tickets = list(s.scalars(select(Ticket).where(or_(
        and_(Ticket.first_response_at.is_(None), Ticket.status.in_(OPEN_FOR_ANSWER),
             Ticket.first_response_due <= horizon),
        and_(Ticket.resolved_at.is_(None), Ticket.status.not_in(DONE),
             Ticket.resolution_due <= horizon),
    )).order_by(Ticket.first_response_due).limit(BATCH * 5)))
    if not tickets:
        return 0
    sent = {(n, k) for n, k in s.execute(select(SlaWarning.ticket_number, SlaWarning.kind)
                                         .where(SlaWarning.ticket_number.in_(
                                             [t.number for t in tickets])))}
    tz = ZoneInfo(settings.support.timezone)
    w = Writes()
    count = 0
    for t in tickets:
        for kind, due in due_warnings(t, now, lead):
            if (t.number, kind) in sent or count >= BATCH:
                continue
            text = renderer.render("sla", "en", {
                "ticket": t.number, "kind": kind, "subject": t.subject,
                "priority": t.priority, "customer": t.customer_address,
                "due": due.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
                "timezone": settings.support.timezone, "breached": kind.endswith("breached"),
            })
            what = kind.replace("_", " ")
            out = build("sla", sender_name=settings.support.name,
                        sender=settings.support.address, to=settings.agents.notify,
                        subject=tagged(t, f"SLA {what}: {t.subject}", settings), body=text,
                        domain=settings.support.address.rpartition("@")[2], now=now,
                        ticket=t.number, auto=False)
            s.add(SlaWarning(ticket_number=t.number, kind=kind, created_at=now))
            w.outbox.append(outbox_row(out, t.number, now))
            w.events.append(event(t.number, now, SYSTEM, f"SLA warning: {what}",
                                  f"due {due.astimezone(tz).isoformat()}"))
            count += 1
    s.flush()
    w.write(s.connection())
    return count
