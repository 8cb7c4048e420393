"""winmail.dat (TNEF, from Outlook and Exchange) to the files and text inside it.

Place: parse stage, called by the MIME walker for application/ms-tnef parts. Input: the
decoded winmail.dat bytes. Output: `TnefContent` (attachments under the size limit, plain
body when TNEF carries one), or None when the data is not readable TNEF — the caller then
keeps winmail.dat itself. tnefparse is old and trusts its input, so the object structure is
walked here first (cheaply, without copies) and hostile files with huge object counts are
refused before tnefparse sees them. Must never raise.
"""

from __future__ import annotations

import logging
import struct
from dataclasses import dataclass

from maild.message import Attachment
from maild.parsers import payload
from maild.parsers.charset import decode

SIGNATURE = 0x223E9F78
MAX_OBJECTS = 5_000
MAX_FILES = 200
# what tnefparse raises on truncated or hostile data (it reads fields without checks)
_TNEF_ERRORS = (
    ValueError,
    IndexError,
    KeyError,
    TypeError,
    AttributeError,
    NameError,
    UnicodeError,
    LookupError,
    struct.error,
    OverflowError,
    RecursionError,
)


@dataclass(frozen=True, slots=True)
class TnefContent:
    attachments: tuple[Attachment, ...]
    body: str


def is_tnef(data: bytes) -> bool:
    return len(data) >= 6 and struct.unpack_from("<I", data)[0] == SIGNATURE


def _object_count(data: bytes) -> int:
    """Walk the TNEF object headers as tnefparse will, counting objects."""
    offset, count = 6, 0
    while offset + 11 < len(data):
        (length,) = struct.unpack_from("<I", data, offset + 5)
        offset += min(len(data) - offset, length + 11)
        count += 1
        if count > MAX_OBJECTS:
            break
    return count


def extract(data: bytes, limit: int, defects: list[str]) -> TnefContent | None:
    if not is_tnef(data):
        defects.append("winmail.dat: not TNEF data; kept as it is")
        return None
    if _object_count(data) > MAX_OBJECTS:
        defects.append(f"winmail.dat: more than {MAX_OBJECTS} TNEF objects; kept unopened")
        return None
    from tnefparse import TNEF  # type: ignore[import-untyped]

    logging.getLogger("tnefparse").setLevel(logging.ERROR)
    try:
        parsed = TNEF(data, do_checksum=False)
        files = [(_name(a), bytes(a.data or b"")) for a in parsed.attachments[:MAX_FILES]]
        body = parsed.body
    except _TNEF_ERRORS as e:
        defects.append(f"winmail.dat: unreadable TNEF ({type(e).__name__}); kept as it is")
        return None
    found: list[Attachment] = []
    for name, content in files:
        attachment = payload.make(content, name, _content_type(name), False, limit, defects)
        if attachment is not None:
            found.append(attachment)
    if isinstance(body, bytes):
        body = decode(body.rstrip(b"\x00"), None)[0]
    text = body.strip("\x00").strip() if isinstance(body, str) else ""
    if not found and not text:
        defects.append("winmail.dat: no files or text inside; kept as it is")
        return None
    return TnefContent(tuple(found), text)


def _name(attachment: object) -> str:
    for getter in ("long_filename", "name"):
        try:
            value = getattr(attachment, getter)
            value = value() if callable(value) else value
        except _TNEF_ERRORS:
            continue
        if isinstance(value, bytes):
            value = decode(value.rstrip(b"\x00"), None)[0]
        if isinstance(value, str) and value.strip("\x00").strip():
            return value.strip("\x00").strip()
    return ""


def _content_type(name: str) -> str:
    import mimetypes

    guessed, _ = mimetypes.guess_type(name, strict=False)
    return guessed or "application/octet-stream"
