"""Running one stage: whatever it raises becomes a StageError that names the stage, so the
driver can quarantine the mail with where it failed. Database errors pass through untouched:
they are the transaction's trouble, not the mail's."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.exc import DBAPIError

from maild.errors import StageError

T = TypeVar("T")


def stage(name: str, fn: Callable[..., T], *args: Any) -> T:
    try:
        return fn(*args)
    except (StageError, DBAPIError):
        raise
    except Exception as e:  # noqa: BLE001 - typed here, quarantined by the driver
        raise StageError(name, e) from e
