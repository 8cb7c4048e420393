"""question-words: a question with nothing broken is P3."""

from __future__ import annotations

from maild.message import RuleHit
from maild.rules import discover
from tests.test_rules_common import context, mail


def run(subject: str, body: str, sender: str = "user@customer.cn", **kw: object) -> RuleHit | None:
    return discover()["question-words"](mail(subject, body, sender), context(**kw))


def test_question_is_p3() -> None:
    hit = run("如何配置邮件通知", "请问如何配置?")
    assert hit and hit.effect == "priority=P3"


def test_question_about_a_failure_is_not_a_plain_question() -> None:
    assert run("请问", "请问为什么导出失败?") is None
    assert run("How do I fix ERR_EXPORT_100?", "see subject") is None


def test_can_or_cannot_is_a_question_form() -> None:
    hit = run("能不能导出PDF", "请问能不能导出PDF?")
    assert hit and hit.effect == "priority=P3"
