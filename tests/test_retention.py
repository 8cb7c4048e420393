"""Retention: `maild purge` removes the stored mail of tickets finished long ago and keeps the
audit trail; stored mail is readable by maild's user alone.

A year is simulated the only honest way a test can: the ticket's close time and the files'
modification times are set back, as a year of waiting would have left them."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from tests.conftest import Maild, mail
from tests.test_agents import agent_mail, ingest, rows

YEAR_AGO = datetime.now(UTC) - timedelta(days=400)
LOGO = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40  # the same file in two mails


def with_attachment(subject: str, body: str, files: list[tuple[str, bytes]],
                    sender: str = "张经理 <zhang@customer.cn>") -> bytes:
    from email.message import EmailMessage

    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, "support@example.com", subject
    msg["Message-ID"] = f"<{hashlib.sha1(subject.encode()).hexdigest()}@customer.cn>"
    msg["Date"] = "Mon, 23 Nov 2026 10:00:00 +0800"
    msg.set_content(body)
    for name, data in files:
        msg.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    return msg.as_bytes()


def storage(m: Maild) -> Path:
    return m.home / "var"


def age(m: Maild, number: int) -> None:
    """A year passes for ticket `number` and for every stored file."""
    engine = sa.create_engine(m.db_url)
    with engine.begin() as c:
        c.execute(sa.text("UPDATE tickets SET closed_at = :t, resolved_at = :t, "
                          "updated_at = :t WHERE number = :n"), {"t": YEAR_AGO, "n": number})
    engine.dispose()
    old = YEAR_AGO.timestamp()
    for p in storage(m).rglob("*"):
        if p.is_file():
            os.utime(p, (old, old))


def close(m: Maild, number: int) -> None:
    note = next(r for r in rows(m, "notify") if r["ticket"] == number)["message_id"]
    out = ingest(m, agent_mail("#status closed\r\n", note))
    assert out["action"] == "agent_reply"


def raw_path(m: Maild, data: bytes) -> Path:
    sha = hashlib.sha256(data).hexdigest()
    return storage(m) / "raw" / sha[:2] / f"{sha}.eml"


def attachment_path(m: Maild, data: bytes) -> Path:
    sha = hashlib.sha256(data).hexdigest()
    return storage(m) / "attachments" / sha[:2] / sha


def purge(m: Maild, *args: str) -> dict[str, Any]:
    done = m("purge", *args, "--json")
    assert done.returncode == 0, done.stderr.decode()
    out: dict[str, Any] = json.loads(done.stdout)
    return out


def test_purge_removes_old_mail_and_keeps_the_audit_trail(
        make_maild: Callable[..., Maild], db_url: str) -> None:
    m = make_maild(db_url)
    own = b"%PDF-1.4 only in the old ticket" * 50
    old_mail = with_attachment("导出失败", "导出时报错 ERR_EXPORT_100，电话 13812345678",
                               [("logo.png", LOGO), ("report.pdf", own)])
    new_mail = with_attachment("登录报错", "登录时报错 ERR_LOGIN_7",
                               [("logo.png", LOGO)], sender="li@other.cn")
    old = ingest(m, old_mail)["ticket"]
    new = ingest(m, new_mail)["ticket"]
    close(m, old)
    age(m, old)

    dry = purge(m, "--older-than", "365d", "--dry-run")
    assert dry["numbers"] == [old] and dry["dry_run"] and dry["raw_files"] >= 1
    assert raw_path(m, old_mail).exists() and attachment_path(m, own).exists()

    done = purge(m, "--older-than", "365d")
    assert done["numbers"] == [old] and done["attachment_files"] == 1 and done["bytes"] > 0
    # the old ticket's own files are gone; the logo the open ticket also has stays
    assert not raw_path(m, old_mail).exists()
    assert not attachment_path(m, own).exists()
    assert attachment_path(m, LOGO).read_bytes() == LOGO
    assert raw_path(m, new_mail).exists()

    shown = m.json("tickets", "show", str(old))
    assert shown["purged"] and shown["status"] == "closed" and shown["priority"]
    assert all(msg["text"] == "" for msg in shown["messages"])
    assert "ERR_EXPORT_100" in shown["error_codes"]  # facts for the report stay
    assert not any(f["kind"] == "phone" for f in shown["facts"])
    whats = [e["what"] for e in shown["events"]]
    assert "purged" in whats and any("closed" in w for w in whats), whats
    acks = [r for r in rows(m, "ack") if r["ticket"] == old]
    assert acks and m("outbox", "show", str(acks[0]["id"]), "--raw").stdout == b""

    kept = m.json("tickets", "show", str(new))
    assert kept["purged"] is None and "ERR_LOGIN_7" in kept["messages"][0]["text"]
    # a second run finds nothing more to do
    assert purge(m, "--older-than", "365d")["numbers"] == []


def test_a_reply_to_a_purged_ticket_opens_a_new_linked_one(
        make_maild: Callable[..., Maild]) -> None:
    m = make_maild()
    first = mail(subject="旧问题", body="旧内容", msgid="<old-1@customer.cn>")
    n = ingest(m, first)["ticket"]
    engine = sa.create_engine(m.db_url)
    with engine.begin() as c:  # resolved, not closed: an ordinary reply would reopen it
        c.execute(sa.text("UPDATE tickets SET status = 'resolved' WHERE number = :n"), {"n": n})
    engine.dispose()
    age(m, n)
    assert purge(m, "--older-than", "365d")["numbers"] == [n]
    reply = mail(subject=f"Re: [#{n}] 旧问题", body="又出现了",
                 extra="In-Reply-To: <old-1@customer.cn>\r\n")
    out = ingest(m, reply)
    assert out["action"] == "created" and out["ticket"] != n
    assert m.json("tickets", "show", str(out["ticket"]))["linked_to"] == n
    assert purge(m, "--older-than", "365d")["numbers"] == []


def test_a_file_stored_again_within_the_hour_waits_for_a_later_run(
        make_maild: Callable[..., Maild]) -> None:
    m = make_maild()
    data = with_attachment("附件", "见附件", [("x.bin", b"shared" * 300)])
    n = ingest(m, data)["ticket"]
    close(m, n)
    age(m, n)
    os.utime(raw_path(m, data))  # as if the same bytes had just been stored again
    spared = purge(m, "--older-than", "365d")
    assert spared["numbers"] == [] and raw_path(m, data).exists()
    assert m.json("tickets", "show", str(n))["purged"] is None
    age(m, n)
    assert purge(m, "--older-than", "365d")["numbers"] == [n]
    assert not raw_path(m, data).exists()


def test_purge_pages_through_many_tickets(make_maild: Callable[..., Maild]) -> None:
    m = make_maild(outbox={"autoreply_per_sender_per_day": 1000})
    paths = []
    for i in range(230):  # more than one chunk of 200
        p = m.home / f"m{i}.eml"
        p.write_bytes(mail(subject=f"问题 {i}", sender=f"c{i}@customer.cn"))
        paths.append(str(p))
    assert m("ingest", *paths, timeout=300).returncode == 0
    engine = sa.create_engine(m.db_url)
    with engine.begin() as c:  # a year ago every one of them was closed
        c.execute(sa.text("UPDATE tickets SET status = 'closed', closed_at = :t, "
                          "updated_at = :t"), {"t": YEAR_AGO})
    engine.dispose()
    age(m, 1001)  # and every stored file is a year old
    done = purge(m, "--older-than", "365d")
    assert len(done["numbers"]) == 230 and done["raw_files"] == 230
    assert not list((storage(m) / "raw").rglob("*.eml"))


def test_open_and_recent_tickets_are_never_purged(make_maild: Callable[..., Maild]) -> None:
    m = make_maild()
    open_old = ingest(m, mail(subject="旧的未关闭", body="还没解决"))["ticket"]
    recent = ingest(m, mail(subject="刚关闭", body="已经好了"))["ticket"]
    age(m, open_old)  # old, but still open
    engine = sa.create_engine(m.db_url)
    with engine.begin() as c:
        c.execute(sa.text("UPDATE tickets SET status = 'open' WHERE number = :n"),
                  {"n": open_old})
    engine.dispose()
    close(m, recent)
    assert purge(m, "--older-than", "365d")["numbers"] == []
    assert purge(m, "--older-than", "1d")["numbers"] == []


def test_retention_setting_is_the_default_and_bad_ages_are_refused(
        make_maild: Callable[..., Maild]) -> None:
    m = make_maild()
    done = m("purge")
    assert done.returncode == 1 and b"--older-than" in done.stderr
    bad = m("purge", "--older-than", "a year")
    assert bad.returncode == 1 and b"bad duration" in bad.stderr
    broken = make_maild(upgrade=False, storage={"retention": "forever"})
    assert broken("check-config").returncode == 2
    m2 = make_maild(storage={"retention": "365d"})
    n = ingest(m2, mail(subject="很久以前", body="x"))["ticket"]
    close(m2, n)
    age(m2, n)
    assert purge(m2)["numbers"] == [n]


def test_daemon_purges_by_the_retention_setting(make_maild: Callable[..., Maild]) -> None:
    m = make_maild(storage={"retention": "365d"}, smtp={"port": 9})
    data = mail(subject="旧工单", body="旧内容")
    n = ingest(m, data)["ticket"]
    close(m, n)
    age(m, n)
    run = m("run", "--once", timeout=60)
    assert run.returncode == 0, run.stderr.decode()
    assert not raw_path(m, data).exists()
    assert m.json("tickets", "show", str(n))["purged"]


def test_stored_mail_is_private_to_maild(make_maild: Callable[..., Maild]) -> None:
    previous = os.umask(0o022)  # a permissive umask: maild must not rely on the caller's
    try:
        check_private(make_maild)
    finally:
        os.umask(previous)


def check_private(make_maild: Callable[..., Maild]) -> None:
    m = make_maild()
    ingest(m, with_attachment("附件", "见附件", [("a.bin", b"secret" * 100)]))
    ingest(m, b"\x00" * 64)  # quarantined: kept raw all the same
    m2 = make_maild(smtp={"port": 9})
    assert m2("run", "--once", timeout=60).returncode == 0  # the daemon's run/ directory
    found = 0
    for p in [storage(m), *storage(m).rglob("*"), storage(m2), *storage(m2).rglob("*")]:
        mode = stat.S_IMODE(p.lstat().st_mode)
        if p.is_dir():
            assert mode == 0o700, f"{p}: {oct(mode)}"
        elif p.is_file():
            assert mode == 0o600, f"{p}: {oct(mode)}"
            found += 1
    assert found >= 3
