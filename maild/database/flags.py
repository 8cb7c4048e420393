"""Run-time switches shared by every daemon through the database (e.g. the outbox brake)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from maild.database.models import Flag

OUTBOX_PAUSED = "outbox_paused"


def is_set(session: Session, name: str) -> bool:
    flag = session.get(Flag, name)
    return flag is not None and flag.value == "1"


def put(session: Session, name: str, on: bool) -> None:
    flag = session.get(Flag, name)
    now = datetime.now(UTC)
    if flag is None:
        session.add(Flag(name=name, value="1" if on else "0", updated_at=now))
    else:
        flag.value, flag.updated_at = ("1" if on else "0"), now
