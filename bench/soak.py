"""Soak: one `maild run` (SQLite) under a steady stream of mixed mail for an hour; its memory
is sampled every 30 s.

    python bench/soak.py [--minutes 60] [--rate 4] [--pipe-share 0.1] [--reply-share 0.2]
                         [--big-share 0.02] [--big-mb 1 4] [--sample 30] [--seed 5]

Services, all on 127.0.0.1 and started here: a Dovecot (tests/dovecot_server.py) with one
mailbox that `maild run` watches with IDLE (`processed_folder = "Archive"`), and an aiosmtpd
server that records every mail maild sends. `outbox.max_per_hour` is raised (as
bench/ack_latency.py does) so the loop brake cannot hold mail back; the rest is default.

The stream: RATE mails a second on a fixed schedule (mail i is due at start + i / RATE),
for MINUTES. Each mail goes by IMAP APPEND (one connection, in order) or, with probability
PIPE_SHARE, through its own `maild ingest -` process, as an MTA pipe delivers (up to four at
once; exit 75 is retried; each process costs about 0.6 s of start-up CPU, so a larger share
mostly measures interpreter start-up). A mail is

- with probability REPLY_SHARE, a customer's reply to a ticket whose acknowledgement has
  arrived: half of them with In-Reply-To/References to the acknowledgement, half with only
  the `[#N]` tag in the subject (both must land on that ticket, as a follow-up);
- otherwise a new mail of the bench corpus from its own sender with its own subject, and
  with probability BIG_SHARE instead a mail with an attachment of BIG_MB (a range) of
  random bytes.

Every SAMPLE seconds the RSS of the `maild run` process is read (psutil if installed, else
VmRSS of /proc/PID/status), with its peak (VmHWM), open files, threads, CPU seconds, the
tickets so far and the size of the database files; progress goes to stderr. After the feed
the run drains (every ticket acknowledged, outbox empty, INBOX empty) and is checked:
every new mail exactly one ticket and one acknowledgement, every reply a follow-up on the
right ticket, nothing quarantined.

Printed: the samples at 0, 5, 10, 20, 30, 45 and 60 minutes (those within the run) and at
the end of the feed, the RSS growth from the 5-minute mark to the end of the feed (MB, %, and
the least-squares slope over those samples), the daemon's CPU seconds; baselines from the
same run: the peak RSS of `python -m maild --help` (interpreter + maild's imports) and the
stdlib `email` parse rate of the soak's own mails.
"""

from __future__ import annotations

import argparse
import email
import email.policy
import os
import queue
import random
import re
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from imap_tools import MailBoxUnencrypted

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent))
from _services import (  # noqa: E402
    SENDER,
    Maild,
    cpu_seconds,
    free_port,
    machine,
    sender_of,
    stdlib_rate,
    stop,
    wait_until,
)
from corpus import make  # noqa: E402

from tests.dovecot_server import Dovecot  # noqa: E402

TAG = "s"
MARKS = (0, 5, 10, 20, 30, 45, 60)
TICKET = re.compile(r"\[#(\d+)\]")
CUSTOMER = re.compile(rf"{TAG}\d+@customer\d+\.example$")

try:
    import psutil  # type: ignore[import-untyped]
except ImportError:
    psutil = None


# -- SMTP: acknowledgements with their Message-ID ---------------------------------------------


@dataclass
class Sent:
    at: float
    rcpt: tuple[str, ...]
    ticket: int | None
    subject: str
    message_id: str


@dataclass
class Outgoing:
    """aiosmtpd handler: records every mail; remembers each customer's acknowledgement."""

    sent: list[Sent] = field(default_factory=list)
    acked: dict[str, Sent] = field(default_factory=dict)  # customer -> first ack
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        content = envelope.content if isinstance(envelope.content, bytes) else b""
        head = content.split(b"\r\n\r\n", 1)[0] + b"\r\n\r\n"
        msg = email.message_from_bytes(head, policy=email.policy.default)
        subject = str(msg.get("Subject", ""))
        tag = msg.get("X-Maild-Ticket")
        if not tag:
            found = TICKET.search(subject)
            tag = found.group(1) if found else None
        s = Sent(time.monotonic(), tuple(envelope.rcpt_tos), int(tag) if tag else None,
                 subject, str(msg.get("Message-ID", "")))
        with self.lock:
            self.sent.append(s)
            for r in s.rcpt:
                if CUSTOMER.match(r) and s.ticket is not None:
                    self.acked.setdefault(r, s)
        return "250 2.0.0 Ok: queued"

    def customers(self) -> list[str]:
        with self.lock:
            return list(self.acked)


# -- mail -------------------------------------------------------------------------------------


@dataclass
class Fed:
    new: dict[str, str] = field(default_factory=dict)  # sender -> Message-ID
    replies: dict[str, int] = field(default_factory=dict)  # Message-ID -> expected ticket
    big: int = 0
    big_bytes: int = 0
    by_imap: int = 0
    by_pipe: int = 0
    pipe_retries: int = 0
    pipe_failures: list[str] = field(default_factory=list)
    imap_errors: list[str] = field(default_factory=list)
    pipe_times: list[float] = field(default_factory=list)
    max_lag: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self) -> int:
        return len(self.new) + len(self.replies)


def new_mail(i: int, rng: random.Random) -> tuple[str, str, bytes]:
    data = make(i, rng)
    sender = sender_of(i, TAG)
    data = SENDER.sub(sender.encode(), data, count=1)
    data = data.replace(b"<bench-", f"<bench-{TAG}-".encode(), 1)
    return sender, f"<bench-{TAG}-{i}@customer.example>", data


def big_mail(i: int, rng: random.Random, mb: tuple[float, float]) -> tuple[str, str, bytes]:
    sender = sender_of(i, TAG)
    msg = EmailMessage()
    msg["From"] = f"Customer {i} <{sender}>"
    msg["To"] = "support@example.com"
    msg["Subject"] = f"Screenshot and log of the failed export {i}"
    msg["Message-ID"] = mid = f"<soak-big-{i}@customer.example>"
    msg["Date"] = formatdate(localtime=True)
    msg.set_content(f"The export still fails with ERR_EXPORT_{rng.randint(100, 999)}.\n"
                    "Screenshot and the full log attached. Windows 11, Chrome 131.\n")
    size = int(rng.uniform(*mb) * 1024 * 1024)
    msg.add_attachment(rng.randbytes(size), maintype="image", subtype="png",
                       filename=f"screenshot-{i}.png")
    return sender, mid, msg.as_bytes(policy=email.policy.SMTP)


def reply_mail(j: int, sender: str, ack: Sent, threaded: bool) -> tuple[str, bytes]:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "support@example.com"
    msg["Subject"] = "Re: " + ack.subject
    msg["Message-ID"] = mid = f"<soak-reply-{j}@customer.example>"
    msg["Date"] = formatdate(localtime=True)
    if threaded:
        msg["In-Reply-To"] = ack.message_id
        msg["References"] = ack.message_id
    msg.set_content(f"More information ({j}): it happens every time after 10:00, for all "
                    "three of our accountants. 补充：每次十点以后都会出现。\n\n"
                    f"> {ack.subject}\n")
    return mid, msg.as_bytes(policy=email.policy.SMTP)


# -- feeding ----------------------------------------------------------------------------------


def imap_appender(server: Dovecot, user: str, password: str, q: queue.Queue[bytes | None],
                  fed: Fed) -> None:
    box: MailBoxUnencrypted | None = None
    while True:
        data = q.get()
        if data is None:
            break
        for attempt in range(5):
            try:
                if box is None:
                    box = MailBoxUnencrypted("127.0.0.1", server.port, timeout=60)
                    box.login(user, password, initial_folder=None)
                box.append(data, "INBOX")
                break
            except Exception as e:
                fed.imap_errors.append(f"{attempt}: {e!r}")
                box = None
                time.sleep(1)
    if box is not None:
        box.logout()


def pipe(m: Maild, data: bytes, fed: Fed, t: float) -> None:
    """One `maild ingest -` (retried on exit 75); the time from `t`, when the mail was due,
    to its success is noted."""
    for _ in range(30):
        done = m("ingest", "-", input=data)
        if done.returncode == 0:
            with fed.lock:
                fed.pipe_times.append(time.monotonic() - t)
            return
        if done.returncode != 75:
            with fed.lock:
                fed.pipe_failures.append(f"exit {done.returncode}: {done.stderr[-300:]!r}")
            return
        with fed.lock:
            fed.pipe_retries += 1
        time.sleep(1)
    with fed.lock:
        fed.pipe_failures.append("exit 75 thirty times")


def feed(args: argparse.Namespace, m: Maild, smtp: Outgoing, imap_q: queue.Queue[bytes | None],
         pipes: ThreadPoolExecutor, fed: Fed, until: float, parse_samples: list[bytes]) -> None:
    rng = random.Random(args.seed)
    content = random.Random(args.seed + 1)
    t0 = time.monotonic()
    i = j = 0
    replied: Counter[str] = Counter()
    while True:
        due = t0 + (i + j) / args.rate
        now = time.monotonic()
        if due >= until:
            break
        if due > now:
            time.sleep(due - now)
        fed.max_lag = max(fed.max_lag, time.monotonic() - due)
        customers = smtp.customers() if rng.random() < args.reply_share else []
        customers = [c for c in customers if replied[c] < 3]
        if customers:
            sender = rng.choice(customers)
            replied[sender] += 1
            ack = smtp.acked[sender]
            mid, data = reply_mail(j, sender, ack, threaded=j % 2 == 0)
            assert ack.ticket is not None
            fed.replies[mid] = ack.ticket
            j += 1
        else:
            if rng.random() < args.big_share:
                sender, mid, data = big_mail(i, content, tuple(args.big_mb))
                fed.big += 1
                fed.big_bytes += len(data)
            else:
                sender, mid, data = new_mail(i, content)
                if len(parse_samples) < 2000:
                    parse_samples.append(data)
            fed.new[sender] = mid
            i += 1
        if rng.random() < args.pipe_share:
            fed.by_pipe += 1
            pipes.submit(pipe, m, data, fed, due)
        else:
            fed.by_imap += 1
            imap_q.put(data)


# -- sampling ---------------------------------------------------------------------------------


@dataclass
class Sample:
    t: float  # seconds since the feed started
    rss: float  # MB
    hwm: float
    children: float
    fds: int
    threads: int
    cpu: float
    tickets: int
    fed: int
    db_mb: float


def status_kb(pid: int, key: str) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def rss_mb(pid: int) -> float:
    if psutil is not None:
        return float(psutil.Process(pid).memory_info().rss) / 2**20
    return status_kb(pid, "VmRSS") / 1024


def children_of(pid: int) -> list[int]:
    out = []
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/children") as f:
                out += [int(x) for x in f.read().split()]
        except OSError:
            pass
    return out


def tickets(db: Path) -> int:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        return int(con.execute("select count(*) from tickets").fetchone()[0])
    finally:
        con.close()


def sample(pid: int, t0: float, db: Path, fed: Fed) -> Sample:
    kids = 0.0
    for c in children_of(pid):
        try:
            kids += rss_mb(c)
        except (OSError, ValueError):
            pass
    size = sum(os.path.getsize(p) for p in (db, Path(f"{db}-wal")) if p.exists())
    return Sample(time.monotonic() - t0, rss_mb(pid), status_kb(pid, "VmHWM") / 1024, kids,
                  len(os.listdir(f"/proc/{pid}/fd")), len(os.listdir(f"/proc/{pid}/task")),
                  cpu_seconds(pid), tickets(db), fed.count(), size / 2**20)


def sampler(pid: int, t0: float, db: Path, fed: Fed, every: float, out: list[Sample],
            done: threading.Event) -> None:
    n = 0
    while not done.is_set():
        try:
            s = sample(pid, t0, db, fed)
        except (OSError, sqlite3.Error) as e:
            print(f"sample failed: {e!r}", file=sys.stderr)
        else:
            out.append(s)
            print(f"{s.t / 60:6.1f} min  RSS {s.rss:6.1f} MB  HWM {s.hwm:6.1f} MB  "
                  f"fds {s.fds:3d}  threads {s.threads:2d}  CPU {s.cpu:7.1f} s  "
                  f"tickets {s.tickets:6d}  fed {s.fed:6d}  db {s.db_mb:6.1f} MB",
                  file=sys.stderr, flush=True)
        n += 1
        done.wait(max(0.0, t0 + n * every - time.monotonic()))


def peak_rss_of(cmd: list[str]) -> float:
    """Peak RSS (MB) of one child process, from wait4."""
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(proc.pid, 0)
    proc.returncode = 0
    return usage.ru_maxrss / 1024


def slope(points: list[tuple[float, float]]) -> float:
    """Least-squares slope (y per x)."""
    n = len(points)
    if n < 2:
        return float("nan")
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    var = sum((x - mx) ** 2 for x, _ in points)
    return sum((x - mx) * (y - my) for x, y in points) / var if var else float("nan")


def nearest(samples: list[Sample], t: float) -> Sample:
    return min(samples, key=lambda s: abs(s.t - t))


# -- the run ----------------------------------------------------------------------------------


def check(db: Path, smtp: Outgoing, fed: Fed) -> tuple[list[tuple[str, object]], bool]:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        per_customer = Counter(r[0] for r in con.execute("select customer_address from tickets"))
        raw = {r[0]: (r[1], r[2]) for r in con.execute(
            "select message_id, outcome, ticket_number from raw_messages")}
        outcomes = dict(con.execute("select outcome, count(*) from raw_messages "
                                    "group by outcome").fetchall())
        quarantined = int(con.execute("select count(*) from quarantine").fetchone()[0])
        waiting = int(con.execute("select count(*) from outbox where status in "
                                  "('queued', 'sending')").fetchone()[0])
        failed = int(con.execute("select count(*) from outbox where status = 'failed'")
                     .fetchone()[0])
        big = int(con.execute("select count(*) from attachments where size > 500000")
                  .fetchone()[0])
        total = int(con.execute("select count(*) from tickets").fetchone()[0])
    finally:
        con.close()
    lost = [s for s in fed.new if per_customer[s] == 0]
    doubled = sum(c - 1 for s, c in per_customer.items() if c > 1)
    strangers = sum(c for s, c in per_customer.items() if s not in fed.new)

    def strip(mid: str) -> str:
        return mid.strip().strip("<>")

    raw = {strip(k or ""): v for k, v in raw.items()} | {k or "": v for k, v in raw.items()}
    wrong = [mid for mid, n in fed.replies.items()
             if raw.get(mid, raw.get(strip(mid), ("", None))) != ("followup", n)]
    with smtp.lock:
        sent = list(smtp.sent)
    acks = Counter(r for s in sent for r in s.rcpt if r in fed.new)
    acks_lost = sum(1 for s in fed.new if acks[s] == 0)
    acks_doubled = sum(c - 1 for c in acks.values() if c > 1)
    to_team = sum(1 for s in sent if "team@example.com" in s.rcpt)
    rows: list[tuple[str, object]] = [
        ("mails fed (new / replies)", f"{fed.count()} ({len(fed.new)} / {len(fed.replies)})"),
        ("by IMAP APPEND / by `maild ingest -`", f"{fed.by_imap} / {fed.by_pipe}"),
        ("big mails (attachment)", f"{fed.big}, {fed.big_bytes / 1e6:.0f} MB; stored "
                                   f"attachments over 500 kB: {big}"),
        ("tickets", total),
        ("new mails without a ticket (lost)", len(lost)),
        ("doubled tickets (same customer twice) / tickets of unknown senders",
         f"{doubled} / {strangers}"),
        ("replies not a follow-up on their ticket", len(wrong)),
        ("acknowledgements received", sum(acks.values())),
        ("acks lost / doubled", f"{acks_lost} / {acks_doubled}"),
        ("mails to the agents (notifications, incidents)", to_team),
        ("raw mail outcomes", outcomes),
        ("outbox queued or sending / failed", f"{waiting} / {failed}"),
        ("quarantined", quarantined),
        ("pipe exit 75 retried / pipe failures / IMAP errors",
         f"{fed.pipe_retries} / {len(fed.pipe_failures)} / {len(fed.imap_errors)}"),
    ]
    ok = not (lost or doubled or strangers or wrong or acks_lost or acks_doubled or waiting
              or quarantined or fed.pipe_failures)
    return rows, ok


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--minutes", type=float, default=60.0)
    ap.add_argument("--rate", type=float, default=4.0, help="mails per second")
    ap.add_argument("--pipe-share", type=float, default=0.1)
    ap.add_argument("--reply-share", type=float, default=0.2)
    ap.add_argument("--big-share", type=float, default=0.02)
    ap.add_argument("--big-mb", type=float, nargs=2, default=[1.0, 4.0])
    ap.add_argument("--sample", type=float, default=30.0, help="seconds between samples")
    ap.add_argument("--drain", type=float, default=600.0, help="seconds to wait at the end")
    ap.add_argument("--seed", type=int, default=5)
    args = ap.parse_args()
    print(f"machine: {machine()}")
    print(f"RSS read from {'psutil' if psutil is not None else '/proc/PID/status VmRSS'}")
    base_rss = peak_rss_of([sys.executable, "-m", "maild", "--help"])
    user, password = f"soak-{uuid.uuid4().hex[:6]}@example.test", uuid.uuid4().hex
    server = Dovecot({user: password})
    server.start()
    handler = Outgoing()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    fed = Fed()
    samples: list[Sample] = []
    parse_samples: list[bytes] = []
    code: int | None = None
    proc: subprocess.Popen[bytes] | None = None
    try:
        with tempfile.TemporaryDirectory(prefix="maild-soak-") as tmp:
            m = Maild(Path(tmp), "sqlite", int(controller.port),
                      outbox={"max_per_hour": 1000000},
                      mailboxes=[{"name": "support", "host": "127.0.0.1", "port": server.port,
                                  "security": "none", "username": user, "password": password,
                                  "idle": True, "import_existing": "normal",
                                  "processed_folder": "Archive"}])
            m.upgrade()
            db = Path(tmp) / "maild.db"
            proc = m.start()
            if not wait_until(lambda: "maild running" in m.log(), 60):
                raise SystemExit("maild run did not start:\n" + m.log()[-3000:])
            time.sleep(2.0)
            print(f"SQLite; Dovecot on 127.0.0.1:{server.port}, IDLE; {args.rate} mails/s for "
                  f"{args.minutes} min; pipe share {args.pipe_share}, replies "
                  f"{args.reply_share}, big mails {args.big_share} of "
                  f"{args.big_mb[0]}-{args.big_mb[1]} MB", flush=True)
            imap_q: queue.Queue[bytes | None] = queue.Queue()
            appender = threading.Thread(target=imap_appender, daemon=True,
                                        args=(server, user, password, imap_q, fed))
            appender.start()
            done = threading.Event()
            t0 = time.monotonic()
            sampling = threading.Thread(target=sampler, daemon=True,
                                        args=(proc.pid, t0, db, fed, args.sample, samples,
                                              done))
            sampling.start()
            with ThreadPoolExecutor(4, thread_name_prefix="pipe") as pipes:
                feed(args, m, handler, imap_q, pipes, fed, t0 + args.minutes * 60,
                     parse_samples)
                feed_end = time.monotonic() - t0
                imap_q.put(None)
                appender.join()
            end_sample = sample(proc.pid, t0, db, fed)
            print(f"feed over after {feed_end / 60:.1f} min; draining", file=sys.stderr,
                  flush=True)

            def drained() -> bool:
                if tickets(db) < len(fed.new):
                    return False
                if not set(fed.new) <= set(handler.customers()):
                    return False
                con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
                try:
                    n_raw = con.execute("select count(*) from raw_messages").fetchone()[0]
                    waiting = con.execute("select count(*) from outbox where status in "
                                          "('queued', 'sending')").fetchone()[0]
                finally:
                    con.close()
                return bool(n_raw >= fed.count() and waiting == 0)

            drain_t = time.monotonic()
            drained_ok = wait_until(drained, args.drain, step=1.0)
            drain_s = time.monotonic() - drain_t
            time.sleep(2.0)  # a doubled ack would arrive now
            done.set()
            sampling.join()
            final = sample(proc.pid, t0, db, fed)
            code = stop(proc)
            rows, ok = check(db, handler, fed)
            box = MailBoxUnencrypted("127.0.0.1", server.port, timeout=30)
            box.login(user, password, initial_folder=None)
            try:
                inbox = int(box.folder.status("INBOX", ["MESSAGES"])["MESSAGES"])
                archive = int(box.folder.status("Archive", ["MESSAGES"])["MESSAGES"])
            finally:
                box.logout()
            store_mb = sum(p.stat().st_size for p in (Path(tmp) / "var").rglob("*")
                           if p.is_file()) / 2**20
            errors = [ln for ln in m.log().splitlines() if " ERROR " in ln or "Traceback" in ln]
    finally:
        if proc is not None and proc.poll() is None:
            stop(proc)
        controller.stop()
        server.stop()
        server.cleanup()
    base_parse = stdlib_rate(parse_samples) if parse_samples else float("nan")
    samples = [s for s in samples if s.t <= feed_end + 1] + [end_sample]
    warm = 5.0 if args.minutes >= 10 else args.minutes / 3
    print(f"\nbaselines, same run: `python -m maild --help` peak RSS {base_rss:.1f} MB "
          f"(interpreter + maild's imports); stdlib email parse of {len(parse_samples)} of "
          f"the soak's new mails {base_parse:.0f} mails/s")
    print("\n| minute | RSS MB | peak RSS (VmHWM) MB | open files | threads | daemon CPU s "
          "| tickets | mails fed | database + WAL MB |")
    print("|---|---|---|---|---|---|---|---|---|")
    marks = [t for t in MARKS if t * 60 < feed_end - args.sample / 2]
    shown = [nearest(samples, t * 60) for t in marks] + [end_sample]
    for s, label in zip(shown, [*marks, None], strict=True):
        name = f"{label}" if label is not None else f"{s.t / 60:.1f} (end of feed)"
        print(f"| {name} | {s.rss:.1f} | {s.hwm:.1f} | {s.fds} | {s.threads} | {s.cpu:.0f} | "
              f"{s.tickets} | {s.fed} | {s.db_mb:.1f} |")
    print(f"| after drain (+{drain_s:.0f} s) | {final.rss:.1f} | {final.hwm:.1f} | "
          f"{final.fds} | {final.threads} | {final.cpu:.0f} | {final.tickets} | {final.fed} | "
          f"{final.db_mb:.1f} |")
    if any(s.children for s in samples):
        print(f"child processes' RSS, max: {max(s.children for s in samples):.1f} MB")
    w = nearest(samples, warm * 60)
    grow = end_sample.rss - w.rss
    fit = slope([(s.t / 3600, s.rss) for s in samples if s.t >= w.t])
    print(f"\nRSS growth from the {w.t / 60:.1f}-minute sample to the end of the feed "
          f"({end_sample.t / 60:.1f} min): {grow:+.1f} MB ({grow / w.rss * 100:+.1f} %); "
          f"least-squares slope over those {sum(1 for s in samples if s.t >= w.t)} samples: "
          f"{fit:+.1f} MB/hour")
    n = fed.count()
    print(f"daemon CPU: {final.cpu:.0f} s in {final.t:.0f} s ({final.cpu / final.t * 100:.1f} % "
          f"of one CPU), {final.cpu / max(1, n) * 1000:.1f} ms per mail fed (stdlib parse: "
          f"{1000 / base_parse:.2f} ms per mail); `maild run` exit {code}")
    pipe_t = sorted(fed.pipe_times)
    if pipe_t:
        print(f"pipe delivery, due -> `maild ingest -` exit 0: p50 "
              f"{pipe_t[len(pipe_t) // 2]:.2f} s, max {pipe_t[-1]:.2f} s; feed schedule lag "
              f"max {fed.max_lag:.2f} s")
    print(f"drain after the feed: {drain_s:.0f} s ({'done' if drained_ok else 'NOT done'}); "
          f"INBOX {inbox}, Archive {archive}; storage {store_mb:.0f} MB\n")
    print("| figure | value |\n|---|---|")
    for k, v in rows:
        print(f"| {k} | {v} |")
    for e in (fed.pipe_failures + fed.imap_errors)[:5]:
        print(f"feed error: {e}")
    for e in errors[:10]:
        print(f"maild log: {e}")
    ok = ok and drained_ok and inbox == 0 and code == 0
    print(f"\nmachine at the end: {machine()}")
    print("RESULT:", "consistent" if ok else "INCONSISTENT")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
