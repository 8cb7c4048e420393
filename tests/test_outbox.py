"""Acknowledgements through a real SMTP server with `maild run`: exactly once, never in a loop."""

from __future__ import annotations

import email
import email.policy
import json
import signal
import subprocess
import time
from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import Maild, SMTPServer, mail


def daemon(m: Maild) -> subprocess.Popen[bytes]:
    return m.popen("run")


def stop(proc: subprocess.Popen[bytes]) -> int:
    proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()


def ingest(m: Maild, raw: bytes) -> dict[str, Any]:
    done = m("ingest", "-", "--json", input=raw)
    assert done.returncode == 0, done.stderr.decode()
    out: dict[str, Any] = json.loads(done.stdout)[0]
    return out


@pytest.fixture
def ready(make_maild: Callable[..., Maild], db_url: str, smtp: SMTPServer) -> Maild:
    return make_maild(db_url, smtp={"port": smtp.port},
                      outbox={"poll_interval": 0.1, "retry_base": 0.2})


def test_one_ack_each_despite_two_421s(ready: Maild, smtp: SMTPServer) -> None:
    smtp.handler.fail_data = ["421 4.3.2 Service not available, try again later"] * 2
    zh = ingest(ready, mail(subject="订单导出失败", msgid="<zh1@customer.cn>"))
    en = ingest(ready, mail(subject="Export fails", body="Export fails with ERR_EXPORT_100.",
                            sender="Dana <dana@customer.com>", msgid="<en1@customer.com>"))
    proc = daemon(ready)
    try:
        smtp.wait_for(4, timeout=20)
        time.sleep(1.0)  # nothing more may arrive
    finally:
        assert stop(proc) == 0
    got = smtp.handler.messages
    assert smtp.handler.data_calls == 6
    acks = [m for m in got if "team@example.com" not in m[1]]
    notes = [m for m in got if m[1] == ["team@example.com"]]
    assert sorted(r for m in acks for r in m[1]) == ["dana@customer.com", "zhang@customer.cn"]
    assert len(notes) == 2
    for sender, rcpts, data in acks:
        msg = email.message_from_bytes(data, policy=email.policy.default)
        number = zh["ticket"] if rcpts == ["zhang@customer.cn"] else en["ticket"]
        assert sender == "support@example.com"
        assert msg["Subject"].startswith(f"[#{number}]")
        assert msg["Auto-Submitted"] == "auto-replied"
        assert msg["In-Reply-To"] == ("<zh1@customer.cn>" if number == zh["ticket"]
                                      else "<en1@customer.com>")
        body = msg.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        assert str(number) in body
        if number == zh["ticket"]:
            assert "工单号" in body and "前" in body
        else:
            assert "ticket" in body and not any("\u4e00" <= c <= "\u9fff" for c in body)
    rows = ready.json("outbox", "list", "--all")
    assert all(r["status"] == "sent" for r in rows)


def test_550_recipient_is_a_failed_visible_row(ready: Maild, smtp: SMTPServer) -> None:
    smtp.handler.reject = {"ghost@customer.cn"}
    ingest(ready, mail(sender="ghost@customer.cn"))
    proc = daemon(ready)
    try:
        smtp.wait_for(1, timeout=10)  # the notification still goes out
        deadline = time.monotonic() + 10
        failed: list[dict[str, Any]] = []
        while time.monotonic() < deadline and not failed:
            failed = ready.json("outbox", "list", "--status", "failed")
            time.sleep(0.2)
    finally:
        assert stop(proc) == 0
    assert len(failed) == 1 and failed[0]["to"] == ["ghost@customer.cn"]
    assert "550" in failed[0]["last_error"] and failed[0]["attempts"] == 1


def test_pause_stops_sending_but_not_intake(ready: Maild, smtp: SMTPServer) -> None:
    assert ready("outbox", "pause").returncode == 0
    ingest(ready, mail())
    proc = daemon(ready)
    try:
        time.sleep(1.5)
        assert smtp.handler.messages == []
        assert ready("outbox", "resume").returncode == 0
        assert len(smtp.wait_for(2, timeout=10)) == 2
    finally:
        assert stop(proc) == 0


LOOPERS = {
    "out of office": mail(subject="自动回复: 休假中", extra="Auto-Submitted: auto-replied\r\n"),
    "list": mail(subject="Weekly digest", extra="List-Id: <news.customer.cn>\r\n"
                 "Precedence: list\r\n"),
    "noreply": mail(sender="no-reply@customer.cn", subject="Your invoice"),
    "own address": mail(sender="Example Support <support@example.com>", subject="loop"),
    "dsn": (b"From: MAILER-DAEMON@mx.customer.cn\r\nTo: support@example.com\r\n"
            b"Subject: Undelivered Mail Returned to Sender\r\nMessage-ID: <dsn1@mx>\r\n"
            b"Content-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n"
            b"--b\r\nContent-Type: text/plain\r\n\r\nI'm sorry to have to inform you...\r\n"
            b"--b\r\nContent-Type: message/delivery-status\r\n\r\nStatus: 5.1.1\r\n--b--\r\n"),
}


@pytest.mark.parametrize("name", sorted(LOOPERS))
def test_machine_mail_gets_no_reply(make_maild: Callable[..., Maild], name: str) -> None:
    m = make_maild()
    out = ingest(m, LOOPERS[name])
    acks = [r for r in m.json("outbox", "list") if r["purpose"] == "ack"]
    assert acks == [], f"{name}: {out}"
    assert out["action"] in ("created", "suppressed")


def test_daily_cap_per_sender(make_maild: Callable[..., Maild]) -> None:
    m = make_maild(outbox={"autoreply_per_sender_per_day": 10})
    files = []
    for i in range(15):
        f = m.home / f"m{i}.eml"
        f.write_bytes(mail(subject=f"问题 {i}"))
        files.append(str(f))
    done = m("ingest", *files, "--json")
    assert done.returncode == 0
    assert all(o["action"] == "created" for o in json.loads(done.stdout))
    acks = [r for r in m.json("outbox", "list") if r["purpose"] == "ack"]
    assert len(acks) == 10


def test_encoded_crlf_in_subject_adds_no_recipient(make_maild: Callable[..., Maild]) -> None:
    m = make_maild()
    raw = (b"From: a@customer.cn\r\nTo: support@example.com\r\nMessage-ID: <inj@customer.cn>\r\n"
           b"Subject: =?utf-8?q?hello=0D=0ABcc=3A_victim=40evil.example?=\r\n\r\nhi\r\n")
    ingest(m, raw)
    acks = [r for r in m.json("outbox", "list") if r["purpose"] == "ack"]
    assert len(acks) == 1 and acks[0]["to"] == ["a@customer.cn"]
    assert "\n" not in acks[0]["subject"] and "\r" not in acks[0]["subject"]


def test_flooding_sender_is_suspended_and_gathered_onto_one_ticket(
        make_maild: Callable[..., Maild]) -> None:
    m = make_maild(outbox={"autoreply_per_sender_per_day": 100, "flood_limit": 5})
    files = []
    for i in range(8):
        f = m.home / f"f{i}.eml"
        f.write_bytes(mail(subject=f"flood {i}"))
        files.append(str(f))
    done = m("ingest", *files, "--json")
    out = json.loads(done.stdout)
    # five acknowledged, the sixth opens a ticket and suspends the sender, the rest of the
    # flood is recorded on that ticket: nothing lost, no ticket or notification per mail
    assert [o["action"] for o in out] == ["created"] * 6 + ["followup"] * 2
    sixth = out[5]["ticket"]
    assert {o["ticket"] for o in out[6:]} == {sixth}
    assert all("flooding" in o["reason"] for o in out[6:])
    rows = m.json("outbox", "list")
    assert len([r for r in rows if r["purpose"] == "ack"]) == 5
    assert len([r for r in rows if r["purpose"] == "notify"]) == 6
    later = ingest(m, mail(subject="flood again"))
    assert later["action"] == "followup" and later["ticket"] == sixth
    t = m.json("tickets", "show", str(sixth))
    assert any("suspended" in e["why"] for e in t["events"])
    assert len(t["messages"]) == 4
    other = ingest(m, mail(subject="正常的问题", sender="li@other.cn"))
    assert other["action"] == "created", "other senders are not affected"


def test_flood_gathering_can_be_switched_off(make_maild: Callable[..., Maild]) -> None:
    m = make_maild(outbox={"flood_limit": 2, "flood_gather": False})
    out = [ingest(m, mail(subject=f"flood {i}")) for i in range(4)]
    assert [o["action"] for o in out] == ["created"] * 4
    assert "not acknowledged" in out[3]["reason"]


def test_last_automatic_reply_of_the_day_says_so(make_maild: Callable[..., Maild]) -> None:
    m = make_maild(outbox={"autoreply_per_sender_per_day": 2})
    for i in range(3):
        ingest(m, mail(subject=f"问题 {i}"))
    acks = sorted((r for r in m.json("outbox", "list") if r["purpose"] == "ack"),
                  key=lambda r: r["id"])
    assert len(acks) == 2
    texts = []
    for row in acks:
        raw = m("outbox", "show", str(row["id"]), "--raw").stdout
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        texts.append(msg.get_body(("plain",)).get_content())  # type: ignore[union-attr]
    assert "最后一封自动回复" not in texts[0] and "最后一封自动回复" in texts[1]


def test_hourly_budget_brakes_sending(make_maild: Callable[..., Maild], smtp: SMTPServer) -> None:
    m = make_maild(smtp={"port": smtp.port}, agents={"notify": []},
                   outbox={"poll_interval": 0.1, "max_per_hour": 2})
    for i in range(4):
        ingest(m, mail(subject=f"budget {i}", sender=f"b{i}@customer.cn"))
    proc = daemon(m)
    try:
        smtp.wait_for(2, timeout=10)
        time.sleep(1.5)
    finally:
        assert stop(proc) == 0
    assert len(smtp.handler.messages) == 2
    assert len([r for r in m.json("outbox", "list") if r["status"] == "queued"]) == 2


def test_bounce_of_our_acknowledgement_is_recorded_not_answered(
        make_maild: Callable[..., Maild]) -> None:
    m = make_maild()
    n = ingest(m, mail(sender="ghost@customer.cn"))["ticket"]
    ack = next(r for r in m.json("outbox", "list") if r["purpose"] == "ack")
    dsn = (b"From: Mail Delivery System <MAILER-DAEMON@mx.example.com>\r\n"
           b"To: support@example.com\r\nSubject: Undelivered Mail Returned to Sender\r\n"
           b"Message-ID: <dsn-77@mx.example.com>\r\nMIME-Version: 1.0\r\n"
           b"Content-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n"
           b"--b\r\nContent-Type: text/plain\r\n\r\nI'm sorry to have to inform you...\r\n"
           b"--b\r\nContent-Type: message/delivery-status\r\n\r\n"
           b"Reporting-MTA: dns; mx.example.com\r\n\r\nFinal-Recipient: rfc822; ghost@customer.cn"
           b"\r\nAction: failed\r\nStatus: 5.1.1\r\n"
           b"Diagnostic-Code: smtp; 550 5.1.1 User unknown\r\n"
           b"--b\r\nContent-Type: text/rfc822-headers\r\n\r\n"
           b"From: support@example.com\r\nMessage-ID: " + ack["message_id"].encode() +
           b"\r\nSubject: x\r\n--b--\r\n")
    out = ingest(m, dsn)
    assert out["ticket"] == n and "delivery failure" in out["reason"]
    row = next(r for r in m.json("outbox", "list", "--all") if r["id"] == ack["id"])
    assert row["status"] == "failed" and "5.1.1" in row["last_error"]
    assert len([r for r in m.json("outbox", "list", "--all") if r["purpose"] == "ack"]) == 1


def test_connection_dropped_mid_data_is_retried_once(ready: Maild, smtp: SMTPServer) -> None:
    smtp.handler.drop_data = 1
    ingest(ready, mail(sender="drop@customer.cn", subject="dropped"))
    proc = daemon(ready)
    try:
        smtp.wait_for(2, timeout=20)
        time.sleep(1.0)
    finally:
        assert stop(proc) == 0
    acks = [m for m in smtp.handler.messages if m[1] == ["drop@customer.cn"]]
    assert len(acks) == 1
    assert all(r["status"] == "sent" for r in ready.json("outbox", "list", "--all"))


def test_kill_9_mid_send_then_restart_sends_once(make_maild: Callable[..., Maild],
                                                 smtp: SMTPServer) -> None:
    m = make_maild(smtp={"port": smtp.port}, agents={"notify": []},
                   outbox={"poll_interval": 0.1, "retry_base": 0.2, "stale_after": "1s"})
    smtp.handler.slow_data = 3.0
    ingest(m, mail(sender="slow@customer.cn", subject="slow server"))
    proc = daemon(m)
    deadline = time.monotonic() + 15
    while smtp.handler.data_calls == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert smtp.handler.data_calls == 1  # the daemon is inside DATA now
    proc.kill()
    proc.wait()
    assert [r["status"] for r in m.json("outbox", "list")] == ["sending"]  # visible, not lost
    smtp.handler.slow_data = 0.0
    proc = daemon(m)
    try:
        smtp.wait_for(1, timeout=20)
        time.sleep(1.0)
    finally:
        assert stop(proc) == 0
    assert len(smtp.handler.messages) == 1
    assert [r["status"] for r in m.json("outbox", "list", "--all")] == ["sent"]


def test_kill_9_mid_batch_resends_nothing_already_answered(make_maild: Callable[..., Maild],
                                                           smtp: SMTPServer) -> None:
    m = make_maild(smtp={"port": smtp.port}, agents={"notify": []},
                   outbox={"poll_interval": 0.1, "retry_base": 0.2, "stale_after": "1s"})
    for i in range(6):
        ingest(m, mail(subject=f"batch {i}", sender=f"k{i}@customer.cn"))
    smtp.handler.slow_data = 0.6
    proc = daemon(m)
    smtp.wait_for(3, timeout=20)
    # past the third answer's recording, inside the fourth (slow) DATA: killing right as
    # the server queues a mail is the one documented window, not what this test is about
    time.sleep(0.25)
    proc.kill()
    proc.wait()
    smtp.handler.slow_data = 0.0
    proc = daemon(m)
    try:
        smtp.wait_for(6, timeout=20)
        time.sleep(2.0)  # past stale_after: anything wrongly left 'sending' would go again
    finally:
        assert stop(proc) == 0
    rcpts = [r for _, rs, _ in smtp.handler.messages for r in rs]
    assert sorted(rcpts) == sorted(f"k{i}@customer.cn" for i in range(6))  # once each


def test_ingest_wakes_the_daemon_on_this_host(make_maild: Callable[..., Maild],
                                              smtp: SMTPServer) -> None:
    m = make_maild(smtp={"port": smtp.port}, agents={"notify": []},
                   outbox={"poll_interval": 30.0})
    proc = daemon(m)
    try:
        deadline = time.monotonic() + 10
        while not (m.home / "var" / "run" / "wake.sock").exists() \
                and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)
        t0 = time.monotonic()
        ingest(m, mail(sender="fast@customer.cn"))
        assert len(smtp.wait_for(1, timeout=10)) == 1
        elapsed = time.monotonic() - t0
    finally:
        assert stop(proc) == 0
    assert elapsed < 5, f"{elapsed:.1f} s: the daemon waited for its 30 s poll"
