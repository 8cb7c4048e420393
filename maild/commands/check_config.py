"""`maild check-config`: validate the config, its secrets and that the database answers."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime

from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from maild.commands.common import App, add_json, emit_json
from maild.compose import Renderer
from maild.database import migrate
from maild.rules._model import configured
from maild.sla import Calendar


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("check-config", help="validate config, secrets and database reachability")
    add_json(p)
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    app = App.load(args)
    s = app.settings
    calendar = Calendar(s.sla, s.support.timezone)
    this_year = datetime.now(UTC).year
    unknown = calendar.unknown_years(range(this_year, this_year + 2))
    if unknown:
        print(f"WARNING: sla.country = {s.sla.country!r}: the official holiday and make-up "
              f"working day schedule for {', '.join(map(str, unknown))} is not published in "
              "the holiday data yet. Due times in those years count ordinary weekdays only; "
              "add the days to sla.holidays / sla.extra_workdays when they are announced.",
              file=sys.stderr)
    Renderer(s.support.templates)  # a broken override is a config error now, not at 3 a.m.
    model = configured(s.rules.model)  # so is a missing or broken triage model
    summary: dict[str, object] = {
        "config": s.source,
        "database": _safe_url(s.database.url),
        "storage": s.storage.path,
        "support": s.support.address,
        "timezone": s.support.timezone,
        "mailboxes": [m.name for m in s.mailboxes],
        "maildirs": [m.name for m in s.maildirs],
        "smtp": f"{s.smtp.host}:{s.smtp.port} ({s.smtp.security})",
        "agents": len(s.agents.addresses),
        "knowledge": len(s.knowledge),
        "triage_model": (f"{model.source} ({model.trained_on} labelled mails)" if model
                         else "none (word rules only)"),
        "calendar_unknown_years": unknown,
    }
    ok = True
    try:
        with app.engine.connect() as conn:
            conn.execute(text("select 1"))
        have, want = migrate.current(app.engine), migrate.head(app.engine)
        summary["schema"] = (
            "current" if have == want else f"{have or 'empty'} (run maild db upgrade)"
        )
    except OperationalError as e:
        summary["schema"] = f"unreachable: {str(e.orig).strip().splitlines()[0]}"
        ok = False
    if args.json:
        emit_json({"ok": ok, **summary})
    else:
        for key, value in summary.items():
            print(f"{key:10} {value}")
        print("config ok" if ok else "config ok, but the database cannot be reached")
    return 0 if ok else 1


def _safe_url(url: str) -> str:
    """The URL without its password, for printing."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
