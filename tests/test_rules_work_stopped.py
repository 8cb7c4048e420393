"""work-stopped: a fault that stops the customer's work is P1, P2 when only some are hit."""

from __future__ import annotations

from maild.message import RuleHit
from maild.rules import discover
from tests.test_rules_common import context, mail


def run(subject: str, body: str, sender: str = "user@customer.cn", **kw: object) -> RuleHit | None:
    return discover()["work-stopped"](mail(subject, body, sender), context(**kw))


def test_a_fault_that_stops_the_work_is_p1() -> None:
    hit = run("出库报错", "扫码出库都报错,无法完成出库,车都在等")
    assert hit and hit.effect == "priority=P1"
    hit = run("Prices wrong", "All prices show 0.00 and the stores cannot sell anything.")
    assert hit and hit.effect == "priority=P1"


def test_only_some_users_stopped_is_p2() -> None:
    hit = run("Export fails", "3 users get an error and cannot work. Everyone else is fine.")
    assert hit and hit.effect == "priority=P2"


def test_no_fault_no_hit() -> None:
    assert run("Planning", "we cannot ship on Sundays, how do we set the calendar?") is None
