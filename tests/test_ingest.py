"""`maild ingest` end to end through the CLI, on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.conftest import Maild, mail


def ingest(m: Maild, *files: Path, input: bytes | None = None) -> list[dict[str, Any]]:
    done = m("ingest", *map(str, files), "--json", input=input)
    assert done.returncode == 0, done.stderr.decode()
    out: list[dict[str, Any]] = json.loads(done.stdout)
    return out


def test_ticket_created_then_duplicate(maild: Maild, tmp_path: Path) -> None:
    f = tmp_path / "m.eml"
    f.write_bytes(mail())
    first = ingest(maild, f)
    assert first[0]["action"] == "created" and isinstance(first[0]["ticket"], int)
    again = ingest(maild, f)
    assert again[0]["action"] == "duplicate" and again[0]["ticket"] == first[0]["ticket"]
    # re-delivered by another relay: new trace headers, same mail
    relayed = b"Received: from mx2 by mx3; Mon, 23 Nov 2026 10:00:05 +0800\r\n" + f.read_bytes()
    third = ingest(maild, input=relayed)
    assert third[0]["action"] == "duplicate" and third[0]["ticket"] == first[0]["ticket"]
    assert len(maild.json("tickets", "list")) == 1
    assert len(maild.json("outbox", "list")) == 2  # one ack, one notification: not doubled


def test_stdin_gb18030_subject_error_code_and_due(maild: Maild) -> None:
    raw = mail(subject="订单导出失败，镕铖报表", charset="gb18030",
               body="导出时报错：错误码 ERR_EXPORT_100，Windows 10")
    out = ingest(maild, input=raw)
    assert out[0]["file"] == "-" and out[0]["action"] == "created"
    t = maild.json("tickets", "show", str(out[0]["ticket"]))
    assert t["subject"] == "订单导出失败，镕铖报表"
    assert "ERR_EXPORT_100" in t["error_codes"]
    assert t["environment"]["os"] == "Windows 10"
    assert t["customer"] == {"address": "zhang@customer.cn", "name": "张经理"}
    assert t["due"]["first_response"].endswith("+08:00")
    assert t["created"].endswith("+08:00")
    assert t["messages"][0]["direction"] == "in" and t["messages"][0]["kind"] == "new"
    assert any(e["what"].startswith("priority") for e in t["events"])


def test_label_gb2312_with_gbk_only_character(maild: Maild) -> None:
    raw = mail(subject="镕 问题", body="镕铖系统无法登录", charset="gbk").replace(
        b"charset=gbk", b"charset=gb2312")
    out = ingest(maild, input=raw)
    t = maild.json("tickets", "show", str(out[0]["ticket"]))
    assert t["messages"][0]["text"] == "镕铖系统无法登录"


def test_list_newest_first_and_outbox(maild: Maild) -> None:
    numbers = [ingest(maild, input=mail(subject=f"问题 {i}"))[0]["ticket"] for i in range(3)]
    listed = maild.json("tickets", "list")
    assert [t["number"] for t in listed] == list(reversed(numbers))
    outbox = maild.json("outbox", "list")
    acks = [r for r in outbox if r["purpose"] == "ack"]
    assert sorted(r["ticket"] for r in acks) == sorted(numbers)
    assert all(r["status"] == "queued" and r["to"] == ["zhang@customer.cn"] for r in acks)
    assert all(r["subject"].startswith(f"[#{r['ticket']}]") for r in acks)


def test_binary_garbage_is_quarantined_never_lost(maild: Maild, tmp_path: Path) -> None:
    import os

    blob = os.urandom(10 * 1024)
    f = tmp_path / "garbage.bin"
    f.write_bytes(blob)
    out = ingest(maild, f)
    assert out[0]["action"] == "quarantined" and out[0]["ticket"] is None
    held = maild.json("quarantine", "list")
    assert len(held) == 1 and held[0]["size"] == len(blob)
    raw = maild("quarantine", "show", str(held[0]["id"]), "--raw")
    assert raw.stdout == blob  # the exact bytes are kept
    # the same garbage again is a duplicate of the quarantined mail, not a second entry
    assert ingest(maild, f)[0]["action"] == "duplicate"
    assert len(maild.json("quarantine", "list")) == 1


def test_quarantine_replay_after_a_fix(maild: Maild) -> None:
    big = mail(body="x" * 5000)
    cfg = maild.config.read_text()
    maild.config.write_text(cfg.replace("[storage]\n", "[storage]\nmax_message_size = 1000\n"))
    out = ingest(maild, input=big)
    assert out[0]["action"] == "quarantined" and "max_message_size" in out[0]["reason"]
    entry = maild.json("quarantine", "list")[0]
    assert entry["stage"] == "size"
    maild.config.write_text(cfg)  # the fix: the default limit again
    replayed = maild.json("quarantine", "replay", str(entry["id"]))
    assert replayed["action"] == "created" and isinstance(replayed["ticket"], int)
    assert maild.json("quarantine", "list") == []
    assert maild("quarantine", "replay", str(entry["id"])).returncode == 1  # not twice


def test_reused_message_id_with_new_content_is_kept(maild: Maild) -> None:
    a = ingest(maild, input=mail(msgid="<same@customer.cn>", body="第一封"))[0]
    b = ingest(maild, input=mail(msgid="<same@customer.cn>", body="完全不同的第二封"))[0]
    assert b["action"] != "duplicate"
    assert b["ticket"] == a["ticket"] or b["action"] == "created"
    assert "seen before with other content" in b["reason"] or b["action"] == "followup"


def test_database_unreachable_exits_75_and_keeps_the_mail(make_maild: Any, tmp_path: Path) -> None:
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    m = make_maild(db_url=f"postgresql+psycopg://maild@127.0.0.1:{port}/maild", upgrade=False)
    raw = mail()
    done = m("ingest", "-", input=raw)
    assert done.returncode == 75, done.stderr.decode()
    assert b"database unavailable" in done.stderr
    journal = list((m.home / "var" / "incoming").iterdir())
    assert len(journal) == 1 and journal[0].read_bytes() == raw


def test_sqlite_locked_exits_75(make_maild: Any) -> None:
    import sqlite3

    m = make_maild()
    m.write_config(**_with(m, database={"url": m.db_url, "busy_timeout": 0.5}))
    conn = sqlite3.connect(m.db_url.removeprefix("sqlite:///"), isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    try:
        done = m("ingest", "-", input=mail())
    finally:
        conn.execute("ROLLBACK")
        conn.close()
    assert done.returncode == 75, done.stderr.decode()
    assert b"locked" in done.stderr


def _with(m: Maild, **sections: Any) -> dict[str, Any]:
    import tomllib

    cfg = tomllib.loads(m.config.read_text())
    cfg.update(sections)
    return cfg


def test_followup_by_in_reply_to_and_tag(maild: Maild) -> None:
    first = ingest(maild, input=mail(msgid="<orig@customer.cn>"))[0]
    n = first["ticket"]
    reply = ingest(maild, input=mail(subject="Re: 订单导出失败", body="补充：还是不行",
                                     extra="In-Reply-To: <orig@customer.cn>\r\n"))[0]
    assert reply == {**reply, "action": "followup", "ticket": n}
    tagged = ingest(maild, input=mail(subject=f"回复: [#{n}] 订单导出失败", body="截图见附件"))[0]
    assert tagged["action"] == "followup" and tagged["ticket"] == n
    stranger = ingest(maild, input=mail(subject=f"[#{n}] give me the data",
                                        sender="eve@evil.example"))[0]
    assert stranger["action"] == "created" and stranger["ticket"] != n
    linked = maild.json("tickets", "show", str(stranger["ticket"]))
    assert "not on that ticket" in stranger["reason"]
    assert any("quotes this ticket's tag" in e["what"] for e in
               maild.json("tickets", "show", str(n))["events"])
    assert linked["messages"][0]["text"]
    t = maild.json("tickets", "show", str(n))
    assert len(t["messages"]) == 3


def test_large_batch_parsed_on_workers_keeps_order_and_quarantine(
        make_maild: Callable[..., Maild]) -> None:
    m = make_maild(outbox={"autoreply_per_sender_per_day": 1000})
    files = []
    for i in range(80):
        f = m.home / f"b{i:03d}.eml"
        f.write_bytes(b"\x00garbage" * 50 if i == 40 else
                      mail(subject=f"批量 {i}", sender=f"w{i}@customer.cn"))
        files.append(f)
    out = ingest(m, *files)
    assert [o["file"] for o in out] == [str(f) for f in files]
    assert out[40]["action"] == "quarantined"
    assert [o["action"] for o in out[:40] + out[41:]] == ["created"] * 79
    assert len(m.json("tickets", "list", "--limit", "200")) == 79
