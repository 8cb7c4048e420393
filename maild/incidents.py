"""Incident stage: is this mail one more report of a problem many customers have now?

Input: the new ticket's error codes and customer, and the recent tickets that carry the same
codes (number, customer, incident). Output: a `Decision` — join an open incident, form a new
one from the tickets of at least `customers` distinct customers, or nothing — with the
reason. Pure: the driver does the lookups and writes.
"""

from __future__ import annotations

from dataclasses import dataclass

from maild.message import Seen

# codes too generic to say "the same problem" on their own
GENERIC = frozenset({"HTTP 400", "HTTP 401", "HTTP 403", "HTTP 404"})


@dataclass(frozen=True, slots=True)
class Decision:
    action: str  # join | form
    code: str
    tickets: tuple[int, ...]  # form: the earlier tickets to link
    reason: str


def decide(codes: tuple[str, ...], customer: str, seen: list[Seen],
           open_codes: set[str], customers: int) -> Decision | None:
    for code in codes:
        if code in GENERIC:
            continue
        if code in open_codes:
            return Decision("join", code, (), f"{code} is a known batch problem being worked on")
        others = {s.customer: s.ticket for s in seen if s.code == code and s.customer != customer}
        if len(others) + 1 >= customers:
            tickets = tuple(sorted(others.values()))
            return Decision("form", code, tickets,
                            f"{code} reported by {len(others) + 1} customers within the window")
    return None
