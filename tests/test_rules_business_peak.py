"""business-peak: a mail arriving in a configured peak window raises one step."""

from __future__ import annotations

from datetime import UTC, datetime

from maild.message import RuleHit
from maild.rules import discover
from maild.rules.peaks import parse_peak
from tests.test_rules_common import context, mail


def run(subject: str, body: str, sender: str = "user@customer.cn", **kw: object) -> RuleHit | None:
    return discover()["business-peak"](mail(subject, body, sender), context(**kw))


def test_peak_raises() -> None:
    peaks = (parse_peak("month-end:3"),)
    now = datetime(2026, 9, 29, 2, 0, tzinfo=UTC)  # 29 Sep 10:00 in Shanghai
    hit = run("x", "y", now=now, peaks=peaks, timezone="Asia/Shanghai")
    assert hit and hit.effect == "priority+1" and "month-end:3" in hit.reason


def test_outside_the_peak_nothing() -> None:
    peaks = (parse_peak("month-end:3"), parse_peak("mon-fri 09:00-10:00"))
    now = datetime(2026, 9, 15, 3, 0, tzinfo=UTC)  # Tuesday 11:00 in Shanghai
    assert run("x", "y", now=now, peaks=peaks, timezone="Asia/Shanghai") is None
    assert run("x", "y", now=now) is None
