"""Helpers shared by the latency benchmarks: an SMTP server that records arrival times, a
maild installation in a temp dir, mails with distinct senders, percentiles, machine facts."""

from __future__ import annotations

import email
import email.policy
import os
import platform
import random
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
from corpus import make  # noqa: E402

TAG = re.compile(rb"\[#(\d+)\]")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# -- SMTP -------------------------------------------------------------------------------


@dataclass
class Arrival:
    at: float  # time.monotonic() when DATA was accepted
    mail_from: str
    rcpt: list[str]
    ticket: int | None  # from the [#N] tag in the Subject, if any
    subject: str


@dataclass
class Recorder:
    """aiosmtpd handler: accepts everything, notes when each mail arrived."""

    arrivals: list[Arrival] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        now = time.monotonic()
        content = envelope.content if isinstance(envelope.content, bytes) else b""
        head = content.split(b"\r\n\r\n", 1)[0]
        msg = email.message_from_bytes(head + b"\r\n\r\n", policy=email.policy.default)
        subject = str(msg.get("Subject", ""))
        m = TAG.search(subject.encode())
        with self.lock:
            self.arrivals.append(
                Arrival(now, envelope.mail_from, list(envelope.rcpt_tos),
                        int(m.group(1)) if m else None, subject)
            )
        return "250 2.0.0 Ok: queued"

    def snapshot(self) -> list[Arrival]:
        with self.lock:
            return list(self.arrivals)


class SMTPRecorder:
    def __init__(self) -> None:
        self.handler = Recorder()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=free_port())

    @property
    def port(self) -> int:
        return int(self.controller.port)

    def __enter__(self) -> SMTPRecorder:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()


# -- maild ------------------------------------------------------------------------------


def toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return str(v)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    s = str(v).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{s}"'


def render(sections: dict[str, Any]) -> str:
    lines: list[str] = []
    for name, body in sections.items():
        entries = body if isinstance(body, list) else [body]
        for entry in entries:
            lines.append(f"[[{name}]]" if isinstance(body, list) else f"[{name}]")
            lines += [f"{k} = {toml_value(v)}" for k, v in entry.items()]
    return "\n".join(lines) + "\n"


class Maild:
    """A maild installation under `home`: config file, database, storage."""

    def __init__(self, home: Path, db: str, smtp_port: int, **extra: Any) -> None:
        self.home = home
        home.mkdir(parents=True, exist_ok=True)
        self.db_url = f"sqlite:///{home}/maild.db" if db == "sqlite" else db
        self.config = home / "maild.toml"
        sections: dict[str, Any] = {
            "database": {"url": self.db_url},
            "storage": {"path": str(home / "var")},
            "support": {"address": "support@example.com", "name": "Example Support",
                        "timezone": "Asia/Shanghai", "language": "zh"},
            "smtp": {"host": "127.0.0.1", "port": smtp_port, "security": "none"},
            "agents": {"addresses": ["alice@example.com"], "notify": ["team@example.com"]},
        }
        for key, val in extra.items():
            if isinstance(val, dict) and isinstance(sections.get(key), dict):
                sections[key] = {**sections[key], **val}
            else:
                sections[key] = val
        self.config.write_text(render(sections), encoding="utf-8")
        self.cmd = [sys.executable, "-m", "maild", "--config", str(self.config)]

    def __call__(
        self, *args: str, input: bytes | None = None
    ) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run([*self.cmd, *args], input=input, capture_output=True,
                              cwd=self.home, check=False)

    def upgrade(self) -> None:
        done = self("db", "upgrade")
        if done.returncode != 0:
            raise SystemExit(done.stderr.decode()[-2000:])

    def start(self) -> subprocess.Popen[bytes]:
        log = open(self.home / "run.log", "wb")  # noqa: SIM115 - closed with the process
        return subprocess.Popen([*self.cmd, "run"], cwd=self.home, stdout=log,
                                stderr=subprocess.STDOUT)

    def tickets(self) -> int:
        """How many tickets exist. SQLite: a read-only count (cheap, no process start);
        other databases: `maild status --json`."""
        if self.db_url.startswith("sqlite:///"):
            path = self.db_url[len("sqlite:///"):]
            con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
            try:
                return int(con.execute("select count(*) from tickets").fetchone()[0])
            finally:
                con.close()
        import json

        done = self("status", "--json")
        return sum(json.loads(done.stdout)["tickets"].values())

    def log(self) -> str:
        return (self.home / "run.log").read_text(errors="replace")


def stop(proc: subprocess.Popen[bytes], timeout: float = 30) -> int | None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return proc.returncode


# -- mail -------------------------------------------------------------------------------

SENDER = re.compile(rb"user\d+@customer\d+\.example")


def sender_of(i: int, tag: str = "b") -> str:
    return f"{tag}{i}@customer{i % 40}.example"


def distinct_mails(count: int, tag: str = "b", seed: int = 7) -> list[bytes]:
    """The bench corpus (bench/corpus.py), each mail from its own sender address, so the
    per-sender limits on automatic replies never apply."""
    rng = random.Random(seed)
    out = []
    for i in range(count):
        data = make(i, rng)
        data = SENDER.sub(sender_of(i, tag).encode(), data, count=1)
        data = data.replace(b"<bench-", f"<bench-{tag}-".encode(), 1)
        out.append(data)
    return out


def stdlib_rate(mails: list[bytes], rounds: int = 3) -> float:
    """The same measure as bench/ingest.py: parse and find the body, best of `rounds`."""
    best = 0.0
    for _ in range(rounds):
        t = time.perf_counter()
        for data in mails:
            msg = email.message_from_bytes(data, policy=email.policy.default)
            msg.get_body(("plain", "html"))  # type: ignore[attr-defined]
        best = max(best, len(mails) / (time.perf_counter() - t))
    return best


# -- figures ----------------------------------------------------------------------------


def pct(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    s = sorted(values)
    if not s:
        return float("nan")
    k = max(0, min(len(s) - 1, int(round(p / 100 * len(s) + 0.5)) - 1))
    return s[k]


def summary(values: list[float]) -> str:
    if not values:
        return "no values"
    return (f"p50 {pct(values, 50) * 1000:6.0f} ms  p90 {pct(values, 90) * 1000:6.0f} ms  "
            f"p99 {pct(values, 99) * 1000:6.0f} ms  max {max(values) * 1000:6.0f} ms  "
            f"(n={len(values)})")


def python_start(runs: int = 30, code: str = "import email") -> list[float]:
    """Wall time of `python -c CODE`, one process after another."""
    times = []
    for _ in range(runs):
        t = time.monotonic()
        subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
        times.append(time.monotonic() - t)
    return times


def machine() -> str:
    load = os.getloadavg()
    return (f"{platform.system()} {platform.release()} {platform.machine()}, "
            f"{os.cpu_count()} CPUs, Python {platform.python_version()}, "
            f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a running process has used so far (Linux /proc)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_until(check: Any, timeout: float, step: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(step)
    return bool(check())
