"""MIME structure to body text and attachments, with the stdlib `email` package.

Input: raw bytes. Output: `MimeParts` — the body text (text/plain preferred, else HTML turned
to text), attachments (decoded, named safely, size-limited), and defects. The stdlib parser
in compat32 mode never raises on bad mail and leaves charsets to us; mail-parser is not used
for bodies because it returns 7-bit ISO-2022-JP undecoded. Nested message/rfc822 parts stay
whole as .eml attachments; winmail.dat stays an attachment. Bounded: at most MAX_PARTS
parts and MAX_DEPTH nesting levels are read.
"""

from __future__ import annotations

import email
import email.message
import email.policy
import hashlib
from dataclasses import dataclass, field

from maild.message import Attachment
from maild.parsers import headers as hdr
from maild.parsers.charset import decode
from maild.parsers.html import to_text
from maild.parsers.names import extension_for, safe_name

MAX_PARTS = 500
MAX_DEPTH = 20


@dataclass(slots=True)
class MimeParts:
    plain: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)
    parts_seen: int = 0

    def body(self) -> tuple[str, str]:
        """(text, content type it came from)."""
        if any(p.strip() for p in self.plain):
            return "\n\n".join(p for p in self.plain if p.strip()), "text/plain"
        if self.html:
            return "\n\n".join(to_text(h, self.defects) for h in self.html), "text/html"
        return "", "text/plain"


def message_from_bytes(data: bytes) -> email.message.Message:
    return email.message_from_bytes(data, policy=email.policy.compat32)


def walk(msg: email.message.Message, max_attachment: int) -> MimeParts:
    out = MimeParts()
    out.defects += [type(d).__name__ for d in msg.defects]
    _walk(msg, out, 0, max_attachment)
    return out


def _walk(part: email.message.Message, out: MimeParts, depth: int, limit: int) -> None:
    out.parts_seen += 1
    if out.parts_seen > MAX_PARTS:
        if out.parts_seen == MAX_PARTS + 1:
            out.defects.append(f"more than {MAX_PARTS} MIME parts: the rest not read")
        return
    if depth > MAX_DEPTH:
        out.defects.append(f"MIME nesting deeper than {MAX_DEPTH}: not read further")
        return
    ctype = part.get_content_type()
    if part.is_multipart() and ctype != "message/rfc822":
        payload = part.get_payload()
        if not isinstance(payload, list):
            return
        for sub in payload:
            if isinstance(sub, email.message.Message):
                out.defects += [type(d).__name__ for d in sub.defects]
                _walk(sub, out, depth + 1, limit)
        return
    disposition = (part.get_content_disposition() or "").lower()
    filename = _filename(part, out.defects)
    is_body_text = (
        ctype in ("text/plain", "text/html")
        and disposition != "attachment"
        and (not filename or disposition == "inline" and ctype == "text/plain")
    )
    if is_body_text:
        text = _text_payload(part, out.defects)
        (out.plain if ctype == "text/plain" else out.html).append(text)
        return
    _attachment(part, ctype, filename, disposition, out, limit)


def _filename(part: email.message.Message, defects: list[str]) -> str:
    try:
        raw = part.get_filename() or part.get_param("name") or ""
    except (ValueError, LookupError, UnicodeError):
        defects.append("attachment: unreadable file name")
        return ""
    if isinstance(raw, tuple):  # RFC 2231 with an unknown charset comes back as a tuple
        charset, _, value = raw
        raw = decode(value.encode("latin-1", "replace"), charset)[0]
    return hdr.text(str(raw), defects, "filename")


def _bytes_payload(part: email.message.Message, defects: list[str]) -> bytes:
    if part.get_content_type() == "message/rfc822":
        inner = part.get_payload()
        if isinstance(inner, list) and inner and isinstance(inner[0], email.message.Message):
            return inner[0].as_bytes(policy=email.policy.compat32)
    try:
        data = part.get_payload(decode=True)
    except (ValueError, TypeError, AssertionError):
        data = None
    if data is None:
        raw = part.get_payload()
        defects.append(f"{part.get_content_type()}: payload could not be decoded")
        return str(raw).encode("utf-8", "surrogateescape") if isinstance(raw, str) else b""
    assert isinstance(data, bytes)
    cte = str(part.get("content-transfer-encoding", "")).strip().lower()
    if cte == "base64" and part.defects:
        defects.append("broken base64: decoded what could be read")
    return data


def _text_payload(part: email.message.Message, defects: list[str]) -> str:
    data = _bytes_payload(part, defects)
    text, note = decode(data, part.get_content_charset())
    if note:
        defects.append(f"{part.get_content_type()}: {note}")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _attachment(
    part: email.message.Message,
    ctype: str,
    filename: str,
    disposition: str,
    out: MimeParts,
    limit: int,
) -> None:
    data = _bytes_payload(part, out.defects)
    name = safe_name(filename, "attachment") if filename else ("attachment" + extension_for(ctype))
    if len(data) > limit:
        out.defects.append(
            f"attachment {name!r}: {len(data)} bytes is over the limit of {limit};"
            " not stored (the raw mail keeps it)"
        )
        return
    inline = disposition == "inline" or bool(part.get("content-id"))
    out.attachments.append(
        Attachment(
            filename=filename or name,
            safe_name=name,
            content_type=ctype,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            data=data,
            inline=inline,
        )
    )
