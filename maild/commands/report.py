"""`maild report [--since DATE] [--until DATE]`: tickets by category and priority, SLA met,
batch incidents, frequent error codes without a knowledge entry."""

from __future__ import annotations

import argparse
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from maild.commands.common import App, add_json, emit_json
from maild.errors import MaildError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("report", help="tickets, SLA met and recurring problems for a period")
    p.add_argument("--since", metavar="DATE", help="first day (YYYY-MM-DD), default 30 days ago")
    p.add_argument("--until", metavar="DATE", help="last day (YYYY-MM-DD), default today")
    add_json(p)
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from maild import report
    from maild.database.models import FactRow, Incident, Ticket

    app = App.load(args).ready()
    tz = ZoneInfo(app.settings.support.timezone)
    today = datetime.now(tz).date()
    first = _day(args.since, "--since") if args.since else today - timedelta(days=30)
    last = _day(args.until, "--until") if args.until else today
    start = datetime.combine(first, time.min, tz)
    end = datetime.combine(last + timedelta(days=1), time.min, tz)
    with app.sessions() as s:
        rows = s.execute(
            select(Ticket, Incident.key).outerjoin(Incident, Incident.id == Ticket.incident_id)
            .where(Ticket.created_at >= start, Ticket.created_at < end)).all()
        numbers = [t.number for t, _ in rows]
        codes: dict[int, list[str]] = {}
        for chunk in range(0, len(numbers), 500):
            for n, v in s.execute(select(FactRow.ticket_number, FactRow.value).where(
                    FactRow.kind == "error_code",
                    FactRow.ticket_number.in_(numbers[chunk:chunk + 500]))):
                codes.setdefault(n, []).append(v)
        facts = [report.TicketFacts(t.number, t.category, t.priority, t.first_response_due,
                                    t.first_response_at, t.resolution_due, t.resolved_at, key,
                                    tuple(codes.get(t.number, ()))) for t, key in rows]
    out = {"since": first.isoformat(), "until": last.isoformat(),
           **report.build(facts, app.settings.knowledge, datetime.now(UTC))}
    if args.json:
        emit_json(out)
        return 0
    print(f"{out['since']} .. {out['until']}: {out['tickets']} tickets")
    print(f"by category: {out['by_category']}")
    print(f"by priority: {out['by_priority']}")
    for name, figures in out["sla"].items():
        pct = "-" if figures["met_percent"] is None else f"{figures['met_percent']} %"
        print(f"SLA {name}: met {figures['met']}, missed {figures['missed']}, "
              f"open {figures['open']} ({pct})")
    for inc in out["incidents"]:
        print(f"batch incident {inc['key']}: tickets {inc['tickets']}")
    for c in out["frequent_codes_without_knowledge"]:
        print(f"no knowledge entry for {c['code']} ({c['tickets']} tickets)")
    return 0


def _day(text: str, flag: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise MaildError(f"{flag}: not a date {text!r} (use YYYY-MM-DD)") from None
