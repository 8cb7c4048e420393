"""`maild status`: backlog and health from the database: tickets waiting for a first answer,
outbox depth and failures, quarantine, last mail per source."""

from __future__ import annotations

import argparse
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from maild.commands.common import App, add_json, emit_json
from maild.database import flags
from maild.database.models import OutboxRow, QuarantineRow, RawMail, SourceState, Ticket
from maild.views import iso


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("status", help="sources, outbox, quarantine and the oldest open ticket")
    add_json(p)
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    app = App.load(args).ready()
    tz = ZoneInfo(app.settings.support.timezone)
    with app.sessions() as s:
        outbox = dict(
            s.execute(select(OutboxRow.status, func.count()).group_by(OutboxRow.status))
            .all()
        )
        sources = [
            {"source": src, "mailbox": box, "last_mail": iso(last, tz), "mails": n}
            for src, box, last, n in s.execute(
                select(
                    RawMail.source, RawMail.mailbox, func.max(RawMail.received_at), func.count()
                ).group_by(RawMail.source, RawMail.mailbox)
            )
        ]
        oldest = s.scalars(
            select(Ticket)
            .where(Ticket.first_response_at.is_(None), Ticket.status.in_(("new", "open")))
            .order_by(Ticket.created_at)
            .limit(1)
        ).first()
        out = {
            "sources": sources,
            "outbox": {
                k: outbox.get(k, 0) for k in ("queued", "sending", "sent", "failed", "dropped")
            },
            "mailboxes": [
                {"name": r.name, "last_fetch": iso(r.last_fetch, tz), "backlog": r.backlog,
                 "last_error": r.last_error, "fetched_by": r.owner or None,
                 "lease_until": iso(r.lease_until, tz)}
                for r in s.scalars(select(SourceState).order_by(SourceState.name))
            ],
            "outbox_paused": flags.is_set(s, flags.OUTBOX_PAUSED),
            "quarantine_held": s.scalar(
                select(func.count())
                .select_from(QuarantineRow)
                .where(QuarantineRow.status == "held")
            ),
            "tickets": dict(
                s.execute(select(Ticket.status, func.count()).group_by(Ticket.status))
                .all()
            ),
            "oldest_unanswered": None
            if oldest is None
            else {
                "ticket": oldest.number,
                "created": iso(oldest.created_at, tz),
                "first_response_due": iso(oldest.first_response_due, tz),
            },
        }
    if args.json:
        emit_json(out)
    else:
        for key, value in out.items():
            print(f"{key:18} {value}")
    return 0
