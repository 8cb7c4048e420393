"""Triage seen from outside: batch incidents, the acknowledgement's content, the queue."""

from __future__ import annotations

import email
import email.policy
import json
from collections.abc import Callable
from typing import Any

from tests.conftest import Maild, mail


def ingest(m: Maild, raw: bytes) -> dict[str, Any]:
    done = m("ingest", "-", "--json", input=raw)
    assert done.returncode == 0, done.stderr.decode()
    out: dict[str, Any] = json.loads(done.stdout)[0]
    return out


def test_three_customers_same_code_form_one_incident(make_maild: Callable[..., Maild],
                                                     db_url: str) -> None:
    m = make_maild(db_url)
    numbers = [ingest(m, mail(subject=f"导出问题 {i}", sender=f"c{i}@customer{i}.cn",
                              body="导出时报错 ERR_REPORT_777，请帮忙看看"))["ticket"]
               for i in range(4)]
    shown = [m.json("tickets", "show", str(n)) for n in numbers]
    assert shown[0]["incident"] is None or shown[0]["incident"]["tickets"]
    incident = shown[2]["incident"]
    assert incident is not None and incident["key"] == "ERR_REPORT_777"
    assert sorted(incident["tickets"]) == sorted(numbers)  # the fourth joined it too
    assert all(t["priority"] in ("P1", "P2") for t in shown)
    assert any(e["what"].startswith("batch incident") for e in shown[0]["events"])
    announcements = [r for r in m.json("outbox", "list") if r["purpose"] == "incident"]
    assert len(announcements) == 1  # the team hears of it once
    ack4 = next(r for r in m.json("outbox", "list", "--all")
                if r["purpose"] == "ack" and r["ticket"] == numbers[3])
    assert ack4["to"] == ["c3@customer3.cn"]


def test_one_customer_three_times_is_no_incident(make_maild: Callable[..., Maild]) -> None:
    m = make_maild()
    numbers = [ingest(m, mail(subject=f"问题 {i}", body="报错 ERR_REPORT_778"))["ticket"]
               for i in range(3)]
    assert all(m.json("tickets", "show", str(n))["incident"] is None for n in numbers)


def _ack_text(m: Maild, number: int) -> tuple[str, str]:
    row = next(r for r in m.json("outbox", "list") if r["purpose"] == "ack"
               and r["ticket"] == number)
    raw = m("outbox", "show", str(row["id"]), "--raw").stdout
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    plain = msg.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = msg.get_body(("html",)).get_content()  # type: ignore[union-attr]
    return plain, html


def test_acknowledgement_repeats_facts_asks_for_missing_and_links_knowledge(
        make_maild: Callable[..., Maild]) -> None:
    m = make_maild(knowledge=[{"codes": ["ERR_EXPORT_100"], "title": "Export fails",
                               "url": "https://kb.example.com/export-100"}])
    body = "导出订单报表时报错 ERR_EXPORT_100，<script>alert(1)</script>"
    n = ingest(m, mail(body=body))["ticket"]
    plain, html = _ack_text(m, n)
    assert f"#{n}" in plain and "ERR_EXPORT_100" in plain
    assert "https://kb.example.com/export-100" in plain
    assert "请补充" in plain  # environment and time are missing: asked for
    assert "<script>" not in html  # customer text never becomes markup
    assert "kb.example.com/export-100" in html


def test_template_override_and_broken_override(make_maild: Callable[..., Maild]) -> None:
    m = make_maild()
    folder = m.home / "tpl"
    folder.mkdir()
    (folder / "ack.en.txt.j2").write_text("Custom ack for #{{ ticket }} {{ 7 * 6 }}\n")
    cfg = m.config.read_text().replace("[support]\n", f'[support]\ntemplates = "{folder}"\n')
    m.config.write_text(cfg)
    n = ingest(m, mail(subject="Export broken", body="The export is broken.",
                       sender="dana@customer.com"))["ticket"]
    plain, _ = _ack_text(m, n)
    assert plain.startswith(f"Custom ack for #{n} 42")
    (folder / "ack.en.txt.j2").write_text("{% if %}broken\n")
    done = m("check-config")
    assert done.returncode == 2 and b"ack.en.txt.j2" in done.stderr
    assert m("ingest", "-", input=mail()).returncode == 2


def test_customer_jinja_in_subject_is_data(make_maild: Callable[..., Maild]) -> None:
    m = make_maild()
    n = ingest(m, mail(subject="{{ 7*7 }} {% for x in range(3) %}boom{% endfor %}",
                       body="{{ config }}"))["ticket"]
    row = next(r for r in m.json("outbox", "list") if r["ticket"] == n and r["purpose"] == "ack")
    assert "{{ 7*7 }}" in row["subject"] and "49" not in row["subject"]


def test_report_figures_match_the_tickets(make_maild: Callable[..., Maild]) -> None:
    m = make_maild(knowledge=[{"codes": ["ERR_KNOWN_*"], "title": "Known", "url": "https://kb"}])
    for i in range(3):
        ingest(m, mail(subject=f"报表 {i}", sender=f"r{i}@c{i}.cn", body="报错 ERR_REPORT_901"))
        ingest(m, mail(subject=f"已知 {i}", sender=f"k{i}@k{i}.cn", body="报错 ERR_KNOWN_5"))
    ingest(m, mail(subject="请问如何配置通知", sender="q@q.cn", body="请问如何配置邮件通知？"))
    out = m.json("report")
    tickets = m.json("tickets", "list")
    assert out["tickets"] == len(tickets) == 7
    shown = [m.json("tickets", "show", str(t["number"])) for t in tickets]
    by_cat: dict[str, int] = {}
    by_prio: dict[str, int] = {}
    for t in shown:
        by_cat[t["category"]] = by_cat.get(t["category"], 0) + 1
        by_prio[t["priority"]] = by_prio.get(t["priority"], 0) + 1
    assert out["by_category"] == dict(sorted(by_cat.items()))
    assert out["by_priority"] == dict(sorted(by_prio.items()))
    assert [c["code"] for c in out["frequent_codes_without_knowledge"]] == ["ERR_REPORT_901"]
    keys = {i["key"] for i in out["incidents"]}
    assert keys == {"ERR_REPORT_901", "ERR_KNOWN_5"}
    assert out["sla"]["first_response"]["open"] + out["sla"]["first_response"]["missed"] == 7
    assert m("report", "--since", "yesterday").returncode == 1
