"""not-urgent: the customer says it can wait: one step lower, never below P3."""

from __future__ import annotations

from maild.message import RuleHit
from maild.rules import discover
from tests.test_rules_common import context, mail


def run(subject: str, body: str, sender: str = "user@customer.cn", **kw: object) -> RuleHit | None:
    return discover()["not-urgent"](mail(subject, body, sender), context(**kw))


def test_not_urgent_lowers() -> None:
    hit = run("slow", "不着急,有空帮忙看看")
    assert hit and hit.effect == "priority-1 min P3"
    assert run("q", "Not urgent: a question") is not None


def test_urgent_is_not_not_urgent() -> None:
    assert run("URGENT", "please fix ASAP") is None
