"""impact-words: outage words are P1, broken functions P2, denials and suggestions do not count."""

from __future__ import annotations

from maild.message import RuleHit
from maild.rules import discover
from tests.test_rules_common import context, mail


def run(subject: str, body: str, sender: str = "user@customer.cn", **kw: object) -> RuleHit | None:
    return discover()["impact-words"](mail(subject, body, sender), context(**kw))


def test_outage_is_p1() -> None:
    hit = run("系统宕机", "生产环境宕机了,核心业务中断")
    assert hit and hit.effect == "priority=P1" and "宕机" in hit.reason


def test_broken_function_is_p2() -> None:
    hit = run("Export", "The export is not working")
    assert hit and hit.effect == "priority=P2"


def test_denied_error_and_plain_question_do_not_count() -> None:
    assert run("咨询", "没有报错,只是想问一下报表在哪里看") is None
    assert run("flagging", "a question about the flag") is None


def test_suggestion_describing_today_is_not_a_fault() -> None:
    assert run("建议", "目前无法批量删除,希望增加批量删除功能") is None
