"""Shared fixtures: real services started by the tests themselves.

- `pg_url`: a throwaway PostgreSQL cluster (initdb + pg_ctl, as the postgres user when run as
  root) on a free port, or $MAILD_TEST_PG_URL. Skips without PostgreSQL binaries, but fails
  when CI=true: CI must exercise it.
- `smtp`: a real aiosmtpd server that can be told to answer 421/550 or drop the connection.
- `db_url`: parametrised over SQLite and PostgreSQL, a fresh database per test.
- `maild`: runs the real CLI (`python -m maild`) in a subprocess against a config file.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

# IMAP fixtures (a real Dovecot) for every test module that asks for them
pytest_plugins = ["tests.imap_fixtures"]

ROOT = Path(__file__).resolve().parent.parent
CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def need(reason: str) -> None:
    """Skip on a laptop without the service; in CI a missing service is a failure."""
    if CI:
        pytest.fail(f"CI must run this test: {reason}")
    pytest.skip(reason)


# -- PostgreSQL -------------------------------------------------------------------------


class PgCluster:
    """A throwaway PostgreSQL cluster (initdb + pg_ctl, as the postgres user when root) on a
    free port; `restart()` and `stop()`/`start()` let a test take it away under load."""

    def __init__(self) -> None:
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not bins:
            need("PostgreSQL binaries not installed")
        self.bindir = os.path.dirname(bins[-1])
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        self.tmp = tempfile.mkdtemp(prefix="maild-pg-")
        os.chmod(self.tmp, 0o755)
        if self.as_user:
            shutil.chown(self.tmp, "postgres", "postgres")
        self.data, self.port = os.path.join(self.tmp, "data"), free_port()
        subprocess.run(
            [*self.as_user, f"{self.bindir}/initdb", "-D", self.data, "-U", "postgres",
             "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"],
            check=True, stdout=subprocess.DEVNULL)
        self.start()

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}"

    def _ctl(self, *args: str, check: bool = True) -> None:
        subprocess.run([*self.as_user, f"{self.bindir}/pg_ctl", "-D", self.data, *args],
                       stdout=subprocess.DEVNULL, check=check)

    def start(self) -> None:
        self._ctl("-l", f"{self.tmp}/server.log", "-w", "-t", "60", "-o",
                  f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.tmp} -c fsync=off "
                  "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200",
                  "start")

    def stop(self) -> None:
        self._ctl("-m", "fast", "-w", "stop", check=False)

    def destroy(self) -> None:
        self.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """Base URL (no database name) of a PostgreSQL server for this test session."""
    env = os.environ.get("MAILD_TEST_PG_URL")
    if env:
        yield env.rsplit("/", 1)[0]
        return
    cluster = PgCluster()
    try:
        yield cluster.url
    finally:
        cluster.destroy()


@pytest.fixture
def pg_url(pg_server: str) -> Iterator[str]:
    """A fresh, empty database on the session's server, dropped afterwards."""
    import sqlalchemy

    name = f"maild_{uuid.uuid4().hex[:10]}"
    admin = sqlalchemy.create_engine(f"{pg_server}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield f"{pg_server}/{name}"
    finally:
        with admin.connect() as c:
            c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/maild.db"
    return str(request.getfixturevalue("pg_url"))


# -- SMTP -------------------------------------------------------------------------------


@dataclass
class ScriptedSMTP:
    """aiosmtpd handler: answers from a script, records what it accepted."""

    fail_data: list[str] = field(default_factory=list)  # replies for the next DATA commands
    reject: set[str] = field(default_factory=set)  # recipients answered 550
    messages: list[tuple[str, list[str], bytes]] = field(default_factory=list)
    data_calls: int = 0
    drop_data: int = 0  # the next N DATA commands: the connection is cut, no answer
    slow_data: float = 0.0  # seconds to think before answering DATA (a kill -9 window)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: Any) -> str:
        if address in self.reject:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.data_calls += 1
        if self.drop_data > 0:
            self.drop_data -= 1
            server.transport.close()
            return "421 4.4.2 connection dropped"  # never reaches the client
        if self.fail_data:
            return self.fail_data.pop(0)
        if self.slow_data:
            import asyncio

            await asyncio.sleep(self.slow_data)
            if server.transport is None or server.transport.is_closing():
                return "421 4.4.2 client gone"  # like an MTA: not queued without the client
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 2.0.0 Ok: queued"


@dataclass
class SMTPServer:
    controller: Controller
    handler: ScriptedSMTP

    @property
    def port(self) -> int:
        return int(self.controller.port)

    def wait_for(self, count: int, timeout: float = 10.0) -> list[tuple[str, list[str], bytes]]:
        deadline = time.monotonic() + timeout
        while len(self.handler.messages) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.handler.messages


@pytest.fixture
def smtp() -> Iterator[SMTPServer]:
    handler = ScriptedSMTP()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield SMTPServer(controller, handler)
    finally:
        controller.stop()


# -- the maild CLI ----------------------------------------------------------------------


@dataclass
class Maild:
    """A maild installation in a temp dir: its config file and a runner for the CLI."""

    home: Path
    config: Path
    db_url: str

    def write_config(self, **sections: dict[str, Any]) -> None:
        self.config.write_text(render_toml(sections), encoding="utf-8")

    def __call__(self, *args: str, input: bytes | None = None, timeout: float = 60,
                 env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(
            [sys.executable, "-m", "maild", "--config", str(self.config), *args],
            input=input, capture_output=True, timeout=timeout, cwd=self.home,
            env={**os.environ, **(env or {})}, check=False)

    def json(self, *args: str, input: bytes | None = None) -> Any:
        import json

        done = self(*args, "--json", input=input)
        assert done.returncode == 0, done.stderr.decode()
        return json.loads(done.stdout)

    def wait_ready(self, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
        """Wait until `maild run` has its signal handlers (its wake socket exists then):
        a signal sent earlier would meet Python's defaults, on a slow machine too."""
        sock = self.home / "var" / "run" / "wake.sock"
        deadline = time.monotonic() + timeout
        while not sock.exists():
            assert proc.poll() is None, "maild run exited during start"
            assert time.monotonic() < deadline, "maild run did not start"
            time.sleep(0.05)

    def popen(self, *args: str, **kw: Any) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [sys.executable, "-m", "maild", "--config", str(self.config), *args], cwd=self.home,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)


def render_toml(sections: dict[str, Any]) -> str:
    def value(v: Any) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, (int, float)):
            return str(v)
        if isinstance(v, (list, tuple)):
            return "[" + ", ".join(value(x) for x in v) + "]"
        s = str(v).replace("\\", "\\\\").replace('"', '\\"')
        return f'"{s}"'

    def table(name: str, body: dict[str, Any], lines: list[str]) -> None:
        lines.append(f"[{name}]")
        lines += [f'"{k}" = {value(v)}' for k, v in body.items() if not isinstance(v, dict)]
        for sub, inner in body.items():
            if isinstance(inner, dict):
                table(f'{name}."{sub}"', inner, lines)

    lines: list[str] = []
    for name, body in sections.items():
        if isinstance(body, list):
            for entry in body:
                lines.append(f"[[{name}]]")
                lines += [f'"{k}" = {value(v)}' for k, v in entry.items()]
        else:
            table(name, body, lines)
    return "\n".join(lines) + "\n"


def base_config(home: Path, db_url: str, smtp_port: int = 2525) -> dict[str, Any]:
    return {
        "database": {"url": db_url},
        "storage": {"path": str(home / "var")},
        "support": {"address": "support@example.com", "name": "Example Support",
                    "timezone": "Asia/Shanghai", "language": "zh"},
        "smtp": {"host": "127.0.0.1", "port": smtp_port, "security": "none"},
        "agents": {"addresses": ["alice@example.com"], "notify": ["team@example.com"]},
        "outbox": {"poll_interval": 0.2},
    }


@pytest.fixture
def make_maild(tmp_path: Path) -> Callable[..., Maild]:
    def make(db_url: str | None = None, upgrade: bool = True, **overrides: Any) -> Maild:
        home = tmp_path / f"maild-{uuid.uuid4().hex[:6]}"
        home.mkdir()
        url = db_url or f"sqlite:///{home}/maild.db"
        m = Maild(home, home / "maild.toml", url)
        cfg = base_config(home, url)
        for key, val in overrides.items():
            if isinstance(val, dict) and isinstance(cfg.get(key), dict):
                cfg[key] = {**cfg[key], **val}
            else:
                cfg[key] = val
        m.write_config(**cfg)
        if upgrade:
            done = m("db", "upgrade")
            assert done.returncode == 0, done.stderr.decode()
        return m

    return make


@pytest.fixture
def maild(make_maild: Callable[..., Maild], db_url: str) -> Maild:
    """A ready maild on SQLite and on PostgreSQL (the test runs once for each)."""
    return make_maild(db_url)


def mail(subject: str = "订单导出失败", body: str = "导出报表时报错 ERR_EXPORT_100",
         sender: str = "张经理 <zhang@customer.cn>", msgid: str | None = None,
         extra: str = "", charset: str = "utf-8") -> bytes:
    """A small customer mail as bytes."""
    from email.header import Header
    from email.utils import formataddr, parseaddr

    sender = formataddr(parseaddr(sender), charset="utf-8")
    msgid = msgid or f"<{uuid.uuid4().hex}@customer.cn>"
    head = (f"From: {sender}\r\nTo: support@example.com\r\n"
            f"Subject: {Header(subject, charset).encode()}\r\nMessage-ID: {msgid}\r\n"
            f"Date: Mon, 23 Nov 2026 10:00:00 +0800\r\nMIME-Version: 1.0\r\n{extra}"
            f"Content-Type: text/plain; charset={charset}\r\n"
            "Content-Transfer-Encoding: 8bit\r\n\r\n")
    return head.encode("ascii") + body.encode(charset) + b"\r\n"
