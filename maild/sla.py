"""SLA stage: business-hours due times for a priority.

Input: arrival time (aware) and priority. Output: `Due` (first response, resolution) as aware
datetimes in `support.timezone`. Business time counts only inside working hours of working
days: configured weekdays, minus holidays, plus make-up working days (调休). "1d" is one
working day's span. Arithmetic is on the local wall clock, so on a DST change day a working
day still runs from opening to closing time. Pure: no I/O.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from maild.durations import Duration
from maild.message import Due
from maild.settings import DAY_NAMES, SlaSettings

MAX_DAYS = 3660  # a calendar with no working day in ten years is a config error


class Calendar:
    def __init__(self, sla: SlaSettings, timezone: str) -> None:
        self.sla = sla
        self.tz = ZoneInfo(timezone)
        start, end = sla.working_hours.split("-")
        self.opens = _hm(start)
        self.closes = _hm(end)
        self.days = frozenset(DAY_NAMES.index(d) for d in sla.working_days)
        self.holidays = frozenset(date.fromisoformat(d) for d in sla.holidays)
        self.extra = frozenset(date.fromisoformat(d) for d in sla.extra_workdays)
        self.day_seconds = int(
            (
                datetime.combine(date.min, self.closes) - datetime.combine(date.min, self.opens)
            ).total_seconds()
        )

    def is_workday(self, d: date) -> bool:
        if d in self.extra:
            return True
        return d.weekday() in self.days and d not in self.holidays

    def window(self, d: date) -> tuple[datetime, datetime]:
        return datetime.combine(d, self.opens, self.tz), datetime.combine(d, self.closes, self.tz)

    def seconds(self, duration: Duration) -> int:
        return duration.days * self.day_seconds + duration.seconds

    def add(self, start: datetime, duration: Duration) -> datetime:
        """The moment `duration` of business time after `start`."""
        remaining = timedelta(seconds=self.seconds(duration))
        cursor = start.astimezone(self.tz)
        day = cursor.date()
        for _ in range(MAX_DAYS):
            if self.is_workday(day):
                opens, closes = self.window(day)
                begin = max(cursor, opens)
                if begin < closes:
                    available = closes - begin
                    if remaining <= available:
                        return (begin.replace(tzinfo=None) + remaining).replace(tzinfo=self.tz)
                    remaining -= available
            day += timedelta(days=1)
        raise ValueError("the business calendar has no working day in ten years")

    def between(self, start: datetime, end: datetime) -> timedelta:
        """Business time from `start` to `end` (zero if end is before start)."""
        total = timedelta()
        s, e = start.astimezone(self.tz), end.astimezone(self.tz)
        day = s.date()
        while day <= e.date():
            if self.is_workday(day):
                opens, closes = self.window(day)
                lo, hi = max(s, opens), min(e, closes)
                if lo < hi:
                    total += hi.replace(tzinfo=None) - lo.replace(tzinfo=None)
            day += timedelta(days=1)
        return total

    def due(self, arrival: datetime, priority: str) -> Due:
        target = self.sla.targets[priority]
        return Due(self.add(arrival, target.first_response), self.add(arrival, target.resolution))


def _hm(text: str) -> time:
    h, m = (int(x) for x in text.split(":"))
    return time(h, m)
