"""A nudge from `maild ingest` to a running `maild run` on the same host: new mail is in the
outbox, send it now instead of at the next poll.

A datagram socket under `storage.path/run/` that only the daemon binds (mode 0600); the
sender's datagram carries no data that is trusted — it only makes the daemon look at the
database sooner. Without a daemon, or on another host, nothing happens and the poll still
finds the mail.
"""

from __future__ import annotations

import contextlib
import os
import socket
from pathlib import Path

from maild.store.files import private_dirs


def path(storage: str) -> Path:
    return Path(storage).resolve() / "run" / "wake.sock"


def listen(storage: str) -> socket.socket:
    p = path(storage)
    private_dirs(p.parent)
    with contextlib.suppress(FileNotFoundError):
        p.unlink()
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(str(p))
    os.chmod(p, 0o600)
    s.setblocking(False)
    return s


def nudge(storage: str) -> None:
    """Tell a daemon, if one listens, that mail waits; never fails."""
    p = path(storage)
    if not p.exists():
        return
    with contextlib.suppress(OSError), socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
        s.setblocking(False)
        s.sendto(b"w", str(p))
