"""`maild run` against a real Dovecot and a real SMTP server: every mail appended to the
mailbox becomes one ticket with one acknowledgement and is moved after the commit — also
when the daemon is killed with SIGKILL half-way and started again."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Callable
from typing import Any

from tests.conftest import Maild, SMTPServer, mail
from tests.imap_fixtures import Account


def configure(
    make_maild: Callable[..., Maild],
    account: Account,
    smtp: SMTPServer,
    db_url: str | None = None,
    **box: Any,
) -> Maild:
    s = account.settings()
    mailbox = {
        "name": s.name,
        "host": s.host,
        "port": s.port,
        "security": "none",
        "username": s.username,
        "password": s.password,
        "idle": True,
        "poll_interval": 1.0,
        "processed_folder": "Archive",
        "import_existing": "normal",
        **box,
    }
    return make_maild(
        db_url,
        smtp={"port": smtp.port},
        mailboxes=[mailbox],
        agents={"notify": []},
        outbox={"poll_interval": 0.1, "retry_base": 0.2},
    )


def wait_until(check: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return check()


def stop(proc: subprocess.Popen[bytes]) -> int:
    proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()


def test_appended_mail_is_ticketed_acknowledged_and_moved(
    make_maild: Callable[..., Maild], account: Account, smtp: SMTPServer
) -> None:
    m = configure(make_maild, account, smtp)
    proc = m.popen("run")
    try:
        time.sleep(1.0)
        t0 = time.monotonic()
        account.append(mail(subject="IDLE test", msgid="<idle-1@customer.cn>"))
        if not wait_until(lambda: len(smtp.handler.messages) == 1, 10):
            stop(proc)
            raise AssertionError(proc.stderr.read().decode() if proc.stderr else "")
        latency = time.monotonic() - t0
        account.append(*[mail(subject=f"batch {i}", sender=f"c{i}@customer.cn") for i in range(20)])
        if not wait_until(lambda: len(smtp.handler.messages) == 21, 30):
            stop(proc)
            raise AssertionError(
                (len(smtp.handler.messages), proc.stderr.read().decode() if proc.stderr else "")
            )
        assert wait_until(lambda: account.subjects("INBOX") == [], 10)
    finally:
        assert stop(proc) == 0, proc.stderr.read().decode() if proc.stderr else ""
    assert latency < 10, f"APPEND to acknowledgement took {latency:.2f} s"  # busy CI too
    assert len(m.json("tickets", "list")) == 21
    assert len(account.subjects("Archive")) == 21
    status = m.json("status")
    assert status["outbox"]["sent"] == 21


def test_sigkill_mid_batch_then_restart_loses_and_doubles_nothing(
    make_maild: Callable[..., Maild], account: Account, smtp: SMTPServer
) -> None:
    m = configure(make_maild, account, smtp)
    account.append(*[mail(subject=f"crash {i}", sender=f"k{i}@customer.cn") for i in range(60)])
    proc = m.popen("run")
    wait_until(lambda: len(smtp.handler.messages) >= 5, 20)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    proc = m.popen("run")
    try:
        assert wait_until(
            lambda: len(m.json("tickets", "list")) == 60 and account.subjects("INBOX") == [], 60
        )
        assert wait_until(
            lambda: (
                len({tuple(r) for _, r, _ in smtp.handler.messages}) >= 1
                and m.json("status")["outbox"]["queued"] == 0
            ),
            30,
        )
    finally:
        assert stop(proc) == 0
    tickets = m.json("tickets", "list")
    assert len(tickets) == 60 and len({t["subject"] for t in tickets}) == 60
    acks = [r for r in m.json("outbox", "list", "--all") if r["purpose"] == "ack"]
    assert len(acks) == 60  # one per ticket, never two
    assert len(account.subjects("Archive")) == 60


def test_two_daemons_on_postgresql_share_a_mailbox_exactly_once(
        make_maild: Callable[..., Maild], account: Account, smtp: SMTPServer,
        pg_url: str) -> None:
    m = configure(make_maild, account, smtp, db_url=pg_url)
    account.append(*[mail(subject=f"shared {i}", sender=f"s{i}@customer.cn") for i in range(30)])
    first, second = m.popen("run"), m.popen("run")
    try:
        assert wait_until(lambda: len(smtp.handler.messages) >= 30, 60)
        holder = next(b["fetched_by"] for b in m.json("status")["mailboxes"])
        assert holder, "one daemon holds the mailbox lease"
        # the holder stops cleanly and hands the lease over; the other takes the mailbox
        stopping = first if holder.endswith(f":{first.pid}") else second
        assert stop(stopping) == 0
        account.append(*[mail(subject=f"after {i}", sender=f"a{i}@customer.cn")
                         for i in range(5)])
        assert wait_until(lambda: len(smtp.handler.messages) >= 35, 60)
        time.sleep(1.0)
    finally:
        for proc in (first, second):
            if proc.poll() is None:
                assert stop(proc) == 0
    tickets = m.json("tickets", "list")
    assert len(tickets) == 35 and len({t["subject"] for t in tickets}) == 35
    rcpts = [r for _, rs, _ in smtp.handler.messages for r in rs]
    assert len(rcpts) == 35 and len(set(rcpts)) == 35  # every acknowledgement once


def test_sighup_starts_a_mailbox_added_to_the_config(
        make_maild: Callable[..., Maild], account: Account, smtp: SMTPServer) -> None:
    m = configure(make_maild, account, smtp)
    with_box = m.config.read_text()
    without = with_box[:with_box.index("[[mailboxes]]")]
    m.config.write_text(without)
    proc = m.popen("run")
    try:
        m.wait_ready(proc)
        account.append(mail(subject="before the reload", sender="hup@customer.cn"))
        time.sleep(1.5)
        assert m.json("tickets", "list") == []  # no mailbox configured yet
        m.config.write_text(with_box)
        proc.send_signal(signal.SIGHUP)
        assert wait_until(lambda: len(m.json("tickets", "list")) == 1, 20)
        assert wait_until(lambda: account.subjects("INBOX") == [], 10)
    finally:
        assert stop(proc) == 0
