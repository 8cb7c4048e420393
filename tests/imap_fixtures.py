"""Fixtures for the IMAP source tests: a real Dovecot, accounts on it, a cutting TCP proxy.

- `imap_server`: one Dovecot (plain and implicit-TLS listeners, a trustme certificate) for
  the session; skips without Dovecot on a laptop, fails when CI=true.
- `account`: a fresh user on it per test (own mail, own password) with helpers to append
  and inspect mail over a second connection, and `settings()` for a `[[mailboxes]]` entry.
- `make_dovecot`: a private Dovecot per test (to stop/restart it or change its capabilities).
- `Proxy`: a TCP relay that can cut connections, cut one after N bytes, or swallow traffic.

Test modules import what they use: `from tests.imap_fixtures import *` style is avoided, the
fixtures are imported by name (pytest finds them in the module namespace).
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import trustme
from imap_tools import MailBoxUnencrypted

from maild.pipeline import Incoming, Outcome
from maild.settings import MailboxSettings
from maild.sources.imap import ImapSource, ImapState
from tests.conftest import mail, need
from tests.dovecot_server import Dovecot


def have_dovecot() -> bool:
    return bool(shutil.which("dovecot") or os.path.exists("/usr/sbin/dovecot"))


@pytest.fixture(scope="session")
def imap_ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="session")
def imap_ca_file(imap_ca: trustme.CA, tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("imap-ca") / "ca.pem"
    imap_ca.cert_pem.write_to_path(str(path))
    return str(path)


POOL = 300  # accounts made with each server: Dovecot re-reads its user file at most once
# a second, so accounts are created up front and handed out one per test


def _new_dovecot(ca: trustme.CA, extra: str = "") -> Dovecot:
    if not have_dovecot():
        need("Dovecot not installed (apt-get install dovecot-imapd)")
    leaf = ca.issue_cert("127.0.0.1", "localhost")
    users = {f"u{i:03d}-{uuid.uuid4().hex[:6]}@example.test": uuid.uuid4().hex for i in range(POOL)}
    server = Dovecot(
        users,
        cert_pem=leaf.cert_chain_pems[0].bytes().decode(),
        key_pem=leaf.private_key_pem.bytes().decode(),
        extra=extra,
    )
    _free[id(server)] = list(users.items())
    _users[id(server)] = users
    return server


@pytest.fixture(scope="session")
def imap_server(imap_ca: trustme.CA) -> Iterator[Dovecot]:
    server = _new_dovecot(imap_ca)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        server.cleanup()


@pytest.fixture
def make_dovecot(imap_ca: trustme.CA) -> Iterator[Callable[..., Dovecot]]:
    made: list[Dovecot] = []

    def make(extra: str = "") -> Dovecot:
        server = _new_dovecot(imap_ca, extra)
        made.append(server)
        server.start()
        return server

    yield make
    for server in made:
        server.stop()
        server.cleanup()


_users: dict[int, dict[str, str]] = {}  # per server (id): every account on it
_free: dict[int, list[tuple[str, str]]] = {}  # per server (id): accounts not handed out yet


@dataclass
class Account:
    server: Dovecot
    user: str
    password: str
    ca_file: str = ""
    sources: list[ImapSource] = field(default_factory=list)

    def settings(self, **overrides: Any) -> MailboxSettings:
        values: dict[str, Any] = {
            "name": self.user.split("@")[0].split("-")[0],
            "host": "127.0.0.1",
            "port": self.server.port,
            "security": "none",
            "username": self.user,
            "password": self.password,
            "ca_file": self.ca_file,
            "poll_interval": 0.3,
        }
        values.update(overrides)
        return MailboxSettings(**values)

    def source(
        self, state: ImapState | None = None, *, timeout: float = 5.0, **overrides: Any
    ) -> ImapSource:
        kw = {
            k: overrides.pop(k)
            for k in ("retry_for", "backoff_initial", "backoff_max")
            if k in overrides
        }
        kw.setdefault("retry_for", 10.0)
        kw.setdefault("backoff_initial", 0.05)
        kw.setdefault("backoff_max", 0.5)
        src = ImapSource(self.settings(**overrides), state, timeout=timeout, **kw)
        self.sources.append(src)
        return src

    @contextmanager
    def admin(self, folder: str | None = "INBOX") -> Iterator[MailBoxUnencrypted]:
        """A second, independent connection: what another mail client would do."""
        box = MailBoxUnencrypted("127.0.0.1", self.server.port, timeout=10)
        box.login(self.user, self.password, initial_folder=folder)
        try:
            yield box
        finally:
            box.logout()

    def append(self, *mails: bytes, folder: str = "INBOX") -> None:
        with self.admin(None) as box:
            for data in mails:
                box.append(data, folder)

    def flags(self, folder: str = "INBOX") -> list[tuple[str, ...]]:
        """Flags of each mail in `folder`, oldest first (read with PEEK: changes nothing)."""
        with self.admin(folder) as box:
            return [m.flags for m in box.fetch(mark_seen=False, headers_only=True)]

    def subjects(self, folder: str = "INBOX") -> list[str]:
        with self.admin(folder) as box:
            return [m.subject for m in box.fetch(mark_seen=False, headers_only=True)]


def add_account(server: Dovecot, ca_file: str = "") -> Account:
    """An account of the pool, with its own empty mailbox."""
    user, password = _free[id(server)].pop()
    return Account(server, user, password, ca_file)


def change_password(account: Account, password: str) -> None:
    """Takes effect on the server within about a second (see POOL)."""
    users = _users[id(account.server)]
    users[account.user] = password
    account.server.set_users(users)
    account.password = password
    time.sleep(1.1)


@pytest.fixture
def account(imap_server: Dovecot, imap_ca_file: str) -> Iterator[Account]:
    acc = add_account(imap_server, imap_ca_file)
    yield acc
    for src in acc.sources:
        src.close()


def mails(n: int, prefix: str = "mail") -> list[bytes]:
    return [mail(subject=f"{prefix} {i}", body=f"body {i} ERR_{i}") for i in range(n)]


def outcomes(items: list[Incoming], action: str = "created") -> list[Outcome]:
    return [Outcome(i.label, 1, action, "test", "0" * 64, i) for i in items]


class Proxy:
    """A TCP relay to 127.0.0.1:`target`, driven by the test:
    `cut_next_after(n)`: the next connection is cut after n bytes from the server;
    `swallow = True`: new connections are accepted and then never answered;
    `drop_all()`: cut every open connection now."""

    def __init__(self, target: int) -> None:
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.listener.getsockname()[1])
        self.swallow = False
        self.connections = 0
        self._cut_after: int | None = None
        self._open: list[socket.socket] = []
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def cut_next_after(self, n: int) -> None:
        self._cut_after = n

    def drop_all(self) -> None:
        with self._lock:
            socks, self._open = self._open, []
        for s in socks:
            _kill(s)

    def close(self) -> None:
        _kill(self.listener)
        self.drop_all()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            with self._lock:
                self._open.append(client)
            if self.swallow:
                continue
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target), timeout=5)
            except OSError:
                _kill(client)
                continue
            upstream.settimeout(None)
            with self._lock:
                self._open.append(upstream)
            budget, self._cut_after = self._cut_after, None
            threading.Thread(target=_pump, args=(client, upstream, None), daemon=True).start()
            threading.Thread(target=_pump, args=(upstream, client, budget), daemon=True).start()


def _pump(src: socket.socket, dst: socket.socket, budget: int | None) -> None:
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            if budget is not None:
                if len(data) >= budget:
                    dst.sendall(data[:budget])
                    break
                budget -= len(data)
            dst.sendall(data)
    except OSError:
        pass
    _kill(src)
    _kill(dst)


def _kill(s: socket.socket) -> None:
    try:
        s.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    s.close()


def write_token_command(tmp: Path, token: str) -> tuple[str, Path, Path]:
    """A token command printing the content of a file and counting its runs."""
    token_file, count_file = tmp / "token", tmp / "runs"
    token_file.write_text(token)
    script = tmp / "token.py"
    script.write_text(
        "import pathlib\n"
        f"c = pathlib.Path({str(count_file)!r})\n"
        "c.write_text(str(int(c.read_text() or 0) + 1) if c.exists() else '1')\n"
        f"print(pathlib.Path({str(token_file)!r}).read_text())\n"
    )
    import sys

    return f"{sys.executable} {script}", token_file, count_file
