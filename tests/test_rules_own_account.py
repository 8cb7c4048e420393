"""own-account: one person's own account or permission is one step lower, never below P3."""

from __future__ import annotations

from maild.message import RuleHit
from maild.rules import discover
from tests.test_rules_common import context, mail


def run(subject: str, body: str, sender: str = "user@customer.cn", **kw: object) -> RuleHit | None:
    return discover()["own-account"](mail(subject, body, sender), context(**kw))


def test_forgotten_password_lowers() -> None:
    hit = run("忘记密码", "我忘记密码了,登录不了")
    assert hit and hit.effect == "priority-1 min P3"


def test_new_colleague_without_permission_lowers() -> None:
    hit = run("x", "新来的同事看不到销售模块,提示没有权限")
    assert hit and hit.effect == "priority-1 min P3"


def test_everyone_locked_out_does_not() -> None:
    assert run("x", "All users are locked out, account locked for everyone") is None
