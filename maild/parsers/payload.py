"""One MIME leaf part to bytes, text, a file name or an `Attachment`.

Place: parse stage, called by the MIME walker for each leaf. Input: a compat32 message part.
Output: decoded bytes (base64 / quoted-printable, broken ones decoded as far as they go),
text in the right charset, the sender's file name (RFC 2231 and RFC 2047, raw 8-bit), and
attachments with safe names under the size limit. Must never raise on bad mail: what went
wrong becomes a defect note.
"""

from __future__ import annotations

import base64
import binascii
import email.message
import email.policy
import hashlib
import quopri
import re

from maild.message import Attachment
from maild.parsers import bigparts
from maild.parsers import headers as hdr
from maild.parsers.charset import decode, no_surrogates
from maild.parsers.names import extension_for, safe_name

Big = dict[str, memoryview]  # large base64 bodies left out of the MIME parse (bigparts)
_RAW_NAME = re.compile(r"\b(?:file)?name\*?=\s*\"?([^\";\r\n]+)", re.IGNORECASE)
_B64_JUNK = re.compile(rb"[^A-Za-z0-9+/]")
_ICS_FIELDS = ("SUMMARY", "DTSTART", "DTEND", "LOCATION", "ORGANIZER", "DESCRIPTION")
_PARSE_ERRORS = (
    ValueError,
    LookupError,
    UnicodeError,
    TypeError,
    AttributeError,
    IndexError,
    RecursionError,
)


def disposition(part: email.message.Message) -> str:
    try:
        return (part.get_content_disposition() or "").lower()
    except _PARSE_ERRORS:
        return ""


def filename(part: email.message.Message, defects: list[str]) -> str:
    """The sender's file name, decoded, control characters kept; "" when there is none."""
    for header in ("content-disposition", "content-type"):
        value = hdr.raw_first(part, header)
        if value and any("\udc80" <= c <= "\udcff" for c in value):
            m = _RAW_NAME.search(value)  # raw 8-bit: get_param would have replaced the bytes
            if m:
                return _clean_name(hdr.decoded(m.group(1), defects, "filename"))
    try:
        raw = part.get_param("filename", None, "content-disposition")
        if not raw:
            raw = part.get_param("name", None, "content-type")
    except _PARSE_ERRORS:
        defects.append("attachment: unreadable file name")
        return ""
    if not raw:
        return ""
    if isinstance(raw, tuple):  # RFC 2231: (charset, language, percent-decoded latin-1)
        charset, _, value = raw
        try:
            data = str(value).encode("latin-1", "surrogateescape")
        except UnicodeEncodeError:  # continued in raw 8-bit: the stdlib already decoded it
            return _clean_name(no_surrogates(str(value)))
        text, note = decode(data, charset or None)
        if note:
            defects.append(f"filename: {note}")
        return _clean_name(text)
    return _clean_name(hdr.decoded(str(raw).strip('"'), defects, "filename"))


def _clean_name(name: str) -> str:
    """The sender's file name as data: one line, at most 1,000 characters, its extension
    kept (safe_name shortens it further for display and keeps the extension too)."""
    name = name.replace("\r", "").replace("\n", "").strip()
    if len(name) <= 1000:
        return name
    stem, dot, ext = name.rpartition(".")
    return stem[:1000 - len(ext) - 1] + "." + ext if dot and 0 < len(ext) <= 10 else name[:1000]


def raw(
    part: email.message.Message, defects: list[str], big: Big | None = None
) -> bytes:
    """The decoded bytes of a leaf part; broken base64 is read as far as it goes."""
    # the stored payload itself: get_payload() would decode 8-bit text with the declared
    # charset and replace what does not fit, before our charset fallbacks get a chance
    value = getattr(part, "_payload", None)
    if isinstance(value, list):
        return message_bytes(value[0], big) if value else b""
    if big and isinstance(value, str) and value.strip() in big:
        return _base64(big[value.strip()], defects)  # a large body, read from the raw mail
    if isinstance(value, bytes):
        data = value
    elif isinstance(value, str):
        data = value.encode("utf-8", "surrogateescape")
    else:
        return b""
    cte = str(part.get("content-transfer-encoding", "")).strip().lower()
    if cte == "base64":
        return _base64(data, defects)
    if cte == "quoted-printable":
        return quopri.decodestring(data)
    if cte in ("x-uuencode", "uuencode", "x-uue", "uue"):
        try:
            decoded = part.get_payload(decode=True)
        except _PARSE_ERRORS:
            decoded = None
        return decoded if isinstance(decoded, bytes) else data
    return data


def _base64(data: bytes | memoryview, defects: list[str]) -> bytes:
    try:
        return binascii.a2b_base64(data, strict_mode=False)
    except binascii.Error:
        pass
    clean = _B64_JUNK.sub(b"", bytes(data).split(b"=", 1)[0])
    clean = clean[: len(clean) - len(clean) % 4] if len(clean) % 4 == 1 else clean
    defects.append("broken base64: decoded what could be read")
    try:
        return base64.b64decode(clean + b"=" * (-len(clean) % 4))
    except (binascii.Error, ValueError):
        return b""


def text(part: email.message.Message, defects: list[str], big: Big | None = None) -> str:
    data = raw(part, defects, big)
    try:
        charset = part.get_content_charset()
    except _PARSE_ERRORS:
        charset = None
    value, note = decode(data, charset)
    if note:
        defects.append(f"{part.get_content_type()}: {note}")
    return value.replace("\r\n", "\n").replace("\r", "\n")


def has_words(part: email.message.Message) -> bool:
    """A plain alternative worth reading: not empty, not "view this mail in HTML"."""
    body = text(part, [])
    words = body.strip()
    if not words:
        return False
    return not (
        len(words) < 120
        and re.search(r"html|HTML|浏览器|browser|does not support|不支持", words) is not None
    )


def message_bytes(message: object, big: Big | None = None) -> bytes:
    if not isinstance(message, email.message.Message):
        return b""
    try:
        data = message.as_bytes(policy=email.policy.compat32)
    except _PARSE_ERRORS:
        data = str(message.get_payload()).encode("utf-8", "surrogateescape")
    return bigparts.restore(data, big or {})


def attachment(
    part: email.message.Message,
    ctype: str,
    name: str,
    dispo: str,
    limit: int,
    defects: list[str],
    big: Big | None = None,
) -> Attachment | None:
    data = raw(part, defects, big)
    inline = dispo == "inline" or (dispo != "attachment" and bool(part.get("content-id")))
    return make(data, name, ctype, inline, limit, defects)


def make(
    data: bytes, name: str, ctype: str, inline: bool, limit: int, defects: list[str]
) -> Attachment | None:
    shown = safe_name(name, "attachment") if name else "attachment" + extension_for(ctype)
    if len(data) > limit:
        defects.append(
            f"attachment {shown!r}: {len(data)} bytes is over the limit of {limit};"
            " not stored (the raw mail keeps it)"
        )
        return None
    return Attachment(
        filename=name or shown,
        safe_name=shown,
        content_type=ctype,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        data=data,
        inline=inline,
    )


def calendar_summary(ics: str) -> str:
    """The lines of an invitation a person reads: summary, time, place, organiser."""
    unfolded = re.sub(r"\r?\n[ \t]", "", ics[:200_000])
    found: list[str] = []
    for line in unfolded.splitlines():
        key, sep, value = line.partition(":")
        field = key.split(";", 1)[0].upper()
        if sep and field in _ICS_FIELDS and not any(f.startswith(field) for f in found):
            value = value.replace("\\n", "\n").replace("\\,", ",").replace("\\;", ";")
            found.append(f"{field.title()}: {value.strip()[:2000]}")
    return "\n".join(found)
