"""Durations written in config: "15m", "2h", "1d", "1d4h", "90s".

"d" is one working day's span of business time (9 h for 09:00-18:00), so a duration keeps
days apart from minutes; the business calendar turns days into time. Parsed once, at config
load; never re-parsed at use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_PART = re.compile(r"(\d+)\s*([dhms])", re.IGNORECASE)
_WHOLE = re.compile(r"^\s*(\d+\s*[dhms]\s*)+$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Duration:
    """A span of business time: whole working days plus seconds."""

    days: int = 0
    seconds: int = 0

    @classmethod
    def parse(cls, text: str) -> Duration:
        """Parse "15m", "2h", "1d", "1d4h30m"; raise ValueError with a hint otherwise."""
        if not isinstance(text, str) or not _WHOLE.match(text):
            raise ValueError(f"bad duration {text!r} (use e.g. 15m, 2h, 1d, 1d4h)")
        days = seconds = 0
        for amount, unit in _PART.findall(text):
            n = int(amount)
            match unit.lower():
                case "d":
                    days += n
                case "h":
                    seconds += n * 3600
                case "m":
                    seconds += n * 60
                case _:
                    seconds += n
        if days == 0 and seconds == 0:
            raise ValueError(f"bad duration {text!r}: must be longer than zero")
        return cls(days, seconds)

    def __str__(self) -> str:
        parts = [f"{self.days}d"] if self.days else []
        h, rest = divmod(self.seconds, 3600)
        m, s = divmod(rest, 60)
        parts += [f"{v}{u}" for v, u in ((h, "h"), (m, "m"), (s, "s")) if v]
        return "".join(parts) or "0m"


def parse_seconds(text: str) -> int:
    """A plain (calendar) duration such as "30m" or "365d" in seconds; days are 24 h here."""
    d = Duration.parse(text)
    return d.days * 86400 + d.seconds
