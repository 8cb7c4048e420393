"""MIME structure to body text, attachments and forwarded mail, with the stdlib `email` package.

Place: parse stage, right after the raw bytes. Input: a compat32 message (it never raises on
bad mail and leaves charsets to us). Output: `MimeParts` — body segments in order (one
alternative chosen per multipart/alternative), attachments (decoded, named safely,
size-limited), forwarded messages with their text, and defects.

mail-parser is not used for bodies: it returns 7-bit ISO-2022-JP undecoded and leaves
winmail.dat alone. Signature parts (S/MIME, PGP) are not attachments; the signed body is read.
Nested message/rfc822 stays whole as an .eml attachment and its text is kept for the reader.
winmail.dat is opened (tnef module) and its files become attachments. Bounded: at most
MAX_PARTS parts and MAX_DEPTH levels. Must never raise on bad mail.
"""

from __future__ import annotations

import email.errors
import email.message
import email.parser
import email.policy
import re
import secrets
from dataclasses import dataclass, field

from maild.message import Attachment
from maild.parsers import headers as hdr
from maild.parsers import payload, tnef
from maild.parsers.html import to_text

_DELIMITER = re.compile(rb"^--([\x21-\x7e][\x20-\x7e]{0,69}?)[ \t]*\r?$", re.MULTILINE)
MAX_PARTS = 500
MAX_DEPTH = 20
SIGNATURES = frozenset(
    {
        "application/pkcs7-signature",
        "application/x-pkcs7-signature",
        "application/pgp-signature",
    }
)
TNEF_TYPES = frozenset({"application/ms-tnef", "application/vnd.ms-tnef"})


@dataclass(frozen=True, slots=True)
class Forward:
    """A message/rfc822 part: its attachment name, a header summary and its body text."""

    name: str
    summary: str
    text: str


@dataclass(slots=True)
class MimeParts:
    segments: list[tuple[str, str]] = field(default_factory=list)  # (content type, text)
    attachments: list[Attachment] = field(default_factory=list)
    forwards: list[Forward] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)
    extra_text: list[str] = field(default_factory=list)  # TNEF body, calendar, inline files
    parts_seen: int = 0
    big: payload.Big = field(default_factory=dict)

    def body(self) -> tuple[str, str]:
        """(text, content type it came from)."""
        texts: list[str] = []
        kinds: set[str] = set()
        for ctype, text in self.segments:
            if ctype == "text/html":
                text = to_text(text, self.defects)
            if text.strip():
                texts.append(text.strip("\n"))
                kinds.add(ctype)
        if not texts:
            texts = [t for t in self.extra_text if t.strip()]
        ctype = "text/html" if kinds == {"text/html"} else "text/plain"
        return "\n\n".join(texts), ctype


# RFC 2046 allows 70 characters; the stdlib compiles a boundary into a regular expression,
# at about a second and 130 MB per megabyte of boundary
_LONG_BOUNDARY = re.compile(rb'boundary\s*=\s*"?([^"\s;]{200,})', re.IGNORECASE)


def short_boundaries(data: bytes) -> bytes:
    """`data` with every over-long boundary (and its delimiters) replaced by a short one."""
    if b"oundary" not in data and b"OUNDARY" not in data:
        return data
    for n, long in enumerate(dict.fromkeys(m.group(1) for m in _LONG_BOUNDARY.finditer(data))):
        if n >= 20:
            break
        data = data.replace(long, b"maild-long-boundary-%d-%s" % (n, secrets.token_hex(8).encode()))
    return data


def message_from_bytes(data: bytes) -> email.message.Message:
    data = short_boundaries(data)
    try:
        return email.message_from_bytes(data, policy=email.policy.compat32)
    except RecursionError:
        # the stdlib parser recurses once per nesting level; thousands of levels exhaust the
        # stack. Keep the headers and read the body as plain text.
        msg = email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(data)
        msg.defects.append(email.errors.MessageDefect("MIME nesting too deep: read as text"))
        msg.set_type("text/plain")
        return msg


def walk(
    msg: email.message.Message, max_attachment: int, big: payload.Big | None = None
) -> MimeParts:
    out = MimeParts(big=big or {})
    out.defects += [_defect(d) for d in msg.defects]
    _walk(msg, out, 0, max_attachment, True)
    return out


def _walk(part: email.message.Message, out: MimeParts, depth: int, limit: int, body: bool) -> None:
    out.parts_seen += 1
    if out.parts_seen > MAX_PARTS:
        if out.parts_seen == MAX_PARTS + 1:
            out.defects.append(f"more than {MAX_PARTS} MIME parts: the rest not read")
        return
    if depth > MAX_DEPTH:
        out.defects.append(f"MIME nesting deeper than {MAX_DEPTH}: not read further")
        return
    ctype = part.get_content_type()
    if ctype in SIGNATURES:
        return  # a signature proves the body; it is not a file the customer sent
    if ctype == "message/rfc822" or ctype == "message/delivery-status":
        _message_part(part, ctype, out, depth, limit)
        return
    if part.is_multipart():
        subs = [s for s in part.get_payload() if isinstance(s, email.message.Message)]
        for sub in subs:
            out.defects += [_defect(d) for d in sub.defects]
        if ctype == "multipart/alternative":
            chosen = _choose(subs)
            for sub in subs:
                _walk(sub, out, depth + 1, limit, body and sub is chosen)
        else:
            if ctype == "multipart/encrypted":
                out.defects.append("encrypted mail (multipart/encrypted): body not readable")
            for sub in subs:
                _walk(sub, out, depth + 1, limit, body)
        return
    if ctype.startswith("multipart/"):
        salvaged = _with_found_boundary(part, ctype)
        if salvaged is not None:
            out.defects.append(f"{ctype} without its boundary: boundary found in the body")
            _walk(salvaged, out, depth + 1, limit, body)
            return
        out.defects.append(f"{ctype} without usable parts: read as text")
        ctype = "text/plain"
    disposition = payload.disposition(part)
    filename = payload.filename(part, out.defects)
    if ctype in ("text/plain", "text/html") and disposition != "attachment" and not filename:
        if body:
            out.segments.append((ctype, payload.text(part, out.defects, out.big)))
        return
    if ctype == "text/plain" and disposition == "inline" and body:
        # a named inline text part: a file, and the body if the mail has no other
        out.extra_text.append(payload.text(part, [], out.big))
    if ctype in TNEF_TYPES or filename.lower() == "winmail.dat":
        data = payload.raw(part, out.defects, out.big)
        found = tnef.extract(data, limit, out.defects)
        if found is not None:
            out.attachments += found.attachments
            out.extra_text += [found.body] if found.body else []
            return
    if ctype == "text/calendar":
        ics = payload.text(part, out.defects, out.big)
        out.extra_text.append(payload.calendar_summary(ics))
    if ctype == "application/pkcs7-mime" or filename.lower().endswith(".p7m"):
        out.defects.append("S/MIME enveloped or opaque-signed part: body not readable")
    attachment = payload.attachment(
        part, ctype, filename, disposition, limit, out.defects, out.big
    )
    if attachment is not None:
        out.attachments.append(attachment)


def _with_found_boundary(part: email.message.Message, ctype: str) -> email.message.Message | None:
    """A multipart whose boundary parameter is missing, cut or wrong, but whose body has a
    delimiter line near its start: parse it again with that boundary."""
    data = payload.raw(part, [], {})
    m = _DELIMITER.search(data[:4096])
    if m is None:
        return None
    boundary = m.group(1).decode("ascii", "replace")
    head = f'Content-Type: {ctype}; boundary="{boundary}"\r\n\r\n'.encode()
    again = message_from_bytes(head + data)
    return again if again.is_multipart() else None


def _defect(d: object) -> str:
    name, text = type(d).__name__, str(d)
    return f"{name}: {text}" if text and name == "MessageDefect" else name


def _choose(subs: list[email.message.Message]) -> email.message.Message | None:
    """The part of a multipart/alternative to read: plain text unless it is empty."""
    html = related = None
    for sub in subs:
        ctype = sub.get_content_type()
        if ctype == "text/plain" and payload.disposition(sub) != "attachment":
            if payload.has_words(sub):
                return sub
        elif ctype == "text/html":
            html = sub
        elif ctype.startswith("multipart/"):
            related = sub
    return related or html or (subs[-1] if subs else None)


def _message_part(
    part: email.message.Message, ctype: str, out: MimeParts, depth: int, limit: int
) -> None:
    inner = part.get_payload()
    if ctype == "message/delivery-status":
        blocks = inner if isinstance(inner, list) else []
        text = "\n\n".join(
            "\n".join(f"{k}: {v}" for k, v in b.items())
            for b in blocks
            if isinstance(b, email.message.Message)
        )
        data = text.encode("utf-8", "surrogateescape")
        found = payload.make(data, "delivery-status.txt", ctype, False, limit, out.defects)
        if found is not None:
            out.attachments.append(found)
        return
    message = inner[0] if isinstance(inner, list) and inner else None
    if not isinstance(message, email.message.Message):
        attachment = payload.attachment(part, ctype, "", "attachment", limit, out.defects)
        if attachment is not None:
            out.attachments.append(attachment)
        return
    defects: list[str] = []
    subject = hdr.text(hdr.raw_first(message, "subject"), defects, "subject")
    name = payload.filename(part, out.defects) or f"{subject[:80] or 'message'}.eml"
    data = payload.message_bytes(message, out.big)
    attachment = payload.make(data, name, ctype, False, limit, out.defects)
    if attachment is not None:
        out.attachments.append(attachment)
        name = attachment.safe_name
    inner_parts = MimeParts(parts_seen=out.parts_seen, big=out.big)  # one budget per mail
    _walk(message, inner_parts, depth + 1, limit, True)
    out.parts_seen = inner_parts.parts_seen
    text, _ = inner_parts.body()
    out.defects += [f"{name}: {d}" for d in inner_parts.defects[:10]]
    out.forwards.append(Forward(name, _summary(message, subject), text))


def _summary(message: email.message.Message, subject: str) -> str:
    defects: list[str] = []
    lines = []
    for label, key in (("From", "from"), ("Date", "date"), ("To", "to")):
        value = hdr.text(hdr.raw_first(message, key), defects, key)
        if value:
            lines.append(f"{label}: {value}")
    lines.append(f"Subject: {subject}")
    return "\n".join(lines)
