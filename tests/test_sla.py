"""Business-hours due times, computed by hand: weekends, holidays, 调休 make-up days, the
closing-time boundary, arrivals outside hours, DST changes; plus properties that hold for
every arrival (monotonic, business time between arrival and due equals the target)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maild.durations import Duration
from maild.settings import SlaSettings
from maild.sla import Calendar, unknown_years

SH = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
NY = ZoneInfo("America/New_York")

# China 2026 as an admin would configure it: New Year 1-2 Jan (make-up Sun 4 Jan),
# Mid-Autumn Fri 25 Sep, National Day 1-7 Oct (make-up Sun 20 Sep and Sat 10 Oct).
CN_2026 = SlaSettings(
    holidays=(
        "2026-01-01",
        "2026-01-02",
        "2026-09-25",
        "2026-10-01",
        "2026-10-02",
        "2026-10-05",
        "2026-10-06",
        "2026-10-07",
    ),
    extra_workdays=("2026-01-04", "2026-09-20", "2026-10-10"),
)


def sh(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SH)


# (arrival in Shanghai, duration, expected due in Shanghai, why)
ADD_CASES = [
    ("2026-09-14 10:00", "15m", "2026-09-14 10:15", "inside hours"),
    ("2026-09-14 17:45", "15m", "2026-09-14 18:00", "due exactly at closing stays that day"),
    ("2026-09-14 17:59", "15m", "2026-09-15 09:14", "one minute today, fourteen tomorrow"),
    ("2026-09-14 18:00", "15m", "2026-09-15 09:15", "arrival at closing time"),
    ("2026-09-14 08:00", "15m", "2026-09-14 09:15", "arrival before opening"),
    ("2026-09-14 09:00", "15m", "2026-09-14 09:15", "arrival at opening"),
    ("2026-09-14 23:30", "2h", "2026-09-15 11:00", "arrival at night"),
    ("2026-09-15 16:30", "2h", "2026-09-16 09:30", "split over two days"),
    ("2026-09-11 17:59", "15m", "2026-09-14 09:14", "Friday 17:59 to Monday"),
    ("2026-09-11 20:00", "1d", "2026-09-14 18:00", "Friday evening, one working day"),
    ("2026-09-18 17:00", "2h", "2026-09-20 10:00", "Friday to the 调休 Sunday"),
    ("2026-09-19 12:00", "4h", "2026-09-20 13:00", "Saturday arrival, 调休 Sunday"),
    ("2026-09-20 17:00", "4h", "2026-09-21 12:00", "from the 调休 Sunday to Monday"),
    ("2026-09-24 17:00", "2h", "2026-09-28 10:00", "before the Mid-Autumn holiday"),
    ("2026-09-30 17:00", "2h", "2026-10-08 10:00", "before National Day week"),
    ("2026-09-30 10:00", "1d", "2026-10-08 10:00", "a working day across National Day"),
    ("2026-10-01 12:00", "15m", "2026-10-08 09:15", "arrival on a holiday"),
    ("2026-10-03 12:00", "15m", "2026-10-08 09:15", "arrival on a weekend inside the holiday"),
    ("2026-10-09 15:00", "4h", "2026-10-10 10:00", "Friday to the 调休 Saturday"),
    ("2026-10-10 09:00", "1d", "2026-10-10 18:00", "a whole 调休 Saturday"),
    ("2026-10-11 09:00", "15m", "2026-10-12 09:15", "ordinary Sunday after 调休"),
    ("2026-09-14 10:00", "3d", "2026-09-17 10:00", "three working days"),
    ("2026-09-14 09:00", "1d", "2026-09-14 18:00", "one day from opening ends at closing"),
    ("2026-09-14 09:00", "5d", "2026-09-18 18:00", "five days from Monday opening"),
    ("2026-09-21 10:00", "5d", "2026-09-29 10:00", "five days over a Friday holiday"),
    ("2026-09-29 10:00", "3d", "2026-10-09 10:00", "three days over National Day"),
    ("2026-09-14 12:00", "1d4h", "2026-09-15 16:00", "days and hours together"),
    ("2026-09-18 10:00", "1d", "2026-09-20 10:00", "P4 first response over 调休 Sunday"),
    ("2026-12-30 17:30", "2h", "2026-12-31 10:30", "end of year"),
    ("2025-12-31 17:00", "2h", "2026-01-04 10:00", "New Year holidays, 调休 Sunday"),
    ("2026-01-02 10:00", "15m", "2026-01-04 09:15", "arrival on a holiday Friday"),
    ("2026-09-14 17:00", "90m", "2026-09-15 09:30", "minutes above an hour"),
]


@pytest.mark.parametrize(("arrival", "duration", "expected", "why"), ADD_CASES)
def test_add_by_hand(arrival: str, duration: str, expected: str, why: str) -> None:
    cal = Calendar(CN_2026, "Asia/Shanghai")
    assert cal.add(sh(arrival), Duration.parse(duration)) == sh(expected), why


# (arrival, priority, first response, resolution) with the default targets of PRODUCT.md
DUE_CASES = [
    ("2026-09-14 10:00", "P1", "2026-09-14 10:15", "2026-09-15 10:00"),
    ("2026-10-09 17:00", "P2", "2026-10-10 10:00", "2026-10-10 17:00"),
    ("2026-09-30 14:00", "P3", "2026-09-30 18:00", "2026-10-10 14:00"),
    ("2026-09-24 09:00", "P4", "2026-09-24 18:00", "2026-10-08 18:00"),
    ("2026-09-19 03:00", "P1", "2026-09-20 09:15", "2026-09-20 18:00"),
]


@pytest.mark.parametrize(("arrival", "priority", "first", "resolution"), DUE_CASES)
def test_due_by_hand(arrival: str, priority: str, first: str, resolution: str) -> None:
    due = Calendar(CN_2026, "Asia/Shanghai").due(sh(arrival), priority)
    assert (due.first_response, due.resolution) == (sh(first), sh(resolution))
    assert due.first_response.tzinfo == SH


def test_arrival_in_another_zone_is_read_in_support_time() -> None:
    cal = Calendar(CN_2026, "Asia/Shanghai")
    assert cal.add(datetime(2026, 9, 14, 1, 0, tzinfo=UTC), Duration.parse("2h")) == sh(
        "2026-09-14 11:00"
    )
    assert cal.add(datetime(2026, 9, 14, 10, 0, tzinfo=UTC), Duration.parse("15m")) == sh(
        "2026-09-15 09:15"
    )


def test_dst_spring_forward_over_the_weekend_berlin() -> None:
    cal = Calendar(SlaSettings(), "Europe/Berlin")
    due = cal.add(datetime(2026, 3, 27, 17, 0, tzinfo=BERLIN), Duration.parse("2h"))
    assert due == datetime(2026, 3, 30, 10, 0, tzinfo=BERLIN)
    assert due.utcoffset() == timedelta(hours=2)
    assert due.astimezone(UTC) == datetime(2026, 3, 30, 8, 0, tzinfo=UTC)
    start = datetime(2026, 3, 27, 17, 0, tzinfo=BERLIN)
    assert cal.between(start, due) == timedelta(hours=2)


def test_dst_fall_back_over_the_weekend_berlin() -> None:
    cal = Calendar(SlaSettings(), "Europe/Berlin")
    due = cal.add(datetime(2026, 10, 23, 17, 30, tzinfo=BERLIN), Duration.parse("1d"))
    assert due == datetime(2026, 10, 26, 17, 30, tzinfo=BERLIN)
    assert due.utcoffset() == timedelta(hours=1)


def test_dst_inside_working_hours_counts_real_time() -> None:
    # a night shift on the change days: 01:00-05:00 lasts 3 h in spring and 5 h in autumn
    sla = SlaSettings(working_hours="01:00-05:00", working_days=("sun",))
    cal = Calendar(sla, "Europe/Berlin")
    spring = datetime(2026, 3, 29, 1, 0, tzinfo=BERLIN)
    assert cal.add(spring, Duration.parse("3h")) == datetime(2026, 3, 29, 5, 0, tzinfo=BERLIN)
    autumn = datetime(2026, 10, 25, 1, 0, tzinfo=BERLIN)
    due = cal.add(autumn, Duration.parse("4h"))
    assert due.astimezone(UTC) == datetime(2026, 10, 25, 3, 0, tzinfo=UTC)
    assert (due.hour, due.utcoffset()) == (4, timedelta(hours=1))


def test_dst_new_york() -> None:
    cal = Calendar(SlaSettings(working_hours="09:00-17:00"), "America/New_York")
    due = cal.add(datetime(2026, 3, 6, 16, 0, tzinfo=NY), Duration.parse("2h"))
    assert due.astimezone(UTC) == datetime(2026, 3, 9, 14, 0, tzinfo=UTC)


# The country calendar: holidays.China knows 2026 with its 调休 days.
CN_CASES = [
    ("2026-09-30 17:00", "2h", "2026-10-08 10:00"),
    ("2026-10-09 15:00", "4h", "2026-10-10 10:00"),
    ("2026-02-13 17:00", "2h", "2026-02-14 10:00"),
    ("2026-02-13 17:00", "1d", "2026-02-14 17:00"),
    ("2026-02-14 17:00", "2h", "2026-02-24 10:00"),
    ("2026-09-24 17:00", "2h", "2026-09-28 10:00"),
]


@pytest.mark.parametrize(("arrival", "duration", "expected"), CN_CASES)
def test_country_calendar_china(arrival: str, duration: str, expected: str) -> None:
    cal = Calendar(SlaSettings(), "Asia/Shanghai", country="CN")
    assert cal.add(sh(arrival), Duration.parse(duration)) == sh(expected)


def test_configured_days_win_over_the_country() -> None:
    sla = SlaSettings(holidays=("2026-09-14",), extra_workdays=("2026-10-05",))
    cal = Calendar(sla, "Asia/Shanghai", country="CN")
    assert not cal.is_workday(sh("2026-09-14 00:00").date())
    assert cal.is_workday(sh("2026-10-05 00:00").date())


def test_unknown_years_are_named_not_guessed() -> None:
    assert unknown_years("CN", [2025, 2026, 2027]) == [2027]
    assert unknown_years("DE", [2027, 2030]) == []
    assert Calendar(SlaSettings(), "Asia/Shanghai", country="cn").unknown_years([2027]) == [2027]
    assert Calendar(SlaSettings(), "Asia/Shanghai").unknown_years([2027]) == []


# -- properties ---------------------------------------------------------------------------

CALENDARS = [
    Calendar(CN_2026, "Asia/Shanghai"),
    Calendar(SlaSettings(), "Asia/Shanghai", country="CN"),
    Calendar(SlaSettings(working_hours="08:30-17:15"), "Europe/Berlin"),
]
arrivals = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 20), timezones=st.just(UTC)
)
durations = st.builds(Duration, days=st.integers(0, 5), seconds=st.integers(60, 30 * 3600))
calendars = st.sampled_from(CALENDARS)


@settings(max_examples=150, deadline=None)
@given(calendars, arrivals, arrivals, durations)
def test_due_is_monotonic_in_arrival(cal: Calendar, a: datetime, b: datetime, d: Duration) -> None:
    first, second = sorted((a, b))
    assert cal.add(first, d) <= cal.add(second, d)


@settings(max_examples=150, deadline=None)
@given(calendars, arrivals, durations)
def test_business_time_to_due_equals_target(cal: Calendar, a: datetime, d: Duration) -> None:
    due = cal.add(a, d)
    assert cal.between(a, due) == timedelta(seconds=cal.seconds(d))
    local = due.astimezone(cal.tz)
    assert cal.is_workday(local.date())
    assert cal.opens < local.time() <= cal.closes
