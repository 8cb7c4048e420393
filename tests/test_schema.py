"""The schema: migrations create exactly what the models describe, on SQLite and PostgreSQL,
and an installed package carries its migrations, templates and default word lists."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from maild.database import migrate
from maild.database.models import Base
from maild.settings import DatabaseSettings

ROOT = Path(__file__).resolve().parent.parent


def test_migrations_match_models(db_url: str) -> None:
    from maild.database.engine import make_engine

    engine = make_engine(DatabaseSettings(url=db_url))
    before, after = migrate.upgrade(engine)
    assert before is None and after == migrate.HEAD == migrate.head(engine)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == [], diff
    assert migrate.upgrade(engine) == (after, after)  # idempotent
    migrate.require_current(engine)
    engine.dispose()


def test_commands_refuse_an_old_schema(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path}/old.db")
    with pytest.raises(migrate.SchemaOutdated, match="maild db upgrade"):
        migrate.require_current(engine)


def test_wheel_carries_data_files(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
                           "-w", str(tmp_path), str(ROOT)],
                          capture_output=True, text=True, check=False, timeout=300)
    assert done.returncode == 0, done.stderr
    wheel = next(tmp_path.glob("maild-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in ("maild/templates/ack.zh.txt.j2", "maild/templates/ack.en.txt.j2",
                   "maild/defaults/rules.toml", "maild/database/migrations/env.py",
                   "maild/database/migrations/versions/0001_initial_schema.py"):
        assert needed in names, needed


def test_upgrade_keeps_data_of_an_older_schema(tmp_path: Path) -> None:
    from sqlalchemy import text

    from maild.database.engine import make_engine

    engine = make_engine(DatabaseSettings(url=f"sqlite:///{tmp_path}/old.db"))
    migrate.upgrade(engine, "0002")
    with engine.begin() as c:
        c.execute(text(
            "INSERT INTO tickets (number, subject, status, priority, category, customer_address,"
            " customer_name, language, created_at, updated_at, first_response_due,"
            " resolution_due) VALUES (1001, 'old', 'open', 'P2', 'data', 'a@b.cn', '', 'zh',"
            " '2026-01-01', '2026-01-01', '2026-01-01', '2026-01-02')"))
    before, after = migrate.upgrade(engine)
    assert (before, after) == ("0002", migrate.HEAD)
    with engine.connect() as c:
        row = c.execute(text("SELECT subject, queue, assignee, incident_id FROM tickets")).one()
    assert tuple(row) == ("old", "", "", None)
    engine.dispose()
