"""`maild tickets list|show`: the tickets, newest first, and one ticket whole."""

from __future__ import annotations

import argparse
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from maild.commands.common import App, add_json, emit_json
from maild.database.models import Ticket, TicketMessage
from maild.errors import NotFound
from maild.views import ticket_json, ticket_summary

STATUSES = ("new", "open", "waiting", "resolved", "closed")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("tickets", help="inspect tickets")
    tsub = p.add_subparsers(dest="tickets_command", metavar="ACTION", required=True)
    ls = tsub.add_parser("list", help="tickets, newest first")
    ls.add_argument("--status", choices=STATUSES)
    ls.add_argument("--limit", type=int, default=100)
    add_json(ls)
    ls.set_defaults(handler=list_tickets)
    show = tsub.add_parser("show", help="one ticket with its messages, facts and events")
    show.add_argument("number", type=int)
    add_json(show)
    show.set_defaults(handler=show_ticket)


def list_tickets(args: argparse.Namespace) -> int:
    app = App.load(args).ready()
    tz = ZoneInfo(app.settings.support.timezone)
    query = select(Ticket).order_by(Ticket.created_at.desc(), Ticket.number.desc())
    if args.status:
        query = query.where(Ticket.status == args.status)
    with app.sessions() as s:
        rows = [ticket_summary(t, tz) for t in s.scalars(query.limit(args.limit))]
    if args.json:
        emit_json(rows)
    else:
        for r in rows:
            print(
                f"#{r['number']:<8} {r['status']:8} {r['priority']} {r['category']:13} "
                f"{r['created'][:16]}  {r['customer']['address']:30} {r['subject'][:60]}"
            )
    return 0


def show_ticket(args: argparse.Namespace) -> int:
    app = App.load(args).ready()
    tz = ZoneInfo(app.settings.support.timezone)
    with app.sessions() as s:
        t = s.scalars(
            select(Ticket)
            .where(Ticket.number == args.number)
            .options(
                selectinload(Ticket.messages).selectinload(TicketMessage.attachments),
                selectinload(Ticket.events),
                selectinload(Ticket.facts),
                selectinload(Ticket.incident),
            )
        ).first()
        if t is None:
            raise NotFound(f"no ticket #{args.number}")
        linked = None
        if t.incident_id is not None:
            linked = sorted(s.scalars(select(Ticket.number)
                                      .where(Ticket.incident_id == t.incident_id)))
        out = ticket_json(t, tz, linked)
    if args.json:
        emit_json(out)
        return 0
    print(f"#{out['number']} {out['subject']}")
    print(f"status {out['status']}, priority {out['priority']}, category {out['category']}")
    print(f"customer {out['customer']['name']} <{out['customer']['address']}>")
    print(
        f"created {out['created']}; first response due {out['due']['first_response']}; "
        f"resolution due {out['due']['resolution']}"
    )
    print(f"error codes {out['error_codes']}; environment {out['environment']}")
    for m in out["messages"]:
        print(f"\n--- {m['direction']} {m['kind']} {m['date']} {m['author']['address']}")
        print(m["text"])
    print("\nevents:")
    for e in out["events"]:
        print(
            f"  {e['date'][:19]} {e['actor']}: {e['what']}" + (f" — {e['why']}" if e["why"] else "")
        )
    return 0
