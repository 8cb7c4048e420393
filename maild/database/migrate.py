"""Schema migrations with Alembic, run by `maild db upgrade`.

The migration scripts ship inside the package (`maild/database/migrations`), so an installed
maild upgrades its database without an alembic.ini. Other commands call `require_current`
and refuse to run on a schema older than the code, with the command that fixes it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

from maild.errors import MaildError

if TYPE_CHECKING:
    from alembic.config import Config

# The newest migration; a test checks it against the scripts. Kept here so that every
# command can check the schema without loading Alembic.
HEAD = "0008"


class SchemaOutdated(MaildError):
    pass


def _config(engine: Engine) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", "maild.database:migrations")
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> tuple[str | None, str | None]:
    """Bring the schema to `revision`; return (before, after) revisions."""
    from alembic import command

    before = current(engine)
    command.upgrade(_config(engine), revision)
    return before, current(engine)


def current(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        value = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        return str(value) if value is not None else None


def head(engine: Engine) -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_config(engine)).get_current_head()


def require_current(engine: Engine) -> None:
    have, want = current(engine), HEAD
    if have != want:
        state = "has no maild tables" if have is None else f"is at revision {have}, not {want}"
        raise SchemaOutdated(f"the database {state}: run `maild db upgrade` first")
