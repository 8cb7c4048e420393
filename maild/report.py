"""The period report: what came in, how fast we answered, what keeps coming back.

Input: tickets (with facts and incidents) created in [since, until), the knowledge entries
and the current time. Output: a plain dict — tickets by category and by priority, first-
response and resolution SLA met (a target counts as met when the answer came before it was
due, missed when it came later or is still missing after it was due, and open otherwise),
batch incidents, and the error codes seen at least three times that no knowledge entry
covers (candidates for the knowledge base). Pure: the command does the queries.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from fnmatch import fnmatchcase
from typing import Any

from maild.settings import KnowledgeEntry

FREQUENT = 3


@dataclass(frozen=True, slots=True)
class TicketFacts:
    number: int
    category: str
    priority: str
    first_response_due: datetime
    first_response_at: datetime | None
    resolution_due: datetime
    resolved_at: datetime | None
    incident: str | None
    codes: tuple[str, ...]


def sla(due: Sequence[tuple[datetime, datetime | None]], now: datetime) -> dict[str, Any]:
    met = sum(1 for d, at in due if at is not None and at <= d)
    missed = sum(1 for d, at in due if (at is not None and at > d) or (at is None and now > d))
    open_ = len(due) - met - missed
    decided = met + missed
    return {"met": met, "missed": missed, "open": open_,
            "met_percent": round(100.0 * met / decided, 1) if decided else None}


def build(tickets: Sequence[TicketFacts], knowledge: Sequence[KnowledgeEntry],
          now: datetime) -> dict[str, Any]:
    codes = Counter(c for t in tickets for c in set(t.codes))
    incidents: dict[str, list[int]] = {}
    for t in tickets:
        if t.incident:
            incidents.setdefault(t.incident, []).append(t.number)
    return {
        "tickets": len(tickets),
        "by_category": dict(sorted(Counter(t.category for t in tickets).items())),
        "by_priority": dict(sorted(Counter(t.priority for t in tickets).items())),
        "sla": {
            "first_response": sla([(t.first_response_due, t.first_response_at) for t in tickets],
                                  now),
            "resolution": sla([(t.resolution_due, t.resolved_at) for t in tickets], now),
        },
        "incidents": [{"key": k, "tickets": sorted(v)} for k, v in sorted(incidents.items())],
        "frequent_codes_without_knowledge": [
            {"code": c, "tickets": n} for c, n in codes.most_common()
            if n >= FREQUENT and not _covered(c, knowledge)
        ],
    }


def _covered(code: str, knowledge: Sequence[KnowledgeEntry]) -> bool:
    return any(fnmatchcase(code.upper(), pattern.upper()) for k in knowledge for pattern in k.codes)
