"""Crash consistency: mail keeps arriving while `maild run` is killed with SIGKILL again and
again; at the end every mail is on exactly one ticket with exactly one acknowledgement.

    python bench/crash.py [--mails 2000] [--kills 50] [--db sqlite|URL] [--daemons 1]
                          [--fail-rate 0.1] [--seed 1]

Services, all on 127.0.0.1 and started here: a Dovecot (tests/dovecot_server.py) with one
mailbox, an aiosmtpd server that answers 421 to about `--fail-rate` of DATA commands and
records every mail it accepts, and `--daemons` copies of `maild run` (more than one only with
PostgreSQL). Half the mails are APPENDed to the mailbox (IMAP IDLE source), half are fed one
`maild ingest -` process each, as an MTA pipe delivers them (exit 75 is retried, as an MTA
would). Every mail has its own subject and sender. Meanwhile a killer SIGKILLs a random
daemon at a random moment and starts it again, `--kills` times, spread over the time the
pipe feed takes (about one second a mail on two cores; `--gap` sets the mean gap instead).
A killed daemon holds its mailbox lease until it runs out (a minute), so IMAP intake pauses
after a kill; pipe delivery goes on.

Then the daemons run until every mail is ticketed, the mailbox is empty and nothing is
waiting in the outbox. A row a kill left in `sending` is only sent again after five minutes
(maild's stale-claim delay), so the drain can take that long. Checked and printed:

- lost: a mail (subject) without a ticket; doubles: a subject on two tickets or more;
- acks: tickets whose acknowledgement reached the SMTP server; missing acks must be visible
  as failed outbox rows;
- resent in the documented window: the same acknowledgement (same Message-ID) accepted twice
  — a kill between the server's 250 and maild's commit; a second acknowledgement with
  another Message-ID would be a real double and is counted apart.
"""

from __future__ import annotations

import argparse
import email
import email.policy
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.dovecot_server import Dovecot, free_port  # noqa: E402

# -- SMTP -----------------------------------------------------------------------------------


@dataclass
class Accepted:
    rcpt: tuple[str, ...]
    ticket: int | None
    message_id: str
    subject: str


@dataclass
class FlakySMTP:
    """Answers 421 to a share of DATA commands, records what it accepts."""

    fail_rate: float
    rng: random.Random
    accepted: list[Accepted] = field(default_factory=list)
    refused: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            if self.rng.random() < self.fail_rate:
                self.refused += 1
                return "421 4.3.2 Service shutting down, try again"
            head = envelope.content.split(b"\r\n\r\n", 1)[0] + b"\r\n\r\n"
            msg = email.message_from_bytes(head, policy=email.policy.default)
            ticket = msg.get("X-Maild-Ticket")
            self.accepted.append(Accepted(tuple(envelope.rcpt_tos),
                                          int(ticket) if ticket else None,
                                          str(msg.get("Message-ID", "")),
                                          str(msg.get("Subject", ""))))
            return "250 2.0.0 Ok: queued"


# -- mail -----------------------------------------------------------------------------------


def subject_of(i: int) -> str:
    return f"crash {i:05d} export fails"


def sender_of(i: int) -> str:
    return f"c{i:05d}@customer{i % 50}.example"


def mail(i: int) -> bytes:
    return (
        f"From: Customer {i} <{sender_of(i)}>\r\nTo: support@example.com\r\n"
        f"Subject: {subject_of(i)}\r\nMessage-ID: <crash-{i}-{uuid.uuid4().hex[:8]}@x.example>\r\n"
        "Date: Mon, 23 Nov 2026 10:00:00 +0800\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        f"The monthly report export fails for us (case {i}). Please help.\r\n"
    ).encode()


# -- maild ----------------------------------------------------------------------------------


class Installation:
    def __init__(self, home: Path, db: str, smtp_port: int, imap: Dovecot, user: str,
                 password: str) -> None:
        self.home = home
        self.db_url = f"sqlite:///{home}/maild.db" if db == "sqlite" else db
        self.config = home / "maild.toml"
        self.config.write_text(
            f'[database]\nurl = "{self.db_url}"\n'
            f'[storage]\npath = "{home}/var"\n'
            '[support]\naddress = "support@example.com"\nname = "Example Support"\n'
            'timezone = "Asia/Shanghai"\nlanguage = "en"\n'
            f'[smtp]\nhost = "127.0.0.1"\nport = {smtp_port}\nsecurity = "none"\n'
            '[agents]\naddresses = ["alice@example.com"]\nnotify = []\n'
            "[outbox]\npoll_interval = 0.2\nretry_base = 0.3\nmax_attempts = 30\n"
            "autoreply_per_sender_per_day = 1000\nmax_per_hour = 1000000\n"
            f'[[mailboxes]]\nname = "support"\nhost = "127.0.0.1"\nport = {imap.port}\n'
            f'security = "none"\nusername = "{user}"\npassword = "{password}"\n'
            'folder = "INBOX"\nprocessed_folder = "Archive"\nidle = true\npoll_interval = 2\n'
            'import_existing = "normal"\n',
            encoding="utf-8",
        )
        self.cmd = [sys.executable, "-m", "maild", "--config", str(self.config)]

    def __call__(self, *args: str,
                 input: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run([*self.cmd, *args], input=input, capture_output=True,
                              cwd=self.home, check=False)

    def start(self, n: int) -> subprocess.Popen[bytes]:
        log = open(self.home / f"run-{n}.log", "ab")  # noqa: SIM115 - the child keeps it
        return subprocess.Popen([*self.cmd, "run"], cwd=self.home, stdout=log,
                                stderr=subprocess.STDOUT)

    def json(self, *args: str) -> Any:
        done = self(*args, "--json")
        if done.returncode != 0:
            raise RuntimeError(done.stderr.decode()[-1000:])
        return json.loads(done.stdout)

    def ticket_count(self) -> int:
        if self.db_url.startswith("sqlite:///"):
            path = self.db_url[len("sqlite:///"):]
            con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
            try:
                return int(con.execute("select count(*) from tickets").fetchone()[0])
            finally:
                con.close()
        return len(self.json("tickets", "list", "--limit", "100000000"))


# -- the run --------------------------------------------------------------------------------


@dataclass
class Feed:
    appended: int = 0
    piped: int = 0
    pipe_retries: int = 0
    pipe_failures: list[str] = field(default_factory=list)


def feed_imap(imap: Dovecot, user: str, password: str, items: list[int], feed: Feed,
              rng: random.Random) -> None:
    from imap_tools import MailBoxUnencrypted

    box = MailBoxUnencrypted("127.0.0.1", imap.port, timeout=30)
    box.login(user, password, initial_folder=None)
    try:
        for i in items:
            box.append(mail(i), "INBOX")
            feed.appended += 1
            time.sleep(rng.uniform(0, 0.05))
    finally:
        box.logout()


def feed_pipe(inst: Installation, items: list[int], feed: Feed) -> None:
    for i in items:
        data = mail(i)
        for _ in range(100):
            done = inst("ingest", "-", input=data)
            if done.returncode == 0:
                feed.piped += 1
                break
            if done.returncode != 75:
                feed.pipe_failures.append(f"{i}: exit {done.returncode}: "
                                          f"{done.stderr.decode()[-300:]}")
                break
            feed.pipe_retries += 1  # the MTA keeps it and retries
            time.sleep(0.5)


def inbox_count(imap: Dovecot, user: str, password: str, folder: str = "INBOX") -> int:
    from imap_tools import MailBoxUnencrypted

    box = MailBoxUnencrypted("127.0.0.1", imap.port, timeout=30)
    box.login(user, password, initial_folder=folder)
    try:
        return len(box.uids("ALL"))
    finally:
        box.logout()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mails", type=int, default=2000)
    ap.add_argument("--kills", type=int, default=50)
    ap.add_argument("--db", default="sqlite")
    ap.add_argument("--daemons", type=int, default=1)
    ap.add_argument("--fail-rate", type=float, default=0.1)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--drain-timeout", type=float, default=900)
    ap.add_argument("--gap", type=float, default=0.0, help="mean seconds between kills")
    args = ap.parse_args()
    if args.daemons > 1 and args.db == "sqlite":
        raise SystemExit("several daemons need PostgreSQL (--db postgresql+psycopg://...)")
    rng = random.Random(args.seed)
    t0 = time.monotonic()
    user, password = "support@example.test", uuid.uuid4().hex
    imap = Dovecot({user: password})
    handler = FlakySMTP(args.fail_rate, random.Random(args.seed + 1))
    smtp = Controller(handler, hostname="127.0.0.1", port=free_port())
    imap.start()
    smtp.start()
    tmp = tempfile.mkdtemp(prefix="maild-crash-")
    procs: list[subprocess.Popen[bytes]] = []
    try:
        inst = Installation(Path(tmp), args.db, int(smtp.port), imap, user, password)
        up = inst("db", "upgrade")
        if up.returncode != 0:
            raise SystemExit(up.stderr.decode())
        numbers = list(range(args.mails))
        rng.shuffle(numbers)
        by_imap, by_pipe = numbers[: args.mails // 2], numbers[args.mails // 2:]
        feed = Feed()
        procs = [inst.start(n) for n in range(args.daemons)]
        feeders = [
            threading.Thread(target=feed_imap, args=(imap, user, password, by_imap, feed,
                                                     random.Random(args.seed + 2))),
            threading.Thread(target=feed_pipe, args=(inst, by_pipe, feed)),
        ]
        for f in feeders:
            f.start()
        kills = 0
        gap = args.gap or max(1.4, len(by_pipe) / max(1, args.kills))
        while kills < args.kills:
            time.sleep(rng.uniform(0.2, 2 * gap - 0.2))
            n = rng.randrange(len(procs))
            procs[n].send_signal(signal.SIGKILL)
            procs[n].wait()
            kills += 1
            procs[n] = inst.start(n)
            print(f"\rkills {kills}/{args.kills}, appended {feed.appended}, "
                  f"piped {feed.piped}", end="", file=sys.stderr, flush=True)
        for f in feeders:
            f.join()
        print(f"\nfed {feed.appended + feed.piped} mails; draining", file=sys.stderr)
        deadline = time.monotonic() + args.drain_timeout
        while time.monotonic() < deadline:
            time.sleep(3)
            if inst.ticket_count() < args.mails - len(feed.pipe_failures):
                continue
            if inbox_count(imap, user, password) != 0:
                continue
            waiting = [r for r in inst.json("outbox", "list") if r["status"] in
                       ("queued", "sending")]
            if not waiting:
                break
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            p.wait(60)
        elapsed = time.monotonic() - t0
        return report(inst, handler, feed, args, kills, elapsed,
                      inbox_count(imap, user, password),
                      inbox_count(imap, user, password, "Archive"))
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        smtp.stop()
        imap.stop()
        imap.cleanup()
        if os.environ.get("MAILD_CRASH_KEEP"):
            print(f"kept {tmp}", file=sys.stderr)
        else:
            import shutil

            shutil.rmtree(tmp, ignore_errors=True)


def report(inst: Installation, smtp: FlakySMTP, feed: Feed, args: argparse.Namespace,
           kills: int, elapsed: float, inbox: int, archive: int) -> int:
    tickets = inst.json("tickets", "list", "--limit", "100000000")
    per_subject = Counter(t["subject"] for t in tickets)
    lost = [i for i in range(args.mails) if per_subject[subject_of(i)] == 0]
    doubles = sum(c - 1 for s, c in per_subject.items() if c > 1)
    customer = {t["number"]: t["customer"]["address"] for t in tickets}
    acks: dict[int, list[str]] = defaultdict(list)
    for a in smtp.accepted:
        if a.ticket is not None:
            acks[a.ticket].append(a.message_id)
    wrong_rcpt = sum(1 for a in smtp.accepted
                     if a.ticket is not None and customer.get(a.ticket)
                     and a.rcpt != (customer[a.ticket],))
    outbox = inst.json("outbox", "list", "--all")
    failed = {r["ticket"] for r in outbox if r["status"] == "failed" and r["purpose"] == "ack"}
    waiting = [r for r in outbox if r["status"] in ("queued", "sending")]
    acked = sum(1 for t in tickets if acks.get(t["number"]))
    unacked = [t["number"] for t in tickets if not acks.get(t["number"])]
    invisible = [n for n in unacked if n not in failed]
    resent = sum(len(ids) - len(set(ids)) for ids in acks.values())
    double_acks = sum(len(set(ids)) - 1 for ids in acks.values() if len(set(ids)) > 1)
    quarantined = inst.json("quarantine", "list")
    rows = [
        ("mails in", f"{args.mails} ({feed.appended} by IMAP APPEND, {feed.piped} by pipe)"),
        ("tickets", len(tickets)),
        ("acknowledgements delivered (tickets)", acked),
        ("lost (a mail without a ticket)", len(lost)),
        ("doubles (a mail on two tickets)", doubles),
        ("second ack with another Message-ID (real double)", double_acks),
        ("ack resent in the documented window (same Message-ID)", resent),
        ("tickets without ack, failure visible in outbox", len(unacked) - len(invisible)),
        ("tickets without ack and no visible failure", len(invisible)),
        ("ack to a wrong recipient", wrong_rcpt),
        ("outbox rows still queued/sending", len(waiting)),
        ("quarantined", len(quarantined)),
        ("INBOX left / Archive", f"{inbox} / {archive}"),
        ("SMTP 421 answers", smtp.refused),
        ("pipe exit 75 retried / pipe failures", f"{feed.pipe_retries} / "
                                                 f"{len(feed.pipe_failures)}"),
        ("kills survived", f"{kills} (SIGKILL, {args.daemons} daemon(s))"),
        ("database", inst.db_url.split(":")[0]),
        ("elapsed", f"{elapsed:.0f} s"),
    ]
    print("\n| figure | value |\n|---|---|")
    for k, v in rows:
        print(f"| {k} | {v} |")
    for f in feed.pipe_failures[:5]:
        print(f"pipe failure: {f}", file=sys.stderr)
    if lost:
        print(f"lost: {lost[:20]}", file=sys.stderr)
    ok = not lost and not doubles and not double_acks and not invisible and not waiting \
        and not wrong_rcpt and not feed.pipe_failures
    print("\nRESULT:", "consistent" if ok else "INCONSISTENT")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
