"""suggestion-words: suggestions, long-term requests and cosmetic wishes are P4."""

from __future__ import annotations

from maild.message import RuleHit
from maild.rules import discover
from tests.test_rules_common import context, mail


def run(subject: str, body: str, sender: str = "user@customer.cn", **kw: object) -> RuleHit | None:
    return discover()["suggestion-words"](mail(subject, body, sender), context(**kw))


def test_suggestion_is_p4() -> None:
    hit = run("Feature request", "It would be great to have a dark mode")
    assert hit and hit.effect == "priority=P4"


def test_cosmetic_is_p4() -> None:
    hit = run("错别字", "登录页有个错别字")
    assert hit and hit.effect == "priority=P4" and "cosmetic" in hit.reason


def test_asking_to_hurry_is_not_a_suggestion() -> None:
    assert run("导出失败", "导出失败,请尽快处理") is None
