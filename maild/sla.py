"""SLA stage: business-hours due times for a priority.

Input: arrival time (aware) and priority. Output: `Due` (first response, resolution) as aware
datetimes in `support.timezone`. Business time counts only inside working hours of working
days: configured weekdays, minus holidays, plus make-up working days (调休). "1d" is one
working day's configured span (9 h for 09:00-18:00).

Working hours are read on the local wall clock of each day; the time inside them is counted
in real (UTC) time, so a due time is exact across a DST change. The configured holidays and
make-up days can be completed by a country's public-holiday calendar (the `holidays`
package); such a calendar only knows the years its government has announced, and
`unknown_years` names the ones it does not, for a loud warning instead of a silent guess.
Configured days always win over the country calendar. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from maild.durations import Duration
from maild.message import Due
from maild.settings import DAY_NAMES, SlaSettings

MAX_DAYS = 3660  # a calendar with no working day in ten years is a config error
# countries whose official schedule (holidays and make-up working days) is announced year by
# year; the `holidays` package computes other countries' holidays from fixed rules
ANNOUNCED = frozenset({"CN"})


class Calendar:
    """The business calendar of `sla` in `timezone`, optionally with a country's holidays
    (ISO code such as "CN", with an optional subdivision such as "BE" for Berlin)."""

    def __init__(
        self, sla: SlaSettings, timezone: str, country: str = "", subdiv: str = ""
    ) -> None:
        self.sla = sla
        self.tz = ZoneInfo(timezone)
        start, end = sla.working_hours.split("-")
        self.opens = _hm(start)
        self.closes = _hm(end)
        self.days = frozenset(DAY_NAMES.index(d) for d in sla.working_days)
        self.holidays = frozenset(date.fromisoformat(d) for d in sla.holidays)
        self.extra = frozenset(date.fromisoformat(d) for d in sla.extra_workdays)
        self.country = (country or str(getattr(sla, "country", "") or "")).upper()
        self.subdiv = subdiv or str(getattr(sla, "subdivision", "") or "")
        self._years: dict[int, tuple[frozenset[date], frozenset[date]]] = {}
        self.day_seconds = int(
            (
                datetime.combine(date.min, self.closes) - datetime.combine(date.min, self.opens)
            ).total_seconds()
        )

    def _country_year(self, year: int) -> tuple[frozenset[date], frozenset[date]]:
        """The country's closed days and make-up working days of one year (memoised)."""
        if not self.country:
            return frozenset(), frozenset()
        if year not in self._years:
            closed, extra = country_days(self.country, self.subdiv, year)
            self._years[year] = (closed, extra)
        return self._years[year]

    def is_workday(self, d: date) -> bool:
        if d in self.extra:
            return True
        if d in self.holidays:
            return False
        closed, extra = self._country_year(d.year)
        if d in extra:
            return True
        return d.weekday() in self.days and d not in closed

    def window(self, d: date) -> tuple[datetime, datetime]:
        """Opening and closing time of day `d`, as UTC instants."""
        return (
            datetime.combine(d, self.opens, self.tz).astimezone(UTC),
            datetime.combine(d, self.closes, self.tz).astimezone(UTC),
        )

    def seconds(self, duration: Duration) -> int:
        return duration.days * self.day_seconds + duration.seconds

    def add(self, start: datetime, duration: Duration) -> datetime:
        """The moment `duration` of business time after `start` (a due time that falls
        exactly on closing time stays on that day)."""
        remaining = timedelta(seconds=self.seconds(duration))
        cursor = start.astimezone(UTC)
        day = start.astimezone(self.tz).date()
        for _ in range(MAX_DAYS):
            if self.is_workday(day):
                opens, closes = self.window(day)
                begin = max(cursor, opens)
                if begin < closes:
                    available = closes - begin
                    if remaining <= available:
                        return (begin + remaining).astimezone(self.tz)
                    remaining -= available
            day += timedelta(days=1)
        raise ValueError("the business calendar has no working day in ten years")

    def between(self, start: datetime, end: datetime) -> timedelta:
        """Business time from `start` to `end` (zero if end is before start)."""
        total = timedelta()
        s, e = start.astimezone(UTC), end.astimezone(UTC)
        day = start.astimezone(self.tz).date()
        last = end.astimezone(self.tz).date()
        while day <= last:
            if self.is_workday(day):
                opens, closes = self.window(day)
                lo, hi = max(s, opens), min(e, closes)
                if lo < hi:
                    total += hi - lo
            day += timedelta(days=1)
        return total

    def due(self, arrival: datetime, priority: str) -> Due:
        target = self.sla.targets[priority]
        return Due(self.add(arrival, target.first_response), self.add(arrival, target.resolution))

    def unknown_years(self, years: Iterable[int]) -> list[int]:
        """The years among `years` whose official calendar the country data does not know."""
        return unknown_years(self.country, years) if self.country else []


def country_days(country: str, subdiv: str, year: int) -> tuple[frozenset[date], frozenset[date]]:
    """Public holidays and weekend make-up working days of `country` in `year`."""
    import holidays  # imported here: only calendars that name a country need it

    cal = holidays.country_holidays(country, subdiv=subdiv or None, years=year)
    closed = frozenset(d for d in cal if d.year == year)
    extra = frozenset(d for d in getattr(cal, "weekend_workdays", ()) if d.year == year)
    return closed, extra


def unknown_years(country: str, years: Iterable[int]) -> list[int]:
    """Years for which `country`'s announced schedule is not in the holiday data.

    For a country that announces holidays and make-up working days year by year (China:
    调休), a year without any make-up working day in the data has not been published yet:
    its holidays would be a guess from the lunar calendar, with no 调休 at all. Countries
    whose holidays follow fixed rules are known for every year.
    """
    if country.upper() not in ANNOUNCED:
        return []
    return sorted(y for y in set(years) if not country_days(country.upper(), "", y)[1])


def _hm(text: str) -> time:
    h, m = (int(x) for x in text.split(":"))
    return time(h, m)
