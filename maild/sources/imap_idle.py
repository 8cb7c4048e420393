"""IMAP IDLE (RFC 2177) on a selected connection: block until the server reports new mail.

Input: a `Connection` with the folder selected, a monotonic deadline and a stop event.
Output: True as soon as an EXISTS/RECENT line arrives, False when the deadline passes or the
event is set. IDLE is ended and re-issued before the RFC's 29-minute limit; keepalives
("* OK Still here") and flag or expunge news only keep it waiting. Raises what the socket
raises (the caller types it); never fetches or changes anything.
"""

from __future__ import annotations

import re
import selectors
import ssl
import threading
import time
from typing import Any

from maild.sources.imap_connect import Connection

# RFC 2177: re-issue IDLE at least every 29 minutes or the server may log us off
RENEW = 24 * 60.0
NEWS = re.compile(rb"^\* \d+ (EXISTS|RECENT)\b", re.IGNORECASE)


def pending_news(conn: Connection) -> bool:
    """An EXISTS the server sent in answer to an earlier command (mail arrived meanwhile)."""
    return bool(conn.client.untagged_responses.get("EXISTS"))


def idle_until_news(conn: Connection, deadline: float, stopping: threading.Event) -> bool:
    while not stopping.is_set():
        now = time.monotonic()
        if now >= deadline:
            return False
        if _idle_once(conn, min(deadline, now + RENEW), stopping):
            return True
    return False


def _idle_once(conn: Connection, until: float, stopping: threading.Event) -> bool:
    idle: Any = conn.box.idle  # imap-tools' IDLE start/DONE, untyped
    idle.start()
    news = False
    try:
        while not news and not stopping.is_set():
            remaining = until - time.monotonic()
            if remaining <= 0 or not _readable(conn, remaining):
                break
            # a whole line is coming; a stalled one hits the socket's command timeout
            line: bytes = conn.client._get_line()
            news = bool(NEWS.match(line))
    finally:
        if not stopping.is_set():
            _, answers = idle.stop()  # DONE; lines until the tagged OK
            news = news or any(NEWS.match(a) for a in answers if isinstance(a, bytes))
    return news or pending_news(conn)


def _readable(conn: Connection, timeout: float) -> bool:
    """Data waits in the reader's buffer, or arrives on the socket within `timeout`."""
    return _buffered(conn) or _socket_ready(conn.client.sock, timeout)


def _buffered(conn: Connection) -> bool:
    # Lines can sit in imaplib's buffered reader behind the one just read (several lines in
    # one TCP segment); the socket would not report them. Peek without blocking.
    sock = conn.client.sock
    reader: Any = conn.client.file
    old = sock.gettimeout()
    sock.settimeout(0)
    try:
        return bool(reader.peek(1))
    except (BlockingIOError, ssl.SSLWantReadError):
        return False
    finally:
        sock.settimeout(old)


def _socket_ready(sock: Any, timeout: float) -> bool:
    with selectors.DefaultSelector() as sel:
        sel.register(sock, selectors.EVENT_READ)
        return bool(sel.select(timeout))
