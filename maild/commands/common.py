"""What every command needs: the config loaded once, the database, the pipeline, JSON out.

Heavy libraries are imported on first use, so `maild --help` and an MTA pipe start fast.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from maild import configfile
from maild.errors import ConfigError
from maild.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlalchemy.orm import Session, sessionmaker

    from maild.pipeline import Pipeline
    from maild.store.files import FileStore


@dataclass
class App:
    settings: Settings

    @classmethod
    def load(cls, args: argparse.Namespace) -> App:
        settings = configfile.load(args.config)
        if settings.log.format != "text":
            from maild.observe import setup_logging

            setup_logging(bool(getattr(args, "verbose", False)), settings.log.format)
        return cls(settings)

    @cached_property
    def engine(self) -> Engine:
        from maild.database.engine import make_engine

        return make_engine(self.settings.database)

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        from maild.database.engine import sessions

        return sessions(self.engine)

    @cached_property
    def files(self) -> FileStore:
        from maild.store.files import FileStore

        return FileStore(self.settings.storage.path)

    @cached_property
    def pipeline(self) -> Pipeline:
        from maild.pipeline import Pipeline

        return Pipeline(self.settings, self.sessions, self.files)

    def ready(self) -> App:
        """The schema must match the code; a database that cannot be reached is transient."""
        from sqlalchemy.exc import OperationalError

        from maild.database import migrate
        from maild.errors import StorageUnavailable

        try:
            migrate.require_current(self.engine)
        except OperationalError as e:
            raise StorageUnavailable(f"database unavailable: {str(e.orig).strip()[:200]}") from e
        return self


def emit_json(value: Any) -> None:
    json.dump(value, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")


def add_json(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print one JSON document on stdout")


def settings_or_defaults(explicit: str | None) -> Settings:
    """The config, or the defaults when none was named and none is found: for commands that
    need no database (parse, triage)."""
    try:
        return configfile.load(explicit)
    except ConfigError as e:
        if explicit is None and e.problems == ["file not found"]:
            return Settings()
        raise
