"""`maild db upgrade`: create or migrate the database schema (Alembic)."""

from __future__ import annotations

import argparse

from sqlalchemy.exc import OperationalError

from maild.commands.common import App
from maild.database import migrate
from maild.errors import StorageUnavailable


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("db", help="database schema")
    dbsub = p.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    up = dbsub.add_parser("upgrade", help="create or migrate the schema to the newest revision")
    up.add_argument("revision", nargs="?", default="head", help=argparse.SUPPRESS)
    up.set_defaults(handler=upgrade)
    cur = dbsub.add_parser("current", help="print the schema revision")
    cur.set_defaults(handler=current)


def upgrade(args: argparse.Namespace) -> int:
    app = App.load(args)
    try:
        before, after = migrate.upgrade(app.engine, args.revision)
    except OperationalError as e:
        raise StorageUnavailable(f"database unavailable: {str(e.orig).strip()[:200]}") from e
    if before == after:
        print(f"database schema is current (revision {after})")
    else:
        print(f"database schema upgraded from {before or 'empty'} to {after}")
    return 0


def current(args: argparse.Namespace) -> int:
    app = App.load(args)
    print(migrate.current(app.engine) or "empty")
    return 0
