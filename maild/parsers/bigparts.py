"""Large base64 bodies kept out of the stdlib parser's hands.

Place: parse stage, before the MIME parse of a large mail. Input: the raw bytes. Output: the
bytes with each large base64 body replaced by a one-line token, and a map from token to a
memoryview of that body in the original bytes (no copy). The stdlib parser keeps every body
line as a str object and joins them, several times the body's size at its peak: a mail with
a 25 MB attachment would need about eight times its size. The MIME walker decodes a token's
part straight from the original bytes instead. Must never raise; a mail it cannot read this
way passes through unchanged.
"""

from __future__ import annotations

import re
import secrets

MIN_MAIL = 1024 * 1024
MIN_PART = 256 * 1024
MAX_PARTS = 200
PREFIX = b"maild-big-"
_CTE = re.compile(rb"^content-transfer-encoding:[ \t]*base64[ \t]*\r?$", re.IGNORECASE | re.M)
_HEADER_END = re.compile(rb"\r?\n\r?\n")
_BASE64 = re.compile(rb"[A-Za-z0-9+/=\r\n \t]*")


def shrink(data: bytes) -> tuple[bytes, dict[str, memoryview]]:
    if len(data) < MIN_MAIL:
        return data, {}
    nonce = secrets.token_hex(6)
    view = memoryview(data)
    chunks: list[bytes] = []
    found: dict[str, memoryview] = {}
    pos = 0
    delimiter = -2  # the next "\n--" at or after the last start; -1: there is none
    for m in _CTE.finditer(data):
        if m.start() < pos or len(found) >= MAX_PARTS:
            continue
        head_end = _HEADER_END.search(data, m.end(), m.end() + 8192)
        if head_end is None:
            continue
        start = head_end.end()
        if delimiter != -1 and delimiter < start:  # starts only grow: each byte scanned once
            delimiter = data.find(b"\n--", start)  # base64 has no "-": the delimiter ends it
        end = len(data) if delimiter < 0 else delimiter + 1
        if end - start < MIN_PART or not _looks_base64(data, start, end):
            continue
        token = f"{PREFIX.decode()}{nonce}-{len(found)}"
        chunks += [data[pos:start], token.encode() + b"\r\n"]
        found[token] = view[start:end]
        pos = end
    if not found:
        return data, {}
    chunks.append(data[pos:])
    return b"".join(chunks), found


def _looks_base64(data: bytes, start: int, end: int) -> bool:
    head, tail = data[start : start + 4096], data[max(start, end - 4096) : end]
    return _BASE64.fullmatch(head) is not None and _BASE64.fullmatch(tail) is not None


def restore(data: bytes, found: dict[str, memoryview]) -> bytes:
    """Put the original bodies back into bytes that hold tokens (a forwarded .eml)."""
    if not found or PREFIX not in data:
        return data
    for token, region in found.items():
        data = data.replace(token.encode(), bytes(region).rstrip(b"\r\n"))
    return data
