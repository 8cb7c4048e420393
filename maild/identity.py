"""The identity of a raw mail, read from its bytes without parsing MIME.

Input: the exact bytes. Output: sha256 of all bytes, the identity hash (the mail minus its
transport headers, so one mail delivered to two of our mailboxes or re-delivered by the MTA
hashes the same), and the Message-ID. Works on any bytes, never raises: the dedupe key must
exist even for mail the parser cannot read.
"""

from __future__ import annotations

import hashlib
import re

# Headers added or changed in transit; everything else is the sender's mail.
TRANSPORT = frozenset(
    {
        b"received",
        b"delivered-to",
        b"x-original-to",
        b"return-path",
        b"arc-seal",
        b"arc-message-signature",
        b"arc-authentication-results",
        b"authentication-results",
        b"dkim-signature",
        b"x-google-dkim-signature",
        b"received-spf",
        b"x-received",
        b"x-envelope-from",
        b"x-envelope-to",
        b"envelope-to",
        b"x-spam-status",
        b"x-spam-score",
        b"x-spam-flag",
        b"x-spam-level",
        b"x-spam-checker-version",
        b"x-virus-scanned",
        b"x-ms-exchange-organization-authas",
        b"x-mailbox-line",
        b"status",
        b"x-status",
        b"x-uid",
        b"x-keywords",
        b"lines",
        b"content-length",
    }
)
_HEADER_END = re.compile(rb"\r?\n\r?\n")
_LINE = re.compile(rb"\r?\n")
_MSGID = re.compile(rb"<[^<>\s\x00-\x1f\x7f]+>")


def split_head(data: bytes) -> tuple[list[bytes], bytes]:
    """The unfolded header lines and the body (bytes after the blank line)."""
    m = _HEADER_END.search(data)
    head, body = (data[: m.start()], data[m.end() :]) if m else (data, b"")
    lines: list[bytes] = []
    for line in _LINE.split(head):
        if line[:1] in (b" ", b"\t") and lines:
            lines[-1] += b" " + line.strip()
        elif line.startswith(b"From ") and not lines:
            continue  # mbox separator line
        else:
            lines.append(line)
    return lines, body


def identity_hash(data: bytes) -> str:
    lines, body = split_head(data)
    h = hashlib.sha256()
    for line in lines:
        name = line.split(b":", 1)[0].strip().lower()
        if name not in TRANSPORT:
            h.update(line.rstrip() + b"\n")
    h.update(b"\n")
    # line endings differ between delivery paths (CRLF from IMAP, LF from a pipe)
    h.update(body.replace(b"\r\n", b"\n"))
    return h.hexdigest()


def message_id(data: bytes) -> str | None:
    lines, _ = split_head(data)
    for line in lines:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"message-id":
            m = _MSGID.search(value)
            text = (m.group(0) if m else value.strip()).decode("ascii", "replace")
            text = "".join(c for c in text if c.isprintable())
            return text[:500] or None
    return None
