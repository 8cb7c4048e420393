"""`maild quarantine list|show|replay`: mail that could not be processed, with the reason."""

from __future__ import annotations

import argparse
from zoneinfo import ZoneInfo

from sqlalchemy import select

from maild.commands.common import App, add_json, emit_json
from maild.database.models import QuarantineRow, RawMail
from maild.errors import NotFound
from maild.views import quarantine_json


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("quarantine", help="mail that could not be processed")
    qsub = p.add_subparsers(dest="quarantine_command", metavar="ACTION", required=True)
    ls = qsub.add_parser("list", help="quarantined mail, newest first")
    ls.add_argument("--all", action="store_true", help="also entries already replayed")
    add_json(ls)
    ls.set_defaults(handler=list_entries)
    show = qsub.add_parser("show", help="one entry with its traceback")
    show.add_argument("id", type=int)
    show.add_argument("--raw", action="store_true", help="print the raw mail bytes")
    add_json(show)
    show.set_defaults(handler=show_entry)
    replay = qsub.add_parser("replay", help="run a quarantined mail through the pipeline again")
    replay.add_argument("id", type=int)
    add_json(replay)
    replay.set_defaults(handler=replay_entry)


def list_entries(args: argparse.Namespace) -> int:
    app = App.load(args).ready()
    tz = ZoneInfo(app.settings.support.timezone)
    query = select(QuarantineRow, RawMail).join(RawMail, RawMail.id == QuarantineRow.raw_id)
    if not args.all:
        query = query.where(QuarantineRow.status == "held")
    with app.sessions() as s:
        rows = [
            quarantine_json(q, r, tz) for q, r in s.execute(query.order_by(QuarantineRow.id.desc()))
        ]
    if args.json:
        emit_json(rows)
    else:
        for r in rows:
            print(
                f"{r['id']:<6} {r['status']:8} {r['created'][:19]} {r['stage']:9} "
                f"{r['label'][:40]:40} {r['error'][:80]}"
            )
    return 0


def show_entry(args: argparse.Namespace) -> int:
    import sys

    app = App.load(args).ready()
    tz = ZoneInfo(app.settings.support.timezone)
    with app.sessions() as s:
        found = s.execute(
            select(QuarantineRow, RawMail)
            .join(RawMail, RawMail.id == QuarantineRow.raw_id)
            .where(QuarantineRow.id == args.id)
        ).first()
        if found is None:
            raise NotFound(f"no quarantine entry {args.id}")
        out = quarantine_json(found[0], found[1], tz, full=True)
    if args.raw:
        sys.stdout.buffer.write(app.files.read_raw(out["sha256"]))
    elif args.json:
        emit_json(out)
    else:
        for key, value in out.items():
            print(f"{key:11} {value}")
    return 0


def replay_entry(args: argparse.Namespace) -> int:
    app = App.load(args).ready()
    outcome = app.pipeline.replay(args.id)
    if args.json:
        emit_json(outcome.as_json())
    else:
        ticket = f" #{outcome.ticket}" if outcome.ticket else ""
        print(f"quarantine {args.id}: {outcome.action}{ticket} ({outcome.reason})")
    return 0 if outcome.action != "quarantined" else 1
