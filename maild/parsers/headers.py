"""Header values to text: RFC 2047 encoded words, raw 8-bit headers, addresses, dates.

compat32 parsing keeps raw 8-bit header bytes as surrogate escapes; they are recovered and
decoded with the charset fallbacks. Encoded words in a wrong or unknown charset, or broken
ones, degrade to their best decoding plus a defect note. Never raises.
"""

from __future__ import annotations

import email.errors
import email.header
import email.utils
import re
from datetime import datetime, timedelta, timezone
from email.message import Message

from maild.message import Address
from maild.parsers.charset import decode

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_WS = re.compile(r"\s+")
MAX_HEADER = 16_384  # a longer value is cut: decoding 50,000 encoded words takes seconds
MAX_ADDRESS_HEADER = 65_536
_BARE_ADDRESS = re.compile(r"[\w.+'=-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})+")
_ISO_DATE = re.compile(
    r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?\s*([+-]\d{2}:?\d{2})?"
)


def recover(value: str) -> bytes:
    return value.encode("utf-8", "surrogateescape")


def raw_all(msg: Message, name: str) -> list[str]:
    """Header values as they came: compat32 hands out 8-bit values as Header objects whose
    str() has already replaced the bytes; raw_items() keeps them for our charset fallbacks."""
    name = name.lower()
    return [str(v) for k, v in msg.raw_items() if k.lower() == name]


def raw_map(msg: Message) -> dict[str, list[str]]:
    """All raw header values by lower-case name, read once."""
    out: dict[str, list[str]] = {}
    for k, v in msg.raw_items():
        out.setdefault(k.lower(), []).append(str(v))
    return out


def raw_first(msg: Message, name: str) -> str | None:
    values = raw_all(msg, name)
    return values[0] if values else None


def decoded(value: str | None, defects: list[str], name: str = "header") -> str:
    """Decode raw 8-bit bytes and RFC 2047 encoded words; keep everything else as it is."""
    if value is None:
        return ""
    value = str(value)
    if len(value) > MAX_HEADER:
        defects.append(f"{name}: {len(value)} characters, only the first {MAX_HEADER} read")
        value = value[:MAX_HEADER]
    if any("\udc80" <= c <= "\udcff" for c in value):
        text, note = decode(recover(value), None)
        if note:
            defects.append(f"{name}: raw 8-bit header ({note})")
        value = text
    if "=?" not in value:
        return value
    try:
        parts = email.header.decode_header(value)
    except (ValueError, LookupError, AssertionError, email.errors.MessageError):
        defects.append(f"{name}: malformed encoded word")
        return value
    chunks: list[str] = []
    for chunk, charset in parts:
        if isinstance(chunk, bytes):
            piece, note = decode(chunk, charset or "utf-8")
            if note:
                defects.append(f"{name}: {note}")
            chunks.append(piece)
        else:
            chunks.append(chunk)
    return "".join(chunks)


def text(value: str | None, defects: list[str], name: str = "header") -> str:
    """Decode one header value to a single line of text."""
    out = decoded(value, defects, name)
    # a folded or injected CR/LF is never part of a header value we keep
    return _WS.sub(" ", _CONTROL.sub("", out.replace("\r", " ").replace("\n", " "))).strip()


def addresses(values: list[str] | None, defects: list[str], name: str) -> tuple[Address, ...]:
    if not values:
        return ()
    found: list[Address] = []
    try:
        pairs = email.utils.getaddresses([v for v in values if v])
    except RecursionError:  # the stdlib recurses once per nested "(" comment
        defects.append(f"{name}: comments nested too deep to parse")
        pairs = []
    if not any("@" in a and not any(c.isspace() for c in a) for _, a in pairs):
        pairs = _salvage(values)
    for display, addr in pairs:
        addr = addr.strip().strip("<>").lower()
        if "@" not in addr or any(c.isspace() or not c.isprintable() for c in addr):
            if addr:
                defects.append(f"{name}: unusable address {addr[:80]!r}")
            continue
        found.append(Address(text(display, defects, name).strip('"').strip(), addr[:320]))
    return tuple(found)


def address_header(values: list[str] | None, defects: list[str], name: str) -> tuple[Address, ...]:
    """Addresses from raw header values, decoding encoded words in display names first."""
    if not values:
        return ()
    decoded = []
    for v in values[:50]:
        v = str(v)[:MAX_ADDRESS_HEADER]
        if any("\udc80" <= c <= "\udcff" for c in v):
            v = decode(recover(v), None)[0]
        decoded.append(v.replace("\r", " ").replace("\n", " "))
    return addresses(decoded, defects, name)


def _salvage(values: list[str]) -> list[tuple[str, str]]:
    """An address the strict parser refused (`<a@b` unclosed, stray quotes): find it anyway."""
    out = []
    for v in values:
        m = _BARE_ADDRESS.search(v or "")
        if m:
            out.append((v[: m.start()].strip(" \t<\"'"), m.group(0)))
    return out


def date(value: str | None, defects: list[str]) -> datetime | None:
    if not value:
        return None
    try:
        d: datetime | None = email.utils.parsedate_to_datetime(str(value))
    except (TypeError, ValueError, IndexError, OverflowError):
        d = _iso_date(str(value))
    if d is None:
        defects.append(f"date: unreadable {str(value)[:60]!r}")
        return None
    if d.tzinfo is None:
        defects.append("date: no time zone")
        return None
    return d


def message_ids(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    return tuple(dict.fromkeys(re.findall(r"<[^<>\s\x00-\x1f\x7f]{1,500}>", str(value))))


def _iso_date(value: str) -> datetime | None:
    """"2026-11-23 10:00:00 +0800", as some webmail and scripts write it."""
    m = _ISO_DATE.search(value)
    if not m or not m.group(7):
        return None
    off = m.group(7).replace(":", "")
    sign = -1 if off[0] == "-" else 1
    try:
        tz = timezone(sign * timedelta(hours=int(off[1:3]), minutes=int(off[3:5])))
        year, month, day, hour, minute = (int(g) for g in m.groups()[:5])
        return datetime(year, month, day, hour, minute, int(m.group(6) or 0), tzinfo=tz)
    except ValueError:
        return None
