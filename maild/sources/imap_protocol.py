"""IMAP protocol details the source needs beyond imap-tools: UID sets and UID FETCH answers.

Input: UIDs, or imaplib's raw answer to `UID FETCH (UID INTERNALDATE BODY.PEEK[])`. Output:
a compact UID set string; (UID, arrival time, raw bytes) per message. Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

_UID = re.compile(rb"\bUID (\d+)")
_INTERNALDATE = re.compile(rb'INTERNALDATE "([^"]+)"')


def uid_set(uids: Iterable[int]) -> str:
    """1,2,3,5 -> "1:3,5"."""
    runs: list[list[int]] = []
    for uid in sorted(set(uids)):
        if runs and uid == runs[-1][1] + 1:
            runs[-1][1] = uid
        else:
            runs.append([uid, uid])
    return ",".join(str(a) if a == b else f"{a}:{b}" for a, b in runs)


def parse_fetch(data: Sequence[Any]) -> list[tuple[int, datetime | None, bytes]]:
    """(UID, INTERNALDATE, body) from imaplib's answer to UID FETCH; the UID may stand before
    or after the body literal, and unsolicited FETCH lines (flag changes) are skipped."""
    out: list[tuple[int, datetime | None, bytes]] = []
    for i, item in enumerate(data):
        if not (isinstance(item, tuple) and len(item) == 2):
            continue
        after = data[i + 1] if i + 1 < len(data) and isinstance(data[i + 1], bytes) else b""
        meta = item[0] + b" " + after
        m = _UID.search(meta)
        if m:
            out.append((int(m.group(1)), _internaldate(meta), item[1]))
    return out


def _internaldate(meta: bytes) -> datetime | None:
    m = _INTERNALDATE.search(meta)
    if not m:
        return None
    try:
        when = datetime.strptime(m.group(1).decode().strip(), "%d-%b-%Y %H:%M:%S %z")
    except ValueError:
        return None
    return when.astimezone(UTC)


def number(values: list[Any] | None) -> int | None:
    if not values or not isinstance(values[-1], (bytes, str)):
        return None
    text = values[-1].decode() if isinstance(values[-1], bytes) else values[-1]
    return int(text) if text.strip().isdigit() else None


def chunks(items: Sequence[int], size: int) -> Iterable[Sequence[int]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
