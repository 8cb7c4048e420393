"""Which attachments are text worth scanning for facts, and the part of them to scan.

Place: parse stage, between the MIME walk and fact extraction. Input: an `Attachment`.
Output: None for binary files; else (first line number, text) chunks — the head of the file
and its tail (where a log's latest error is), at most HEAD + TAIL bytes, decoded with the
charset fallbacks (UTF-16 logs from Windows included). Content decides, not only the name:
an `error.txt` sent as application/octet-stream is scanned, a PNG named `.log` is not. Pure.
"""

from __future__ import annotations

import codecs

from maild.message import Attachment
from maild.parsers.charset import decode

HEAD = 192 * 1024
TAIL = 64 * 1024
TEXT_NAMES = (
    ".log", ".txt", ".out", ".err", ".trace", ".csv", ".json", ".xml", ".ini", ".conf",
    ".cfg", ".yaml", ".yml", ".properties", ".stacktrace", ".dmp.txt", ".md", ".eml",
)
_BINARY_TYPES = ("image/", "audio/", "video/", "font/")
_UTF16 = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def chunks(a: Attachment) -> list[tuple[int, str]]:
    if a.content_type.startswith(_BINARY_TYPES) or a.content_type == "message/rfc822":
        return []
    if a.content_type in ("text/html", "text/calendar", "text/vcard", "text/x-vcard"):
        return []  # a page, an invitation or a card: structure, not a log
    named = a.safe_name.lower().endswith(TEXT_NAMES) or a.content_type.startswith("text/")
    sample = a.data[:4096]
    if not sample or not (named or a.content_type == "application/octet-stream"):
        return []
    if sample.startswith(_UTF16) or _looks_utf16(sample):
        data = a.data[: HEAD + TAIL]
        data = data[: len(data) - len(data) % 2]
        if sample.startswith(_UTF16):
            return [(1, decode(data, "utf-16")[0])]
        return [(1, data.decode("utf-16-le", "replace"))]
    if not _is_text(sample):
        return []
    if len(a.data) <= HEAD + TAIL:
        return [(1, decode(a.data, None)[0])]
    head = a.data[:HEAD]
    head = head[: head.rfind(b"\n") + 1] or head
    tail_start = len(a.data) - TAIL
    tail_start = a.data.find(b"\n", tail_start) + 1 or tail_start
    tail_line = a.data.count(b"\n", 0, tail_start) + 1
    return [(1, decode(head, None)[0]), (tail_line, decode(a.data[tail_start:], None)[0])]


def _is_text(sample: bytes) -> bool:
    if b"\x00" in sample:
        return False
    controls = sum(1 for b in sample if b < 9 or 13 < b < 32)
    return controls <= len(sample) // 100


def _looks_utf16(sample: bytes) -> bool:
    """UTF-16-LE ASCII text without a BOM: every odd byte NUL."""
    odd = sample[1:512:2]
    return len(odd) > 16 and odd.count(0) > len(odd) * 0.9
