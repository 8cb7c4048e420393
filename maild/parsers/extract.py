"""The engineer's facts, pulled from subject, body lines, forwards and text attachments.

Place: parse stage, after the quote split. Input: (source name, text, first line number)
triples. Output: `Fact`s with kind, value and where each was found ("subject", "body:3",
"app.log:120"). Kinds: error_code, os, browser, app_version, device, phone, impact,
frequency, time, steps, tried. Error codes come from codes.py (order numbers, dates, prices
and phone numbers are not codes), environment from environment.py, the rest from
situation.py. Pure: no I/O; bounded by MAX_SCAN characters and MAX_PER_SOURCE facts per source
(a log with ten thousand stack traces yields the first distinct ones, not all).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from maild.message import Fact
from maild.parsers import environment, situation
from maild.parsers.codes import error_codes

MAX_SCAN = 1_000_000
MAX_LINE = 5_000
MAX_PER_SOURCE = 40
MAX_LINES = 5_000  # per source
MAX_TOTAL_LINES = 20_000  # per mail: keeps the worst mail well under a second
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_STAMP = re.compile(r"^[\s\[]*\d[\d\s:.,/TZ+\-]{5,40}\]?\s*")
KINDS = (
    "error_code",
    "os",
    "browser",
    "app_version",
    "device",
    "phone",
    "impact",
    "frequency",
    "time",
    "steps",
    "tried",
)

__all__ = ["KINDS", "error_codes", "extract"]


def extract(sources: Iterable[tuple[str, str, int]]) -> tuple[Fact, ...]:
    facts: dict[tuple[str, str], Fact] = {}
    budget = MAX_TOTAL_LINES
    for name, text, first in sources:
        if budget <= 0:
            break
        found = 0
        lines = text[:MAX_SCAN].splitlines()[: min(MAX_LINES, budget)]
        budget -= len(lines)
        for fact in _facts(name, lines, first):
            if _CONTROLS.search(fact.value):
                fact = Fact(fact.kind, _CONTROLS.sub("", fact.value), fact.source)
            key = (fact.kind, fact.value.lower())
            if key not in facts:
                facts[key] = fact
                found += 1
                if found >= MAX_PER_SOURCE:
                    break
    return tuple(facts.values())


def _facts(name: str, lines: list[str], first: int) -> Iterable[Fact]:
    def where(i: int) -> str:
        return name if name == "subject" else f"{name}:{first + i}"

    seen: set[str] = set()
    for i, line in enumerate(lines):
        if not line.strip() or len(line) > MAX_LINE:
            continue
        # a log repeats itself with new timestamps: a line read once is not read again
        key = _STAMP.sub("", line, count=1)
        if key in seen:
            continue
        seen.add(key)
        if not environment.is_user_agent(line):  # "(0x28002B37)" in a UA is no error
            for code in error_codes(line):
                yield Fact("error_code", code, where(i))
        for kind, value in environment.facts(line):
            yield Fact(kind, value, where(i))
    if _is_log(name):
        # logs are scanned for codes and environment only: their "every time" and "at 10:00"
        # are the program's words, not the customer's
        return
    for kind, value, lineno in situation.facts(lines):
        yield Fact(kind, value, where(lineno - 1))


def _is_log(name: str) -> bool:
    return name not in ("subject", "body", "forwarded") and not name.endswith(".eml")
