"""one-user: a fault for one person or one device is one step lower, never below P3."""

from __future__ import annotations

from maild.message import RuleHit
from maild.rules import discover, evaluate
from tests.test_rules_common import context, mail


def run(subject: str, body: str, sender: str = "user@customer.cn", **kw: object) -> RuleHit | None:
    return discover()["one-user"](mail(subject, body, sender), context(**kw))


def test_one_pc_is_lowered() -> None:
    hit = run("打印失败", "只有一台电脑打印失败,其他电脑都正常")
    assert hit and hit.effect == "priority-1 min P3"
    v = evaluate(
        mail("Can't print", "One workstation can't print, the other PCs print fine."), context()
    )
    assert v.priority == "P3"


def test_others_fine_is_never_broad() -> None:
    v = evaluate(
        mail("Can't log in", "Nobody else is affected, only my account cannot log in."), context()
    )
    assert v.priority == "P3"


def test_a_group_is_not_one_user() -> None:
    assert run("报错", "销售部5个人导出都报错") is None
    assert run("Outage", "all users get an error") is None
