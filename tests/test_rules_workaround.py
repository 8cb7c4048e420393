"""workaround: a workaround or a minor fault is one step lower, never below P3."""

from __future__ import annotations

from maild.message import RuleHit
from maild.rules import discover
from tests.test_rules_common import context, mail


def run(subject: str, body: str, sender: str = "user@customer.cn", **kw: object) -> RuleHit | None:
    return discover()["workaround"](mail(subject, body, sender), context(**kw))


def test_workaround_lowers() -> None:
    hit = run("打印", "打印偶尔失败,重新点一次就好,不影响使用")
    assert hit and hit.effect == "priority-1 min P3"


def test_english_workaround() -> None:
    hit = run("filter", "As a workaround we set it again by hand")
    assert hit and hit.effect == "priority-1 min P3"


def test_plain_fault_has_none() -> None:
    assert run("导出失败", "导出失败,刷新后修改的内容都没了") is None
