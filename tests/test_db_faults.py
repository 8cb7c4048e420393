"""The database goes away while mail keeps coming: PostgreSQL restarted under load, SQLite
locked by another writer while `maild run` and `maild ingest` both work. Retried at the edge
(the daemon waits and tries again; `maild ingest` exits 75 and the MTA delivers again), and
in the end every mail is on exactly one ticket with exactly one acknowledgement."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy

from tests.conftest import Maild, PgCluster, SMTPServer, mail
from tests.imap_fixtures import Account
from tests.test_daemon_imap import stop, wait_until


def configure(make_maild: Callable[..., Maild], account: Account, smtp: SMTPServer,
              db_url: str | None = None, **database: Any) -> Maild:
    s = account.settings()
    box = {"name": s.name, "host": s.host, "port": s.port, "security": "none",
           "username": s.username, "password": s.password, "idle": True, "poll_interval": 1.0,
           "processed_folder": "Archive", "import_existing": "normal"}
    extra = {"database": {"url": db_url, **database}} if db_url else \
        {"database": database} if database else {}
    return make_maild(db_url, smtp={"port": smtp.port}, mailboxes=[box],
                      agents={"notify": []},
                      outbox={"poll_interval": 0.1, "retry_base": 0.2}, **extra)


def deliver(m: Maild, raw: bytes, codes: Counter[int]) -> None:
    """As an MTA pipes a mail: exit 75 means "try again later"."""
    for _ in range(240):
        done = m("ingest", "-", input=raw)
        codes[done.returncode] += 1
        if done.returncode == 0:
            return
        assert done.returncode == 75, done.stderr.decode()
        time.sleep(0.5)
    raise AssertionError("mail never accepted")


def feed(m: Maild, account: Account, n: int, codes: Counter[int]) -> threading.Thread:
    """n mails by IMAP APPEND and n by pipe, interleaved, in the background."""
    def run() -> None:
        for i in range(n):
            account.append(mail(subject=f"imap {i}", sender=f"i{i}@customer.cn"))
            deliver(m, mail(subject=f"pipe {i}", sender=f"p{i}@customer.cn"), codes)
            time.sleep(0.1)

    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t


def count_tickets(url: str) -> int:
    engine = sqlalchemy.create_engine(url)
    try:
        with engine.connect() as c:
            return int(c.exec_driver_sql("SELECT count(*) FROM tickets").scalar_one())
    except sqlalchemy.exc.OperationalError:
        return -1
    finally:
        engine.dispose()


def all_sent(url: str, total: int) -> bool:
    engine = sqlalchemy.create_engine(url)
    try:
        with engine.connect() as c:
            return int(c.exec_driver_sql(
                "SELECT count(*) FROM outbox WHERE status = 'sent'").scalar_one()) == total
    except sqlalchemy.exc.OperationalError:
        return False
    finally:
        engine.dispose()


def settled(m: Maild, account: Account, smtp: SMTPServer, total: int) -> bool:
    """Every mail ticketed, every acknowledgement recorded as sent (not only received by
    the SMTP server: a stop right after its 250 would leave the row "sending")."""
    return (count_tickets(m.db_url) == total and all_sent(m.db_url, total)
            and account.subjects("INBOX") == [])


def check_exactly_once(m: Maild, smtp: SMTPServer, total: int) -> None:
    subjects = Counter(t["subject"] for t in m.json("tickets", "list"))
    assert len(subjects) == total and max(subjects.values()) == 1, subjects.most_common(3)
    acked = Counter(r for _, rcpts, _ in smtp.handler.messages for r in rcpts)
    assert len(acked) == total and max(acked.values()) == 1, acked.most_common(3)
    rows = m.json("outbox", "list", "--all")
    assert Counter(r["status"] for r in rows) == {"sent": total}


@pytest.fixture
def cluster() -> Iterator[PgCluster]:
    c = PgCluster()
    try:
        yield c
    finally:
        c.destroy()


def test_postgresql_restarted_under_load(make_maild: Callable[..., Maild], account: Account,
                                         smtp: SMTPServer, cluster: PgCluster) -> None:
    admin = sqlalchemy.create_engine(f"{cluster.url}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.exec_driver_sql("CREATE DATABASE maild")
    admin.dispose()
    m = configure(make_maild, account, smtp, f"{cluster.url}/maild")
    n, codes = 12, Counter[int]()
    proc = m.popen("run")
    try:
        feeder = feed(m, account, n, codes)
        assert wait_until(lambda: count_tickets(m.db_url) >= 4, 60)
        cluster.stop()  # fast shutdown: every connection is cut mid-work
        time.sleep(4)
        cluster.start()
        feeder.join(180)
        assert not feeder.is_alive()
        assert wait_until(lambda: settled(m, account, smtp, 2 * n), 120), \
            (count_tickets(m.db_url), len(smtp.handler.messages))
        assert proc.poll() is None, "the daemon must ride out the outage"
    finally:
        code = stop(proc)
        log = proc.stderr.read().decode() if proc.stderr else ""
    assert code == 0, log
    check_exactly_once(m, smtp, 2 * n)
    assert "unavailable" in log or "connection" in log, log[-2000:]


def test_sqlite_locked_while_run_and_ingest_work(make_maild: Callable[..., Maild],
                                                 account: Account, smtp: SMTPServer) -> None:
    m = configure(make_maild, account, smtp, busy_timeout=1.0)
    n, codes = 10, Counter[int]()
    proc = m.popen("run")
    try:
        feeder = feed(m, account, n, codes)
        assert wait_until(lambda: count_tickets(m.db_url) >= 4, 60)
        # another writer (a backup, an admin's sqlite3 shell) holds the write lock for 5 s
        blocker = sqlite3.connect(m.db_url.removeprefix("sqlite:///"), isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")
        held = time.monotonic()
        # held until a pipe delivery met it (and at least 5 s), however slow the machine
        wait_until(lambda: codes[75] >= 1 and time.monotonic() - held > 5, 120)
        blocker.execute("ROLLBACK")
        blocker.close()
        feeder.join(180)
        assert not feeder.is_alive()
        assert wait_until(lambda: settled(m, account, smtp, 2 * n), 120), \
            (count_tickets(m.db_url), len(smtp.handler.messages))
        assert proc.poll() is None
    finally:
        code = stop(proc)
        log = proc.stderr.read().decode() if proc.stderr else ""
    assert code == 0, log
    check_exactly_once(m, smtp, 2 * n)
    assert codes[75] >= 1, f"no delivery met the lock: {codes}"
