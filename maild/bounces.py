"""Delivery status notifications for mail we sent: which outgoing mail bounced, and why.

Input: a parsed bounce (DSN, RFC 3464, or a plain MAILER-DAEMON report). Output: the
Message-IDs of the original mail found in its returned parts (message/rfc822,
text/rfc822-headers) or text, and the diagnostic line ("Status: 5.1.1", "Diagnostic-Code:
smtp; 550 …"). Pure.
"""

from __future__ import annotations

import re

from maild.message import ParsedMessage

_MSGID = re.compile(rb"^message-id:\s*(<[^<>\s]{1,500}>)", re.IGNORECASE | re.MULTILINE)
_DIAG = re.compile(rb"^(diagnostic-code|status|action):\s*(.{1,300})$",
                   re.IGNORECASE | re.MULTILINE)
RETURNED = ("message/rfc822", "text/rfc822-headers", "message/delivery-status",
            "message/global", "message/global-headers", "text/plain")


def original_ids(msg: ParsedMessage) -> tuple[str, ...]:
    ids: dict[str, None] = {}
    for a in msg.attachments:
        if a.content_type in RETURNED or a.safe_name.endswith(".eml"):
            for m in _MSGID.finditer(a.data[:200_000]):
                ids.setdefault(m.group(1).decode("ascii", "replace"), None)
    for m in _MSGID.finditer(f"{msg.text}\n{msg.quoted}".encode("utf-8", "replace")):
        ids.setdefault(m.group(1).decode("ascii", "replace"), None)
    return tuple(ids)


def diagnostic(msg: ParsedMessage) -> str:
    found: dict[str, str] = {}
    blobs = [a.data[:200_000] for a in msg.attachments if a.content_type in RETURNED]
    for blob in [*blobs, msg.text.encode("utf-8", "replace")]:
        for m in _DIAG.finditer(blob):
            found.setdefault(m.group(1).decode().lower(), m.group(2).decode("utf-8", "replace"))
    parts = [f"{k}: {found[k].strip()}" for k in ("status", "diagnostic-code") if k in found]
    return "; ".join(parts) or "delivery failed (no diagnostic given)"
