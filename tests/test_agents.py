"""Agents work tickets from their mail client; nobody else can."""

from __future__ import annotations

import email
import email.policy
import json
from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import Maild, mail


def ingest(m: Maild, raw: bytes) -> dict[str, Any]:
    done = m("ingest", "-", "--json", input=raw)
    assert done.returncode == 0, done.stderr.decode()
    out: dict[str, Any] = json.loads(done.stdout)[0]
    return out


def rows(m: Maild, purpose: str) -> list[dict[str, Any]]:
    return [r for r in m.json("outbox", "list", "--all") if r["purpose"] == purpose]


def body(m: Maild, row: dict[str, Any]) -> tuple[email.message.EmailMessage, str]:
    raw = m("outbox", "show", str(row["id"]), "--raw").stdout
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(msg, email.message.EmailMessage)
    part = msg.get_body(("plain",))
    assert part is not None
    return msg, part.get_content()


@pytest.fixture
def opened(make_maild: Callable[..., Maild]) -> tuple[Maild, int, str]:
    m = make_maild()
    n = ingest(m, mail(subject="订单导出失败", msgid="<cust-1@customer.cn>",
                       body="导出报表时报错 ERR_EXPORT_100"))["ticket"]
    note = rows(m, "notify")[0]
    return m, n, note["message_id"]


def agent_mail(text: str, in_reply_to: str | None, subject: str = "RE: 订单导出失败",
               auth: str = "") -> bytes:
    extra = f"In-Reply-To: {in_reply_to}\r\nReferences: {in_reply_to}\r\n" if in_reply_to else ""
    if auth:
        extra += f"Authentication-Results: mx.example.com; {auth}\r\n"
    return mail(subject=subject, body=text, sender="Alice <alice@example.com>", extra=extra)


def test_agent_reply_with_command_and_quote_is_relayed_once(
        opened: tuple[Maild, int, str]) -> None:
    m, n, note = opened
    reply = ("#status resolved\r\n\r\n您好，已在 3.4.3 中修复，请升级后重试。\r\n\r\n"
             "-----原始邮件-----\r\n发件人: support@example.com\r\n发送时间: 2026年11月23日\r\n"
             "收件人: team@example.com\r\n主题: [#1001] 订单导出失败\r\n\r\n导出报表时报错\r\n")
    out = ingest(m, agent_mail(reply, note, auth="spf=pass dkim=pass dmarc=pass"))
    assert out["action"] == "agent_reply" and out["ticket"] == n
    relays = rows(m, "relay")
    assert len(relays) == 1 and relays[0]["to"] == ["zhang@customer.cn"]
    msg, text = body(m, relays[0])
    assert "已在 3.4.3 中修复" in text
    assert "#status" not in text and "原始邮件" not in text and "导出报表时报错" not in text
    assert "满意" in text  # resolved: the satisfaction question
    assert msg["In-Reply-To"] == "<cust-1@customer.cn>" and f"[#{n}]" in msg["Subject"]
    assert msg["From"].addresses[0].addr_spec == "support@example.com"
    t = m.json("tickets", "show", str(n))
    assert t["status"] == "resolved" and t["first_response_at"] is not None
    assert any(e["actor"] == "alice@example.com" and "resolved" in e["what"] for e in t["events"])
    assert t["messages"][-1]["direction"] == "out"


def test_forged_agent_is_not_an_agent(opened: tuple[Maild, int, str]) -> None:
    m, n, _ = opened
    # no reference to anything we sent, and the receiving server saw SPF fail
    out = ingest(m, agent_mail("#status closed\r\nDone.", None, subject=f"[#{n}] done",
                               auth="spf=fail smtp.mailfrom=alice@example.com"))
    assert out["action"] != "agent_reply"
    assert rows(m, "relay") == []
    t = m.json("tickets", "show", str(n))
    assert t["status"] != "closed"
    # replying to our notification does not help when authentication failed
    note = rows(m, "notify")[0]["message_id"]
    out = ingest(m, agent_mail("#status closed\r\nDone.", note, auth="dmarc=fail"))
    assert out["action"] != "agent_reply" and rows(m, "relay") == []


def test_invalid_command_applies_nothing_and_tells_the_agent(
        opened: tuple[Maild, int, str]) -> None:
    m, n, note = opened
    out = ingest(m, agent_mail("#priority P9\r\n#status resolved\r\nFixed.", note))
    assert out["action"] == "agent_reply" and "rejected" in out["reason"]
    assert rows(m, "relay") == []
    errors = rows(m, "agent_error")
    assert len(errors) == 1 and errors[0]["to"] == ["alice@example.com"]
    assert "P9" in body(m, errors[0])[1]
    assert m.json("tickets", "show", str(n))["status"] == "new"


def test_internal_note_reaches_no_customer(opened: tuple[Maild, int, str]) -> None:
    m, n, note = opened
    out = ingest(m, agent_mail("#note 客户是VIP，优先跟进\r\n#assign bob\r\n#priority P1", note))
    assert out["action"] == "agent_reply"
    assert rows(m, "relay") == []
    t = m.json("tickets", "show", str(n))
    assert t["priority"] == "P1"
    assert any("assigned to bob" in e["what"] for e in t["events"])


def test_customer_not_fixed_reopens_higher_and_rating_is_recorded(
        opened: tuple[Maild, int, str]) -> None:
    m, n, note = opened
    ingest(m, agent_mail("#status resolved\r\n请重试。", note))
    before = m.json("tickets", "show", str(n))["priority"]
    relay = rows(m, "relay")[0]["message_id"]
    out = ingest(m, mail(subject=f"回复: [#{n}] 订单导出失败", body="还是不行，依然报错",
                         extra=f"In-Reply-To: {relay}\r\n"))
    assert out["action"] == "followup" and out["ticket"] == n
    t = m.json("tickets", "show", str(n))
    assert t["status"] == "open"
    order = ["P1", "P2", "P3", "P4"]
    assert order.index(t["priority"]) == max(0, order.index(before) - 1)
    ingest(m, agent_mail("#status resolved\r\n已再次修复。", rows(m, "notify")[-1]["message_id"]))
    out = ingest(m, mail(subject=f"Re: [#{n}]", body="满意",
                         extra=f"In-Reply-To: {rows(m, 'relay')[-1]['message_id']}\r\n"))
    t = m.json("tickets", "show", str(n))
    assert t["status"] == "resolved" and "satisfaction" in out["reason"]


def test_reply_token_threads_without_references_or_tag(opened: tuple[Maild, int, str]) -> None:
    m, n, _ = opened
    ack = next(r for r in rows(m, "ack") if r["ticket"] == n)
    msg, _ = body(m, ack)
    token = msg["Reply-To"].addresses[0].addr_spec
    assert token.startswith(f"support+t{n}.") and token.endswith("@example.com")
    # a new subject, no In-Reply-To, no tag: only the token says where it belongs
    raw = mail(subject="更多信息", body="补充截图").replace(
        b"To: support@example.com", f"To: {token}".encode())
    out = ingest(m, raw)
    assert out["action"] == "followup" and out["ticket"] == n and "reply token" in out["reason"]
    forged = token.replace(f"+t{n}.", f"+t{n + 1}.")
    out = ingest(m, mail(subject="别的问题", body="x").replace(
        b"To: support@example.com", f"To: {forged}".encode()))
    assert out["action"] == "created" and out["ticket"] != n
    stranger = ingest(m, mail(subject="hi", sender="eve@evil.example", body="x").replace(
        b"To: support@example.com", f"To: {token}".encode()))
    assert stranger["action"] == "created" and "not on that ticket" in stranger["reason"]
    colleague = ingest(m, mail(subject=f"Re: [#{n}] 订单导出失败", body="我是同事，也遇到了",
                               sender="li@customer.cn"))
    assert colleague["action"] == "followup" and colleague["ticket"] == n


def test_same_subject_alone_is_a_new_ticket(opened: tuple[Maild, int, str]) -> None:
    m, n, _ = opened
    out = ingest(m, mail(subject="订单导出失败", body="又一次"))
    assert out["action"] == "created" and out["ticket"] != n


def test_category_escalate_and_merge_commands(make_maild: Callable[..., Maild]) -> None:
    m = make_maild(agents={"escalation": "tier2@example.com"})
    a = ingest(m, mail(subject="报表导出的列顺序", msgid="<c-a@customer.cn>",
                       body="请问导出报表时怎么调整列的顺序？"))["ticket"]
    b = ingest(m, mail(subject="报表数据不一致（补充）", msgid="<c-b@customer.cn>"))["ticket"]
    note_a = next(r for r in rows(m, "notify") if r["ticket"] == a)["message_id"]
    note_b = next(r for r in rows(m, "notify") if r["ticket"] == b)["message_id"]
    before = m.json("tickets", "show", str(a))
    assert before["priority"] in ("P3", "P4")
    out = ingest(m, agent_mail("#category data\r\n#escalate\r\n内部升级", note_a))
    assert out["action"] == "agent_reply"
    t = m.json("tickets", "show", str(a))
    assert t["category"] == "data" and any(e["what"] == "escalated" for e in t["events"])
    # escalation raises a P3/P4 ticket to P2 and its due times with it
    assert t["priority"] == "P2"
    assert t["due"]["first_response"] < before["due"]["first_response"]
    assert t["due"]["resolution"] < before["due"]["resolution"]
    assert [r["to"] for r in rows(m, "escalation")] == [["tier2@example.com"]]
    ingest(m, agent_mail(f"#merge {a}", note_b))
    merged = m.json("tickets", "show", str(b))
    assert merged["status"] == "closed" and merged["linked_to"] == a
    assert any(f"#{b} merged into this" in e["what"]
               for e in m.json("tickets", "show", str(a))["events"])


def test_authentication_results_of_another_server_do_not_count(
        make_maild: Callable[..., Maild]) -> None:
    m = make_maild(agents={"require_auth": True, "authserv_id": "mx.example.com"})
    n = ingest(m, mail(subject="需要帮助", msgid="<c-auth@customer.cn>"))["ticket"]
    note = rows(m, "notify")[0]["message_id"]
    # a pass written by someone else's server (or the forger) is not ours
    raw = agent_mail("已处理。", note).replace(
        b"MIME-Version", b"Authentication-Results: evil.example; spf=pass dkim=pass dmarc=pass"
        b"\r\nMIME-Version")
    assert ingest(m, raw)["action"] != "agent_reply"
    ok = agent_mail("已处理。", note, auth="spf=pass dkim=pass dmarc=pass")
    assert ingest(m, ok)["action"] == "agent_reply"
    assert len(rows(m, "relay")) == 1 and m.json("tickets", "show", str(n))["status"] == "open"
