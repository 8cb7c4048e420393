"""`maild outbox list|retry|drop|pause|resume`: outgoing mail waiting, sent or failed."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from maild.commands.common import App, add_json, emit_json
from maild.database import flags
from maild.database.engine import transaction
from maild.database.models import OutboxRow
from maild.errors import NotFound
from maild.views import outbox_json

STATUSES = ("queued", "sending", "sent", "failed", "dropped")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("outbox", help="outgoing mail")
    osub = p.add_subparsers(dest="outbox_command", metavar="ACTION", required=True)
    ls = osub.add_parser("list", help="waiting and failed mail (--all: also sent)")
    ls.add_argument("--status", choices=STATUSES)
    ls.add_argument("--all", action="store_true")
    add_json(ls)
    ls.set_defaults(handler=list_rows)
    show = osub.add_parser("show", help="one row; --raw prints the mail exactly as it is sent")
    show.add_argument("id", type=int)
    show.add_argument("--raw", action="store_true")
    add_json(show)
    show.set_defaults(handler=show_row)
    for name, helptext, fn in (
        ("retry", "send a failed or queued row again now", retry),
        ("drop", "never send this row", drop),
    ):
        c = osub.add_parser(name, help=helptext)
        c.add_argument("id", type=int)
        c.set_defaults(handler=fn)
    osub.add_parser("pause", help="stop all sending (intake goes on)").set_defaults(
        handler=lambda a: _pause(a, True)
    )
    osub.add_parser("resume", help="start sending again").set_defaults(
        handler=lambda a: _pause(a, False)
    )


def list_rows(args: argparse.Namespace) -> int:
    app = App.load(args).ready()
    tz = ZoneInfo(app.settings.support.timezone)
    query = select(OutboxRow).order_by(OutboxRow.id.desc())
    if args.status:
        query = query.where(OutboxRow.status == args.status)
    elif not args.all:
        query = query.where(OutboxRow.status.in_(("queued", "sending", "failed")))
    with app.sessions() as s:
        rows = [outbox_json(r, tz) for r in s.scalars(query)]
        paused = flags.is_set(s, flags.OUTBOX_PAUSED)
    if args.json:
        emit_json(rows)
    else:
        if paused:
            print("outbox is PAUSED: nothing is sent until `maild outbox resume`")
        for r in rows:
            print(
                f"{r['id']:<6} {r['status']:8} {r['purpose']:7} #{r['ticket'] or '-':<7} "
                f"{','.join(r['to'])[:40]:40} tries {r['attempts']} {r['last_error'][:60]}"
            )
    return 0


def show_row(args: argparse.Namespace) -> int:
    import sys

    app = App.load(args).ready()
    tz = ZoneInfo(app.settings.support.timezone)
    with app.sessions() as s:
        row = s.get(OutboxRow, args.id)
        if row is None:
            raise NotFound(f"no outbox row {args.id}")
        out, raw = outbox_json(row, tz), row.raw
    if args.raw:
        sys.stdout.buffer.write(raw)
    elif args.json:
        emit_json(out)
    else:
        for key, value in out.items():
            print(f"{key:12} {value}")
    return 0


def retry(args: argparse.Namespace) -> int:
    with _unsent(args) as row:
        row.status, row.next_attempt_at, row.attempts = "queued", datetime.now(UTC), 0
    print(f"outbox {args.id} queued for sending")
    return 0


def drop(args: argparse.Namespace) -> int:
    with _unsent(args) as row:
        row.status = "dropped"
        row.last_error = (row.last_error + "; dropped by admin").lstrip("; ")
    print(f"outbox {args.id} dropped")
    return 0


@contextmanager
def _unsent(args: argparse.Namespace) -> Iterator[OutboxRow]:
    """The outbox row named on the command line, in a transaction; it must not be sent."""
    app = App.load(args).ready()
    with transaction(app.sessions) as s:
        row = s.get(OutboxRow, args.id)
        if row is None or row.status == "sent":
            raise NotFound(f"no unsent outbox row {args.id}")
        yield row


def _pause(args: argparse.Namespace, paused: bool) -> int:
    app = App.load(args).ready()
    with transaction(app.sessions) as s:
        flags.put(s, flags.OUTBOX_PAUSED, paused)
    print("outbox paused: intake goes on, nothing is sent" if paused else "outbox resumed")
    return 0
