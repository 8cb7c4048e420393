"""The rule registry and the fold of effects, plus `mail()`: a ParsedMessage built from a
subject and a body the way the parse stage builds one (facts from the real extractor)."""

from __future__ import annotations

from datetime import UTC, datetime

from maild.message import Address, ParsedMessage, RuleHit
from maild.parsers.extract import extract
from maild.rules import Context, discover, evaluate, fold_priority
from maild.rules.words import defaults
from maild.settings import RulesSettings

NOW = datetime(2026, 9, 15, 2, 0, tzinfo=UTC)  # a Tuesday, 10:00 in Shanghai


def mail(subject: str, body: str, sender: str = "user@customer.cn") -> ParsedMessage:
    return ParsedMessage(
        message_id="<t@customer.cn>",
        sender=Address("", sender),
        to=(Address("", "support@example.com"),),
        cc=(),
        reply_to=(),
        subject=subject,
        date=NOW,
        in_reply_to=(),
        references=(),
        headers=(),
        language="zh",
        text=body,
        quoted="",
        attachments=(),
        facts=extract([("subject", subject, 1), ("body", body, 1)]),
        defects=(),
    )


def context(**kw: object) -> Context:
    rules = kw.pop("rules", RulesSettings(vip_senders=("*@bigcustomer.com",)))
    return Context(rules, kw.pop("now", NOW), defaults(), **kw)  # type: ignore[arg-type]


def hits(effects: list[str]) -> tuple[RuleHit, ...]:
    return tuple(RuleHit("r", e, "because") for e in effects)


def test_rules_are_discovered_by_stable_names() -> None:
    names = set(discover())
    assert {
        "business-peak",
        "category-words",
        "core-down",
        "error-code",
        "error-severity",
        "impact-scope",
        "impact-words",
        "not-urgent",
        "own-account",
        "question-words",
        "suggestion-words",
        "urgency-words",
        "vip-sender",
        "workaround",
        "work-stopped",
        "one-user",
        "admin-thanks",
    } <= names


def test_fold_most_urgent_level_wins() -> None:
    assert fold_priority(hits(["priority=P4", "priority=P2"])) == "P2"
    assert fold_priority(hits([])) == "P3"


def test_fold_lowering_applies_once_and_stops_at_its_minimum() -> None:
    assert fold_priority(hits(["priority=P1", "priority-1 min P3"])) == "P2"
    assert fold_priority(hits(["priority=P2", "priority-1 min P3", "priority-1 min P3"])) == "P3"
    assert fold_priority(hits(["priority=P4", "priority-1 min P3"])) == "P4"


def test_fold_raises_do_not_add_up_and_respect_their_ceiling() -> None:
    assert fold_priority(hits(["priority=P2", "priority+1"])) == "P1"
    assert fold_priority(hits(["priority=P3", "priority+1", "priority+1"])) == "P2"
    assert fold_priority(hits(["priority=P2", "priority+1 max P2"])) == "P2"
    assert fold_priority(hits(["priority=P4", "priority+1 max P2"])) == "P3"
    assert fold_priority(hits(["priority=P3", "priority+1 max P2", "priority+1"])) == "P2"


def test_disabled_rules_do_not_run() -> None:
    msg = mail("URGENT", "how do I export?", sender="a@bigcustomer.com")
    on = evaluate(msg, context())
    off = evaluate(msg, context(rules=RulesSettings(("*@bigcustomer.com",), ("vip-sender",))))
    assert "vip-sender" in {h.rule for h in on.hits}
    assert "vip-sender" not in {h.rule for h in off.hits}


def test_every_priority_has_a_reason() -> None:
    v = evaluate(mail("系统宕机", "所有用户都无法登录"), context())
    assert v.priority == "P1"
    assert any(h.effect == "priority=P1" and h.reason for h in v.hits)


def test_queue_follows_category_when_queues_are_configured() -> None:
    msg = mail("没有权限", "打开报表提示没有权限")
    assert evaluate(msg, context()).queue == ""
    v = evaluate(msg, context(queues={"permission": "accounts", "*": "l1"}))
    assert (v.category, v.queue) == ("permission", "accounts")
