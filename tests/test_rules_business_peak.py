"""business-peak: a mail arriving in a configured peak window raises one step."""

from __future__ import annotations

from datetime import UTC, datetime

from maild.message import RuleHit
from maild.peaks import parse_peak
from maild.rules import discover
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


def test_peak_window_forms() -> None:
    from datetime import date, time

    def at(d: str, t: str = "10:00") -> datetime:
        return datetime.combine(date.fromisoformat(d), time.fromisoformat(t))

    assert parse_peak("11-11").covers(at("2027-11-11"))
    assert not parse_peak("11-11").covers(at("2027-11-12"))
    assert parse_peak("12-20..01-05").covers(at("2027-01-03"))
    assert parse_peak("2026-11-10..2026-11-12").covers(at("2026-11-12"))
    assert not parse_peak("2026-11-10..2026-11-12").covers(at("2027-11-11"))
    assert parse_peak("month-end:3").covers(at("2026-02-26"))
    assert not parse_peak("month-end:3").covers(at("2026-02-25"))
    busy = parse_peak("mon-fri 09:00-11:00")
    assert busy.covers(at("2026-09-14", "09:00")) and not busy.covers(at("2026-09-14", "11:00"))
    assert not busy.covers(at("2026-09-13", "10:00"))
    assert parse_peak("sat,sun").covers(at("2026-09-13"))


def test_bad_peak_windows_are_refused_with_a_hint() -> None:
    import pytest

    for bad in ("", "tomorrow", "11-31", "2026-11-10..11-12", "18:00-09:00", "mon-xyz"):
        with pytest.raises(ValueError, match="peak"):
            parse_peak(bad)
