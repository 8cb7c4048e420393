"""The report's SLA arithmetic: met before due, missed after due or still missing, open."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from maild.report import TicketFacts, build, sla

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
H = timedelta(hours=1)


def test_sla_met_missed_open() -> None:
    figures = sla([(NOW, NOW - H), (NOW, NOW + H), (NOW - H, None), (NOW + H, None)], NOW)
    assert figures == {"met": 1, "missed": 2, "open": 1, "met_percent": 33.3}
    assert sla([], NOW)["met_percent"] is None


def test_frequent_codes_counted_once_per_ticket() -> None:
    t = [TicketFacts(i, "data", "P3", NOW, None, NOW, None, None, ("E1", "E1")) for i in range(2)]
    assert build(t, [], NOW)["frequent_codes_without_knowledge"] == []
    t.append(TicketFacts(9, "data", "P3", NOW, None, NOW, None, None, ("E1",)))
    assert build(t, [], NOW)["frequent_codes_without_knowledge"] == [{"code": "E1", "tickets": 3}]
