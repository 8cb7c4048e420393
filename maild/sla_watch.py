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

from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from maild.compose import Renderer, build
from maild.database.engine import transaction
from maild.database.models import Event, SlaWarning, Ticket
from maild.database.writes import Writes
from maild.durations import parse_seconds
from maild.respond import domain, outbox_row, tagged
from maild.settings import Settings
from maild.sla import Calendar
from maild.tickets import SYSTEM, event

log = logging.getLogger("maild.sla")
OPEN_FOR_ANSWER = ("new", "open")
DONE = ("resolved", "closed")
BATCH = 200
PROGRESS = timedelta(hours=4)  # business time between P1 progress updates (seed)


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
                        domain=domain(settings), now=now,
                        ticket=t.number, auto=False)
            s.add(SlaWarning(ticket_number=t.number, kind=kind, created_at=now))
            w.outbox.append(outbox_row(out, t.number, now))
            w.events.append(event(t.number, now, SYSTEM, f"SLA warning: {what}",
                                  f"due {due.astimezone(tz).isoformat()}"))
            count += 1
    count += _p1_progress(s, w, settings, renderer, now, sent, count)
    s.flush()
    w.write(s.connection())
    return count


def _p1_progress(s: Session, w: Writes, settings: Settings, renderer: Renderer, now: datetime,
                 sent: set[tuple[int, str]], count: int) -> int:
    """Seed: a P1 gets news every 4 h. A P1 without an agent's update for 4 business hours
    reminds the team, once per 4-hour stretch since the last update."""
    calendar = Calendar(settings.sla, settings.support.timezone)
    agents = settings.agents.addresses
    last_update = dict(s.execute(
        select(Event.ticket_number, func.max(Event.date)).join(
            Ticket, Ticket.number == Event.ticket_number)
        .where(Ticket.priority == "P1", Ticket.status.in_(OPEN_FOR_ANSWER), Event.actor.in_(agents))
        .group_by(Event.ticket_number)).all()) if agents else {}
    made = 0
    for t in s.scalars(select(Ticket).where(Ticket.priority == "P1",
                                            Ticket.status.in_(OPEN_FOR_ANSWER)).limit(BATCH)):
        since = last_update.get(t.number) or t.created_at
        stretches = int(calendar.between(since, now) / PROGRESS)
        kind = f"p1p:{int(since.timestamp())}:{stretches}"
        if stretches < 1 or (t.number, kind) in sent or count + made >= BATCH:
            continue
        exists = s.scalar(select(SlaWarning.id).where(SlaWarning.ticket_number == t.number,
                                                      SlaWarning.kind == kind))
        if exists is not None:
            continue
        text = renderer.render("sla", "en", {
            "ticket": t.number, "kind": f"no progress for {4 * stretches} business hours",
            "subject": t.subject, "priority": t.priority, "customer": t.customer_address,
            "due": since.astimezone(calendar.tz).strftime("%Y-%m-%d %H:%M"),
            "timezone": settings.support.timezone, "breached": False})
        out = build("sla", sender_name=settings.support.name, sender=settings.support.address,
                    to=settings.agents.notify,
                    subject=tagged(t, f"P1 progress due: {t.subject}", settings), body=text,
                    domain=domain(settings), now=now,
                    ticket=t.number, auto=False)
        s.add(SlaWarning(ticket_number=t.number, kind=kind, created_at=now))
        w.outbox.append(outbox_row(out, t.number, now))
        w.events.append(event(t.number, now, SYSTEM, "P1 progress reminder",
                              f"no agent update since {since.isoformat(timespec='minutes')}"))
        made += 1
    return made
