"""Business-peak windows: when the customer's business is at its busiest (month-end closing,
a sales festival, the morning rush), a fault hurts more and the priority goes one step up.

A window is a string of one or more space-separated parts, all of which must hold:
- days: "2026-11-11", "2026-11-10..2026-11-12", yearly "11-11" or "12-20..01-05";
- the last days of every month: "month-end:3";
- weekdays: "mon-fri", "sat,sun";
- hours (support time zone): "09:00-11:00".
`parse_peak` checks one at config load (ValueError with a hint); `active` is pure.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DATE = r"(?:\d{4}-)?\d{2}-\d{2}"
_HINT = 'use e.g. "month-end:3", "11-11", "2026-11-10..2026-11-12", "mon-fri 09:00-11:00"'


@dataclass(frozen=True, slots=True)
class Peak:
    text: str
    first: str = ""  # "YYYY-MM-DD" or "MM-DD"; "" = any day
    last: str = ""
    month_end: int = 0  # the last N days of each month
    weekdays: frozenset[int] = frozenset(range(7))
    hours: tuple[time, time] | None = None

    def covers(self, moment: datetime) -> bool:
        day = moment.date()
        if day.weekday() not in self.weekdays:
            return False
        if self.hours and not self.hours[0] <= moment.time().replace(tzinfo=None) < self.hours[1]:
            return False
        if (
            self.month_end
            and day.day <= calendar.monthrange(day.year, day.month)[1] - self.month_end
        ):
            return False
        return not self.first or _within(day, self.first, self.last)


def _within(day: date, first: str, last: str) -> bool:
    if len(first) == 10:
        return date.fromisoformat(first) <= day <= date.fromisoformat(last)
    key = day.strftime("%m-%d")
    if first <= last:
        return first <= key <= last
    return key >= first or key <= last  # wraps over the new year


def parse_peak(text: str) -> Peak:
    fields: dict[str, object] = {}
    for part in text.lower().split():
        if m := re.fullmatch(rf"({_DATE})(?:\.\.({_DATE}))?", part):
            first, last = m.group(1), m.group(2) or m.group(1)
            if len(first) != len(last):
                raise ValueError(f"bad peak {text!r}: both ends need a year, or neither")
            for d in (first, last):
                try:
                    date.fromisoformat(d if len(d) == 10 else f"2000-{d}")
                except ValueError as e:
                    raise ValueError(f"bad peak {text!r}: {d} is not a date ({e})") from e
            fields |= {"first": first, "last": last}
        elif m := re.fullmatch(r"month-end:(\d{1,2})", part):
            fields["month_end"] = int(m.group(1))
        elif m := re.fullmatch(r"(\d\d):(\d\d)-(\d\d):(\d\d)", part):
            start, end = time(int(m[1]), int(m[2])), time(int(m[3]), int(m[4]))
            if start >= end:
                raise ValueError(f"bad peak {text!r}: hours must start before they end")
            fields["hours"] = (start, end)
        elif re.fullmatch(r"[a-z]{3}(?:-[a-z]{3}|(?:,[a-z]{3})*)", part) and all(
            d in _DAYS for d in re.split("[-,]", part)
        ):
            names = part.split("-")
            if len(names) == 2:
                a, b = _DAYS.index(names[0]), _DAYS.index(names[1])
                fields["weekdays"] = (
                    frozenset(range(a, b + 1))
                    if a <= b
                    else frozenset((*range(a, 7), *range(0, b + 1)))
                )
            else:
                fields["weekdays"] = frozenset(_DAYS.index(d) for d in part.split(","))
        else:
            raise ValueError(f"bad peak {text!r}: {part!r} is not understood ({_HINT})")
    if not fields:
        raise ValueError(f"empty peak window ({_HINT})")
    return Peak(text, **fields)  # type: ignore[arg-type]


def active(peaks: tuple[Peak, ...], moment: datetime, timezone: str) -> Peak | None:
    """The first window that covers `moment` (read in the support time zone), or None."""
    local = moment.astimezone(ZoneInfo(timezone))
    return next((p for p in peaks if p.covers(local)), None)
