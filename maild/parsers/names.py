"""Safe attachment names: what maild shows for a file a sender named.

Input: the decoded file name from the mail (anything: `../../etc/passwd`, `C:\\x`, NUL,
RTL override, 1,000 characters). Output: a name with no directory part, no control or
bidi-override characters, no leading dots, at most 150 characters with its extension kept.
The stored file is named by its hash, never by this; the original stays as data.
"""

from __future__ import annotations

import re
import unicodedata

MAX_NAME = 150
MAX_BYTES = 240
_BAD = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]")
_RESERVED = re.compile(r"^(con|prn|aux|nul|com\d|lpt\d)(\.|$)", re.IGNORECASE)


def safe_name(original: str, fallback: str = "attachment") -> str:
    name = unicodedata.normalize("NFC", original or "")
    name = re.split(r"[/\\]", name)[-1]  # drop any directory part, POSIX or Windows
    # controls become visible "_"; invisible format characters (RTL override) just go
    name = "".join(
        "_" if unicodedata.category(c) == "Cc" else c
        for c in name
        if unicodedata.category(c) not in ("Cf", "Cs", "Co")
    )
    name = _BAD.sub("_", name).strip().lstrip(".").strip()
    if not name or _RESERVED.match(name):
        name = f"{fallback}_{name}" if name else fallback
    stem, dot, ext = name.rpartition(".")
    if not (dot and stem and 0 < len(ext) <= 10):
        stem, ext = name, ""
    # at most MAX_NAME characters and MAX_BYTES of UTF-8 (file systems count bytes)
    stem = stem[:MAX_NAME]
    while len(stem) > 1 and not _fits(f"{stem}.{ext}" if ext else stem):
        stem = stem[:-1]
    return f"{stem}.{ext}" if ext else stem


def _fits(name: str) -> bool:
    return len(name) <= MAX_NAME and len(name.encode("utf-8", "surrogatepass")) <= MAX_BYTES


def extension_for(content_type: str) -> str:
    if content_type.startswith("text/") and content_type not in ("text/html", "text/calendar"):
        return ".txt"
    return {
        "text/plain": ".txt",
        "text/html": ".html",
        "image/png": ".png",
        "image/jpeg": ".jpg",
        "image/gif": ".gif",
        "application/pdf": ".pdf",
        "message/rfc822": ".eml",
        "text/calendar": ".ics",
        "application/ms-tnef": ".dat",
    }.get(content_type, ".bin")
