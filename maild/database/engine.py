"""Engine and transactions for SQLite (embedded, WAL) and PostgreSQL (psycopg 3).

SQLite: WAL so readers never block the writer, a busy timeout so concurrent writers wait
instead of failing, and BEGIN IMMEDIATE so a transaction takes the write lock up front
(no deadlock upgrading a read lock; "database is locked" surfaces at BEGIN, at the edge).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from maild.errors import StorageUnavailable
from maild.settings import DatabaseSettings

WRITE = "maild_write"


def make_engine(db: DatabaseSettings) -> Engine:
    url = db.url
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": db.busy_timeout})
        _sqlite_events(engine, int(db.busy_timeout * 1000))
        return engine
    return create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": 10})


def _sqlite_events(engine: Engine, busy_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # take transaction control from pysqlite so BEGIN IMMEDIATE and SAVEPOINT work
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")  # a commit that returned survives power loss
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={busy_ms}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # writers take the lock up front; readers (CLI listings) never wait for a writer
        write = conn.get_execution_options().get(WRITE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def sessions(engine: Engine) -> sessionmaker[Session]:
    # no autoflush: the pipeline writes a whole batch in one flush at commit
    return sessionmaker(engine, expire_on_commit=False, autoflush=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work; database trouble that may heal becomes StorageUnavailable."""
    try:
        with factory() as session, session.begin():
            session.connection(execution_options={WRITE: True})
            yield session
    except OperationalError as e:
        raise StorageUnavailable(f"database unavailable: {_short(e)}") from e
    except DBAPIError as e:
        if e.connection_invalidated:
            raise StorageUnavailable(f"database connection lost: {_short(e)}") from e
        raise


def _short(e: DBAPIError) -> str:
    return str(e.orig).strip().splitlines()[0] if e.orig else str(e)
