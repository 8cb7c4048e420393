"""SLA warnings: before a target is missed and when it is, each exactly once."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from maild import configfile
from maild.compose import Renderer
from maild.database.engine import make_engine, sessions
from maild.sla_watch import sweep
from tests.conftest import Maild, mail


def test_warnings_once_each(make_maild: Callable[..., Maild], db_url: str) -> None:
    m = make_maild(db_url, sla={
        "working_hours": "00:00-23:59",
        "working_days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
        "warn_before": "30m",
        "targets": {p: {"first_response": "10m", "resolution": "5h"}
                    for p in ("P1", "P2", "P3", "P4")},
    })
    done = m("ingest", "-", "--json", input=mail(subject="导出失败", body="报错 ERR_X_1"))
    number = json.loads(done.stdout)[0]["ticket"]
    settings = configfile.load(str(m.config))
    engine = make_engine(settings.database)
    factory = sessions(engine)
    renderer = Renderer()
    now = datetime.now(UTC)
    assert sweep(settings, factory, renderer, now) == 1  # first response due in 10 min
    assert sweep(settings, factory, renderer, now) == 0  # not twice
    later = now + timedelta(minutes=11)
    assert sweep(settings, factory, renderer, later) == 1  # now it is missed
    assert sweep(settings, factory, renderer, later + timedelta(minutes=1)) == 0
    # hours later the resolution target is past: the breach is reported (a "soon" that was
    # never seen in time is not sent after the fact)
    assert sweep(settings, factory, renderer, now + timedelta(hours=6)) == 1
    engine.dispose()
    rows = [r for r in m.json("outbox", "list") if r["purpose"] == "sla"]
    assert len(rows) == 3 and all(r["to"] == ["team@example.com"] for r in rows)
    assert all(r["subject"].startswith(f"[#{number}] SLA") for r in rows)
    events = [e["what"] for e in m.json("tickets", "show", str(number))["events"]]
    assert sum(e.startswith("SLA warning") for e in events) == 3


def test_p1_without_agent_update_gets_a_progress_reminder_per_4_hours(
        make_maild: Callable[..., Maild]) -> None:
    m = make_maild(sla={
        "working_hours": "00:00-23:59",
        "working_days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
        "warn_before": "1m",
        "targets": {p: {"first_response": "5d", "resolution": "9d"}
                    for p in ("P1", "P2", "P3", "P4")},
    })
    done = m("ingest", "-", "--json", input=mail(subject="所有用户都无法登录",
                                                 body="所有用户都无法登录系统，核心业务中断"))
    number = json.loads(done.stdout)[0]["ticket"]
    assert m.json("tickets", "show", str(number))["priority"] == "P1"
    settings = configfile.load(str(m.config))
    engine = make_engine(settings.database)
    factory, renderer = sessions(engine), Renderer()
    now = datetime.now(UTC)
    assert sweep(settings, factory, renderer, now + timedelta(hours=3)) == 0
    assert sweep(settings, factory, renderer, now + timedelta(hours=5)) == 1
    assert sweep(settings, factory, renderer, now + timedelta(hours=6)) == 0
    assert sweep(settings, factory, renderer, now + timedelta(hours=9)) == 1
    engine.dispose()
    events = [e["what"] for e in m.json("tickets", "show", str(number))["events"]]
    assert events.count("P1 progress reminder") == 2
