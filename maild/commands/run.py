"""`maild run`: the daemon (sources + outbox sender); `--once` drains and exits."""

from __future__ import annotations

import argparse
import asyncio

from maild.commands.common import App


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("run", help="run the daemon: mailboxes, maildirs and the outbox sender")
    p.add_argument(
        "--once", action="store_true", help="ingest what is waiting, send what is due, then exit"
    )
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from maild.daemon import Daemon
    from maild.outbox import Sender

    app = App.load(args).ready()
    daemon = Daemon(app.settings, app.pipeline, Sender(app.settings, app.sessions), once=args.once)
    return asyncio.run(daemon.run())
