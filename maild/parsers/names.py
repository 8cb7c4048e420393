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
    if len(name) > MAX_NAME:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 10:
            name = stem[: MAX_NAME - len(ext) - 1] + "." + ext
        else:
            name = name[:MAX_NAME]
    return name


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
