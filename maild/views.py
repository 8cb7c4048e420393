"""JSON shapes of CONTRACT.md: parsed mail, tickets, outbox rows, quarantine entries.

Input: domain values or rows. Output: plain dicts for `--json`. Dates are ISO 8601 with the
offset of `support.timezone`. Never includes stored passwords; phone numbers stay in facts
(they are the customer's own) but never in logs.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from maild.database.models import OutboxRow, QuarantineRow, RawMail, Ticket
from maild.message import ParsedMessage
from maild.rules import Verdict


def iso(value: datetime | None, tz: ZoneInfo) -> str | None:
    return value.astimezone(tz).isoformat() if value else None


def parsed_json(
    msg: ParsedMessage, kind: str, kind_reason: str, verdict: Verdict
) -> dict[str, Any]:
    return {
        "message_id": msg.message_id,
        "from": {"name": msg.sender.name, "address": msg.sender.address},
        "to": [a.address for a in msg.to],
        "cc": [a.address for a in msg.cc],
        "subject": msg.subject,
        "date": msg.date.isoformat() if msg.date else None,
        "language": msg.language,
        "kind": kind,
        "kind_reason": kind_reason,
        "text": msg.text,
        "quoted": msg.quoted,
        "attachments": [
            {
                "filename": a.safe_name,
                "original_filename": a.filename,
                "content_type": a.content_type,
                "size": a.size,
                "inline": a.inline,
            }
            for a in msg.attachments
        ],
        "error_codes": list(msg.error_codes),
        "environment": msg.environment(),
        "facts": [{"kind": f.kind, "value": f.value, "source": f.source} for f in msg.facts],
        "category": verdict.category,
        "priority": verdict.priority,
        "reasons": [{"rule": h.rule, "effect": h.effect, "reason": h.reason} for h in verdict.hits],
        "defects": list(msg.defects),
    }


def ticket_summary(t: Ticket, tz: ZoneInfo) -> dict[str, Any]:
    return {
        "number": t.number,
        "subject": t.subject,
        "status": t.status,
        "priority": t.priority,
        "category": t.category,
        "customer": {"address": t.customer_address, "name": t.customer_name},
        "created": iso(t.created_at, tz),
        "updated": iso(t.updated_at, tz),
        "due": {
            "first_response": iso(t.first_response_due, tz),
            "resolution": iso(t.resolution_due, tz),
        },
    }


def ticket_json(t: Ticket, tz: ZoneInfo, incident_tickets: list[int] | None = None
                ) -> dict[str, Any]:
    env: dict[str, str | None] = {"os": None, "browser": None, "app_version": None, "device": None}
    codes: dict[str, None] = {}
    for f in t.facts:
        if f.kind == "error_code":
            codes.setdefault(f.value, None)
        elif f.kind in env and env[f.kind] is None:
            env[f.kind] = f.value
    return {
        **ticket_summary(t, tz),
        "language": t.language,
        "first_response_at": iso(t.first_response_at, tz),
        "error_codes": list(codes),
        "environment": env,
        "queue": t.queue,
        "assignee": t.assignee,
        "rating": t.rating or None,
        "linked_to": t.parent_number,
        "purged": iso(t.purged_at, tz),
        "incident": None if t.incident is None else {
            "id": t.incident.id, "key": t.incident.key, "title": t.incident.title,
            "status": t.incident.status, "tickets": incident_tickets or [t.number]},
        "facts": [{"kind": f.kind, "value": f.value, "source": f.source} for f in t.facts],
        "messages": [
            {
                "direction": m.direction,
                "kind": m.kind,
                "author": {"address": m.author_address, "name": m.author_name},
                "subject": m.subject,
                "text": m.text,
                "quoted": m.quoted,
                "message_id": m.message_id,
                "date": iso(m.date, tz),
                "attachments": [
                    {
                        "filename": a.safe_name,
                        "content_type": a.content_type,
                        "size": a.size,
                        "sha256": a.sha256,
                    }
                    for a in m.attachments
                ],
            }
            for m in t.messages
        ],
        "events": [
            {"date": iso(e.date, tz), "actor": e.actor, "what": e.what, "why": e.why}
            for e in t.events
        ],
    }


def outbox_json(row: OutboxRow, tz: ZoneInfo) -> dict[str, Any]:
    """An outbox row without its bytes (`maild outbox show --raw` prints those)."""
    return {
        "id": row.id,
        "ticket": row.ticket_number,
        "purpose": row.purpose,
        "status": row.status,
        "to": json.loads(row.recipients),
        "subject": row.subject,
        "message_id": row.message_id,
        "attempts": row.attempts,
        "next_attempt": iso(row.next_attempt_at, tz),
        "last_error": row.last_error,
        "created": iso(row.created_at, tz),
        "sent": iso(row.sent_at, tz),
    }


def quarantine_json(
    row: QuarantineRow, raw: RawMail, tz: ZoneInfo, full: bool = False
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": row.id,
        "status": row.status,
        "stage": row.stage,
        "error": row.error,
        "created": iso(row.created_at, tz),
        "replayed": iso(row.replayed_at, tz),
        "result": row.result,
        "source": raw.source,
        "label": raw.label,
        "size": raw.size,
        "message_id": raw.message_id,
        "sha256": raw.sha256,
    }
    if full:
        out["traceback"] = row.traceback
    return out
