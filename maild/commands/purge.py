"""`maild purge [--older-than 365d] [--dry-run]`: remove the raw mail, attachments and texts
of tickets resolved or closed before then; tickets and their events stay (maild/retention.py)."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta

from maild.commands.common import App, add_json, emit_json
from maild.errors import MaildError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("purge", help="remove stored mail of tickets finished long ago")
    p.add_argument("--older-than", metavar="AGE",
                   help="e.g. 365d (default: storage.retention from the config)")
    p.add_argument("--dry-run", action="store_true", help="only count what would go")
    add_json(p)
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from maild.durations import parse_seconds
    from maild.retention import purge

    app = App.load(args).ready()
    age = args.older_than or app.settings.storage.retention
    if not age:
        raise MaildError("nothing to purge by: give --older-than (e.g. 365d) or set "
                         "storage.retention")
    try:
        seconds = parse_seconds(age)
    except ValueError as e:
        raise MaildError(f"--older-than: {e}") from None
    now = datetime.now(UTC)
    done = purge(app.sessions, app.files, now - timedelta(seconds=seconds), now, age,
                 dry_run=args.dry_run)
    if args.json:
        emit_json({"older_than": age, **done.as_json()})
        return 0
    verb = "would remove" if done.dry_run else "removed"
    print(f"{len(done.tickets)} tickets finished more than {age} ago: {verb} "
          f"{done.raw_files} raw mails, {done.attachment_files} attachment files "
          f"({done.bytes} bytes) and their message texts")
    return 0
