"""error-code: a concrete error code means something is broken: P2."""

from __future__ import annotations

from maild.message import RuleHit
from maild.rules import discover
from tests.test_rules_common import context, mail


def run(subject: str, body: str, sender: str = "user@customer.cn", **kw: object) -> RuleHit | None:
    return discover()["error-code"](mail(subject, body, sender), context(**kw))


def test_code_is_p2_with_the_code_in_the_reason() -> None:
    hit = run("导出", "错误码 ERR_EXPORT_100")
    assert hit and hit.effect == "priority=P2" and "ERR_EXPORT_100" in hit.reason


def test_no_code_no_hit() -> None:
    assert run("hello", "order 20240101 shipped") is None
