"""One module per `maild` sub-command; each has `register(subparsers)` which sets the handler."""

from __future__ import annotations

from types import ModuleType

from maild.commands import (
    check_config,
    db,
    ingest,
    outbox,
    parse,
    purge,
    quarantine,
    report,
    run,
    status,
    tickets,
    triage,
)

COMMANDS: tuple[ModuleType, ...] = (
    check_config,
    db,
    run,
    ingest,
    parse,
    tickets,
    outbox,
    quarantine,
    status,
    report,
    purge,
    triage,
)
