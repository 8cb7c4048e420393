"""`maild ingest [FILE ...|-]`: run mail through the whole pipeline; safe as an MTA pipe.

Exits 0 only when every mail is durably stored and committed (ticket, duplicate, suppressed
or quarantined), 75 when it cannot be stored right now so the MTA keeps it and retries.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator

from maild.commands.common import App, add_json, emit_json
from maild.errors import StorageUnavailable
from maild.pipeline import Incoming


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("ingest", help="ingest mail files (or stdin) as if they had arrived")
    p.add_argument("files", nargs="*", metavar="FILE", help="mail files; none or - reads stdin")
    p.add_argument(
        "--silent",
        action="store_true",
        help="make tickets but send no acknowledgement or notification",
    )
    add_json(p)
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    app = App.load(args)
    failed: list[dict[str, object]] = []
    items = _read(args.files or ["-"], args.silent, failed)
    try:
        app.ready()
    except StorageUnavailable:
        for item in items:  # keep the bytes: `maild run` recovers them if the MTA gives up
            app.files.put_raw(item.data)
        app.files.sync()
        raise
    from maild.parallel import ParsePool

    app.pipeline.pool = ParsePool()
    try:
        outcomes = app.pipeline.ingest(items)
    finally:
        app.pipeline.pool.close()
    from maild import wake

    wake.nudge(app.settings.storage.path)  # a daemon on this host sends the replies now
    if args.json:
        emit_json([o.as_json() for o in outcomes] + failed)
    else:
        for o in outcomes:
            ticket = f" #{o.ticket}" if o.ticket else ""
            print(f"{o.label}: {o.action}{ticket} ({o.reason})")
        for f in failed:
            print(f"{f['file']}: not read ({f['reason']})", file=sys.stderr)
    return 1 if failed else 0


def _read(names: list[str], silent: bool, failed: list[dict[str, object]]) -> Iterator[Incoming]:
    """The inputs one by one (a big batch is never all in memory); unreadable files are
    reported in `failed`."""
    for name in names:
        try:
            if name == "-":
                data = sys.stdin.buffer.read()
            else:
                with open(name, "rb") as f:
                    data = f.read()
        except OSError as e:
            failed.append(
                {
                    "file": name,
                    "ticket": None,
                    "action": "error",
                    "reason": f"cannot read: {e.strerror}",
                }
            )
            continue
        yield Incoming(data, "ingest", name, silent=silent)
