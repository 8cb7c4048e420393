"""A crash between storing the raw mail and committing its ticket loses and doubles nothing."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import Maild, mail


@contextmanager
def writer_blocked(m: Maild) -> Iterator[None]:
    """Hold the lock the ticket transaction needs, so `ingest` stops right before it."""
    if m.db_url.startswith("sqlite"):
        conn = sqlite3.connect(m.db_url.removeprefix("sqlite:///"), isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            conn.execute("ROLLBACK")
            conn.close()
        return
    import sqlalchemy

    engine = sqlalchemy.create_engine(m.db_url)
    with engine.connect() as conn:
        conn.exec_driver_sql("LOCK TABLE counters IN ACCESS EXCLUSIVE MODE")
        try:
            yield
        finally:
            conn.rollback()
    engine.dispose()


def kill_after_raw_store(m: Maild, f: Path) -> None:
    journal = m.home / "var" / "incoming"
    with writer_blocked(m):
        proc = subprocess.Popen([sys.executable, "-m", "maild", "--config", str(m.config),
                                 "ingest", str(f)], cwd=m.home)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not (journal.is_dir() and any(journal.iterdir())):
            time.sleep(0.02)
        time.sleep(0.3)  # inside the transaction now, waiting for the lock
        assert proc.poll() is None, "ingest finished although the database was locked"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert len(list(journal.iterdir())) == 1, "the raw mail is kept in the journal"


def counts(m: Maild) -> tuple[int, int]:
    tickets = m.json("tickets", "list")
    acks = [r for r in m.json("outbox", "list") if r["purpose"] == "ack"]
    return len(tickets), len(acks)


@pytest.mark.parametrize("order", ["mta-retry-first", "daemon-recovery-first"])
def test_sigkill_between_raw_store_and_commit(make_maild: Callable[..., Maild], db_url: str,
                                              order: str) -> None:
    m = make_maild(db_url)
    f = m.home / "crash.eml"
    f.write_bytes(mail(msgid="<crash@customer.cn>"))
    kill_after_raw_store(m, f)
    assert counts(m) == (0, 0), "nothing was committed"

    def retry() -> str:
        done = m("ingest", str(f), "--json")
        assert done.returncode == 0, done.stderr.decode()
        return str(json.loads(done.stdout)[0]["action"])

    def recover() -> None:
        done = m("run", "--once")
        assert done.returncode == 0, done.stderr.decode()

    if order == "mta-retry-first":
        assert retry() == "created"
        recover()
    else:
        recover()
        assert retry() == "duplicate"
    assert counts(m) == (1, 1)
    assert not any((m.home / "var" / "incoming").iterdir()), "journal cleared after commit"
    assert m.json("quarantine", "list") == []
