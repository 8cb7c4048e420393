"""core-down: log in / submit / pay failing is P1, unless only some users or one account."""

from __future__ import annotations

from maild.message import RuleHit
from maild.rules import discover
from tests.test_rules_common import context, mail


def run(subject: str, body: str, sender: str = "user@customer.cn", **kw: object) -> RuleHit | None:
    return discover()["core-down"](mail(subject, body, sender), context(**kw))


def test_core_function_down_is_p1() -> None:
    hit = run("无法登录", "所有用户都无法登录系统")
    assert hit and hit.effect == "priority=P1"
    hit = run("Checkout", "Checkout fails since the deploy")
    assert hit and hit.effect == "priority=P1" and "checkout fails" in hit.reason


def test_some_users_or_one_account_is_p2() -> None:
    hit = run("登录", "财务部3名同事无法登录")
    assert hit and hit.effect == "priority=P2" and "3名同事" in hit.reason
    hit = run("login", "I forgot my password and cannot log in")
    assert hit and hit.effect == "priority=P2"


def test_other_functions_are_not_core() -> None:
    assert run("导出", "导出失败") is None
