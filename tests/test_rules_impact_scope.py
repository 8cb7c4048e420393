"""impact-scope: all or most users failing is P1 (P2 for non-core or slowness), some users P2."""

from __future__ import annotations

from maild.message import RuleHit
from maild.rules import discover
from tests.test_rules_common import context, mail


def run(subject: str, body: str, sender: str = "user@customer.cn", **kw: object) -> RuleHit | None:
    return discover()["impact-scope"](mail(subject, body, sender), context(**kw))


def test_everyone_blocked_is_p1() -> None:
    hit = run("blocked", "The whole team is blocked, the app shows an error on every page")
    assert hit and hit.effect == "priority=P1" and "whole team" in hit.reason


def test_everyone_but_non_core_is_p2() -> None:
    hit = run("报表", "所有用户都无法导出报表")
    assert hit and hit.effect == "priority=P2" and "non-core" in hit.reason


def test_counted_people_are_some_users() -> None:
    hit = run("导出", "3名财务人员导出时报错")
    assert hit and hit.effect == "priority=P2"
    hit = run("login", "200名员工都打不开系统")
    assert hit and hit.effect == "priority=P1"


def test_everyone_else_fine_is_not_broad() -> None:
    hit = run("x", "Two users get an error. Everyone else is fine.")
    assert hit and hit.effect == "priority=P2"


def test_slow_for_everyone_is_p2() -> None:
    hit = run("slow", "The system is slow for all users")
    assert hit and hit.effect == "priority=P2"
