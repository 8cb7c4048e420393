"""Source state and leases in the database, shared by every daemon.

A lease is a row that names its owner and an expiry; taking it is one conditional UPDATE,
so on PostgreSQL two daemons can never both hold it. The holder renews it while it works;
when a daemon dies its lease runs out and another takes the mailbox over.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import or_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from maild.database.engine import transaction
from maild.database.models import SourceState


def load(sessions: sessionmaker[Session], name: str) -> dict[str, Any] | None:
    with sessions() as s:
        row = s.get(SourceState, name)
        return json.loads(row.state) if row is not None else None


def save(
    sessions: sessionmaker[Session],
    name: str,
    state: dict[str, Any],
    *,
    last_fetch: datetime | None = None,
    backlog: int | None = None,
    error: str | None = None,
) -> None:
    now = datetime.now(UTC)
    with transaction(sessions) as s:
        row = _row(s, name, now)
        row.state, row.updated_at = json.dumps(state), now
        if last_fetch is not None:
            row.last_fetch = last_fetch
        if backlog is not None:
            row.backlog = backlog
        if error is not None:
            row.last_error = error


def lease(sessions: sessionmaker[Session], name: str, owner: str, seconds: float) -> bool:
    """Take or renew the lease on `name` for `seconds`; False when another daemon holds it."""
    now = datetime.now(UTC)
    try:
        with transaction(sessions) as s:
            _row(s, name, now)
            s.flush()
            done = s.execute(
                update(SourceState)
                .where(
                    SourceState.name == name,
                    or_(
                        SourceState.owner == owner,
                        SourceState.owner == "",
                        SourceState.lease_until.is_(None),
                        SourceState.lease_until < now,
                    ),
                )
                .values(owner=owner, lease_until=now + timedelta(seconds=seconds))
            )
            return bool(getattr(done, "rowcount", 0))
    except IntegrityError:
        return False  # another daemon created the row at the same moment: it holds the lease


def release(sessions: sessionmaker[Session], name: str, owner: str) -> None:
    with transaction(sessions) as s:
        s.execute(
            update(SourceState)
            .where(SourceState.name == name, SourceState.owner == owner)
            .values(owner="", lease_until=None)
        )


def _row(s: Session, name: str, now: datetime) -> SourceState:
    row = s.get(SourceState, name)
    if row is None:
        row = SourceState(name=name, state="{}", last_error="", backlog=0, owner="", updated_at=now)
        s.add(row)
    return row
