"""urgency-words: the customer's urgency lifts a fault one step, never above P2; it lifts no
question, wish or one person's problem; denials do not count."""

from __future__ import annotations

from maild.message import RuleHit
from maild.rules import discover
from tests.test_rules_common import context, mail


def run(subject: str, body: str, sender: str = "user@customer.cn", **kw: object) -> RuleHit | None:
    return discover()["urgency-words"](mail(subject, body, sender), context(**kw))


def test_urgency_on_a_fault_is_a_capped_raise() -> None:
    hit = run("紧急!", "导出报错,请尽快处理")
    assert hit and hit.effect == "priority+1 max P2"
    assert run("URGENT", "export fails") is not None
    assert run("x", "the export is broken, need it ASAP") is not None


def test_urgency_does_not_raise_a_question_or_one_persons_problem() -> None:
    assert run("URGENT", "how do I export to PDF?") is None
    assert run("紧急!我的账号被锁定", "我的账号登录失败,请尽快处理") is None


def test_denied_urgency_does_not_count() -> None:
    assert run("x", "不紧急,有空看看") is None
    assert run("x", "This is not urgent") is None


def test_cosmetic_wish_marked_urgent_stays_p4() -> None:
    from maild.rules import evaluate

    v = evaluate(mail("紧急!!!按钮颜色", "紧急!!!按钮颜色不对,尽快改一下"), context())
    assert v.priority == "P4"
