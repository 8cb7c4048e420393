"""Sustained load: N mails into K `maild run` daemons on one PostgreSQL, K = 1 and K = 3.

    python bench/load.py [--mails 3000] [--daemons 1 3] [--assign own shared]
                         [--pg URL] [--timeout 900]

Services, all on 127.0.0.1 and started here: a throwaway PostgreSQL 15 cluster (initdb +
pg_ctl, as user postgres when run as root; its durable defaults: fsync, synchronous_commit and
full_page_writes stay on) unless `--pg` names a server whose superuser may create databases;
a Dovecot (tests/dovecot_server.py); an aiosmtpd server that records every mail it accepts.

Each run gets a fresh database and fresh mailboxes, and the same N mails (the bench corpus,
each from its own sender with its own subject, via distinct_mails):

- half are APPENDed over IMAP, spread round-robin over three Dovecot mailboxes (three users),
  one APPEND connection per mailbox, all three at once;
- half are dropped as a backlog of files into three Maildirs (written to tmp/, renamed into
  new/, all at once at the start), which the daemons pick up as `[[maildirs]]` sources.

Every daemon is its own installation (own config, own storage directory: one host each) on
the shared database. Maildir k belongs to daemon k mod K (a Maildir is local to its host, so
with one daemon it has all three). The IMAP mailboxes are configured

- own:    daemon k has mailbox k only (with K = 3 each daemon fetches one mailbox), or
- shared: every daemon has all three; the database lease decides which daemon fetches which
          mailbox (one at a time per mailbox), so the split is whatever the lease race gave —
          it is printed.

With K = 1 the two are the same configuration, run once. The daemons are started, and the
mail delivered only once all three mailbox leases are held (the daemons idle on them).

Measured per run, from the start of delivery: until every mail is a ticket (a `count(*)` on
the tickets table every 0.1 s) = mails/s; until the acknowledgement of every mail has arrived
at the SMTP server and the outbox holds nothing queued or sending = acks/s (each ticket also
sends one agent notification, counted too). Baselines measured in the same run, before and
after the runs: the stdlib `email` parse rate of the same mails (as in bench/ingest.py), and
for acks/s the rate at which the recording SMTP server takes mail from one aiosmtplib client
and PostgreSQL's single-row commit rate (maild's outbox commits once per SMTP answer).
Checked: every mail (sender) has exactly one ticket and exactly one acknowledgement (lost /
doubled), nothing quarantined, every INBOX and Maildir new/ empty. Outbox `max_per_hour` is
raised (as bench/ack_latency.py does) so the loop brake cannot hold mail back; everything else
is at its default.
"""

from __future__ import annotations

import argparse
import glob
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from imap_tools import MailBoxUnencrypted

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent))
from _services import (  # noqa: E402
    Maild,
    SMTPRecorder,
    cpu_seconds,
    distinct_mails,
    free_port,
    machine,
    sender_of,
    stdlib_rate,
    stop,
    wait_until,
)

from tests.dovecot_server import Dovecot  # noqa: E402

TAG = "ld"
BOXES = 3  # IMAP mailboxes, and Maildirs


# -- PostgreSQL -------------------------------------------------------------------------------


class Postgres:
    """A throwaway cluster on a free port, or an existing server (`url`)."""

    def __init__(self, url: str | None) -> None:
        self.url = url
        self.tmp: str | None = None
        self.bindir = ""
        self.as_user: list[str] = []

    def __enter__(self) -> Postgres:
        if self.url:
            return self
        self.bindir = sorted(glob.glob("/usr/lib/postgresql/*/bin"),
                             key=lambda p: int(p.split("/")[-2]))[-1]
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        self.tmp = tempfile.mkdtemp(prefix="maild-load-pg-")
        if self.as_user:
            shutil.chown(self.tmp, "postgres", "postgres")
        port = free_port()
        data = f"{self.tmp}/data"
        subprocess.run([*self.as_user, f"{self.bindir}/initdb", "-D", data, "-U", "postgres",
                        "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"],
                       check=True, stdout=subprocess.DEVNULL)
        subprocess.run([*self.as_user, f"{self.bindir}/pg_ctl", "-D", data, "-l",
                        f"{self.tmp}/server.log", "-w", "-t", "60", "-o",
                        f"-c listen_addresses=127.0.0.1 -p {port} -k {self.tmp}", "start"],
                       check=True, stdout=subprocess.DEVNULL)
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
        return self

    def __exit__(self, *exc: object) -> None:
        if self.tmp is None:
            return
        subprocess.run([*self.as_user, f"{self.bindir}/pg_ctl", "-D", f"{self.tmp}/data",
                        "-m", "fast", "-w", "stop"], stdout=subprocess.DEVNULL, check=False)
        shutil.rmtree(self.tmp, ignore_errors=True)

    def version(self) -> str:
        with psycopg.connect(libpq(self.database_url("postgres"))) as con:
            row = con.execute("show server_version").fetchone()
            return str(row[0]) if row else "?"

    def commit_rate(self, count: int = 1000) -> float:
        """Single-row INSERT transactions a second on this server, one connection: what
        one durable commit costs here (maild's outbox commits once per SMTP answer)."""
        url = self.create(f"commits_{uuid.uuid4().hex[:6]}")
        with psycopg.connect(libpq(url), autocommit=True) as con:
            con.execute("create table t (id serial primary key, v text)")
            t = time.monotonic()
            for i in range(count):
                con.execute("insert into t (v) values (%s)", (str(i),))
            return count / (time.monotonic() - t)

    def database_url(self, name: str) -> str:
        assert self.url
        return self.url.rsplit("/", 1)[0] + "/" + name

    def create(self, name: str) -> str:
        with psycopg.connect(libpq(self.database_url("postgres")), autocommit=True) as con:
            con.execute(f'drop database if exists "{name}"')
            con.execute(f'create database "{name}"')
        return self.database_url(name)


def libpq(url: str) -> str:
    """SQLAlchemy's URL -> the one psycopg takes."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


# -- delivery ---------------------------------------------------------------------------------


@dataclass
class Delivery:
    started: float = 0.0
    imap_done: list[float] = field(default_factory=list)
    files_done: float = 0.0
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def append_all(server: Dovecot, user: str, password: str, mails: list[bytes],
               out: Delivery) -> None:
    try:
        box = MailBoxUnencrypted("127.0.0.1", server.port, timeout=60)
        box.login(user, password, initial_folder=None)
        try:
            for data in mails:
                box.append(data, "INBOX")
        finally:
            box.logout()
    except Exception as e:
        with out.lock:
            out.errors.append(f"APPEND to {user}: {e!r}")
    with out.lock:
        out.imap_done.append(time.monotonic())


def drop_files(dirs: list[Path], parts: list[list[bytes]], out: Delivery) -> None:
    for n in range(max(len(p) for p in parts)):
        for k, part in enumerate(parts):
            if n < len(part):
                name = f"{time.time_ns()}.{n}.{k}.load"
                (dirs[k] / "tmp" / name).write_bytes(part[n])
                os.rename(dirs[k] / "tmp" / name, dirs[k] / "new" / name)
    out.files_done = time.monotonic()


def folder_count(server: Dovecot, user: str, password: str, folder: str) -> int:
    box = MailBoxUnencrypted("127.0.0.1", server.port, timeout=30)
    box.login(user, password, initial_folder=None)
    try:
        return int(box.folder.status(folder, ["MESSAGES"])["MESSAGES"])
    finally:
        box.logout()


SINK_CLIENT = """
import asyncio, sys, time
import aiosmtplib

async def main(port: int, count: int) -> None:
    data = (b"From: support@example.com\\r\\nTo: x@customer.example\\r\\n"
            b"Subject: [#1] baseline\\r\\nMessage-ID: <b@example.com>\\r\\n\\r\\n"
            + (b"x" * 70 + b"\\r\\n") * 40)
    t = time.monotonic()
    for start in range(0, count, 50):
        client = aiosmtplib.SMTP(hostname="127.0.0.1", port=port, start_tls=False)
        await client.connect()
        for _ in range(min(50, count - start)):
            await client.sendmail("support@example.com", ["x@customer.example"], data)
        await client.quit()
    print(count / (time.monotonic() - t))

asyncio.run(main(int(sys.argv[1]), int(sys.argv[2])))
"""


def sink_rate(count: int = 2000) -> float:
    """Mails/s the recording SMTP server takes from one aiosmtplib client in another
    process, 50 mails a connection (as maild's outbox claims them): the ceiling the
    recorder itself puts on acks/s."""
    with SMTPRecorder() as smtp:
        done = subprocess.run([sys.executable, "-c", SINK_CLIENT, str(smtp.port), str(count)],
                              capture_output=True, check=True, text=True)
    return float(done.stdout)


def cpu_busy() -> tuple[int, int]:
    """(busy, total) jiffies of the whole machine so far (/proc/stat)."""
    with open("/proc/stat") as f:
        parts = [int(x) for x in f.readline().split()[1:]]
    idle = parts[3] + parts[4]
    return sum(parts) - idle, sum(parts)


# -- one run ----------------------------------------------------------------------------------


@dataclass
class Run:
    daemons: int
    assign: str
    mails: int
    delivery_s: float = 0.0
    tickets_s: float | None = None
    acks_s: float | None = None
    acks_at_tickets: int = 0
    drained_s: float | None = None
    tickets: int = 0
    lost: int = 0
    doubled: int = 0
    acks: int = 0
    acks_lost: int = 0
    acks_doubled: int = 0
    notifications: int = 0
    outgoing: int = 0
    quarantined: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    sources: dict[str, int] = field(default_factory=dict)
    left: str = ""
    leases: str = ""
    cpu: list[float] = field(default_factory=list)
    busy: float = 0.0
    exits: list[int | None] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    load: str = ""


def one_run(pg: Postgres, server: Dovecot, users: list[tuple[str, str]], mails: list[bytes],
            k: int, assign: str, work: Path, timeout: float) -> Run:
    run = Run(k, assign if k > 1 else "-", len(mails))
    name = f"load_{k}_{assign}_{uuid.uuid4().hex[:6]}"
    db = pg.create(name)
    dirs = [work / f"maildir-{j}" for j in range(BOXES)]
    for d in dirs:
        for sub in ("tmp", "new", "cur"):
            (d / sub).mkdir(parents=True, exist_ok=True)
    boxes = [{"name": f"support-{j}", "host": "127.0.0.1", "port": server.port,
              "security": "none", "username": u, "password": p, "idle": True,
              "import_existing": "normal", "processed_folder": "Archive"}
             for j, (u, p) in enumerate(users)]
    by_imap, by_file = mails[0::2], mails[1::2]
    imap_parts = [by_imap[j::BOXES] for j in range(BOXES)]
    file_parts = [by_file[j::BOXES] for j in range(BOXES)]
    wanted = {sender_of(i, TAG) for i in range(len(mails))}
    con = psycopg.connect(libpq(db), autocommit=True)
    with SMTPRecorder() as smtp:
        installs = []
        for n in range(k):
            mine = [j for j in range(BOXES) if j % k == n]
            installs.append(Maild(
                work / f"daemon-{n}", db, smtp.port,
                outbox={"max_per_hour": 1000000},
                mailboxes=[boxes[j] for j in (mine if assign == "own" else range(BOXES))],
                maildirs=[{"name": f"local-{j}", "path": str(dirs[j])} for j in mine],
            ))
        installs[0].upgrade()
        procs = [m.start() for m in installs]
        try:
            for m in installs:
                if not wait_until(lambda m=m: "maild running" in m.log(), 60):
                    raise SystemExit("maild run did not start:\n" + m.log()[-3000:])

            def leases_held() -> bool:
                row = con.execute("select count(*) from source_state where name like 'imap:%' "
                                  "and owner <> '' and lease_until > now()").fetchone()
                return bool(row and row[0] == BOXES)

            if not wait_until(leases_held, 90, step=0.2):
                raise SystemExit("the daemons did not take the mailbox leases")
            time.sleep(1.0)  # let every mailbox thread reach IDLE
            busy0 = cpu_busy()
            cpu0 = [cpu_seconds(p.pid) for p in procs]
            run.load = machine()
            out = Delivery(started=time.monotonic())
            feeders = [threading.Thread(target=append_all,
                                        args=(server, u, p, imap_parts[j], out))
                       for j, (u, p) in enumerate(users)]
            feeders.append(threading.Thread(target=drop_files, args=(dirs, file_parts, out)))
            for f in feeders:
                f.start()
            t0 = out.started
            deadline = t0 + timeout
            while time.monotonic() < deadline:
                row = con.execute("select count(*) from tickets").fetchone()
                if row and row[0] >= len(mails):
                    run.tickets_s = time.monotonic() - t0
                    break
                if any(p.poll() is not None for p in procs):
                    break
                time.sleep(0.1)
            for f in feeders:
                f.join()
            run.delivery_s = max([*out.imap_done, out.files_done]) - t0
            run.errors += out.errors

            def drained() -> bool:
                got = {r for a in smtp.handler.snapshot() for r in a.rcpt}
                if not wanted <= got:
                    return False
                row = con.execute("select count(*) from outbox "
                                  "where status in ('queued', 'sending')").fetchone()
                return bool(row and row[0] == 0)

            if wait_until(drained, max(30.0, deadline - time.monotonic()), step=0.2):
                arrivals = smtp.handler.snapshot()
                acks_at = [a.at for a in arrivals if set(a.rcpt) & wanted]
                run.acks_s = max(acks_at) - t0
                if run.tickets_s is not None:
                    run.acks_at_tickets = sum(1 for a in acks_at if a <= t0 + run.tickets_s)
                run.drained_s = max(a.at for a in arrivals) - t0
            time.sleep(2.0)  # a doubled ack would arrive now
            run.cpu = [cpu_seconds(p.pid) - c for p, c in zip(procs, cpu0, strict=True)]
            busy1 = cpu_busy()
            run.busy = (busy1[0] - busy0[0]) / max(1, busy1[1] - busy0[1])
            owners: dict[str, str] = dict(con.execute(
                "select name, owner from source_state where name like 'imap:%'").fetchall())
        finally:
            run.exits = [stop(p) for p in procs]
        arrivals = smtp.handler.snapshot()
    pids = {str(p.pid): n for n, p in enumerate(procs)}
    run.leases = ", ".join(
        f"{box.removeprefix('imap:')}: daemon {pids.get(owner.rsplit(':', 1)[-1], owner)}"
        for box, owner in sorted(owners.items()))
    per_customer = Counter(r[0] for r in con.execute("select customer_address from tickets"))
    run.tickets = sum(per_customer.values())
    run.lost = sum(1 for s in wanted if per_customer[s] == 0)
    run.doubled = sum(per_customer[s] - 1 for s in wanted if per_customer[s] > 1)
    run.doubled += sum(c for s, c in per_customer.items() if s not in wanted)
    acks = Counter(r for a in arrivals for r in a.rcpt if r in wanted)
    run.acks = sum(acks.values())
    run.acks_lost = sum(1 for s in wanted if acks[s] == 0)
    run.acks_doubled = sum(c - 1 for c in acks.values() if c > 1)
    run.notifications = sum(1 for a in arrivals if "team@example.com" in a.rcpt)
    run.outgoing = len(arrivals)
    run.outcomes = dict(con.execute("select outcome, count(*) from raw_messages "
                                    "group by outcome").fetchall())
    run.sources = dict(con.execute("select mailbox, count(*) from raw_messages "
                                   "group by mailbox order by mailbox").fetchall())
    row = con.execute("select count(*) from quarantine").fetchone()
    run.quarantined = int(row[0]) if row else -1
    con.close()
    inbox = [folder_count(server, u, p, "INBOX") for u, p in users]
    archive = [folder_count(server, u, p, "Archive") for u, p in users]
    files = [len(os.listdir(d / "new")) for d in dirs]
    run.left = (f"INBOX {inbox}, Archive {archive}, Maildir new/ {files}")
    for n, m in enumerate(installs):
        bad = [ln for ln in m.log().splitlines() if " ERROR " in ln or "Traceback" in ln]
        run.errors += [f"daemon {n}: {ln}" for ln in bad[:5]]
    return run


def rate(count: int, seconds: float | None) -> str:
    return f"{count / seconds:.0f}/s" if seconds else "not reached"


def secs(seconds: float | None) -> str:
    return f"{seconds:.1f} s" if seconds is not None else "timeout"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mails", type=int, default=3000)
    ap.add_argument("--daemons", type=int, nargs="+", default=[1, 3])
    ap.add_argument("--assign", nargs="+", choices=("own", "shared"), default=["own", "shared"],
                    help="IMAP mailboxes per daemon when K > 1 (see above)")
    ap.add_argument("--pg", help="postgresql+psycopg://user@host:port/db of an existing server")
    ap.add_argument("--timeout", type=float, default=900.0, help="seconds per run")
    args = ap.parse_args()
    mails = distinct_mails(args.mails, tag=TAG, seed=11)
    size = sum(len(d) for d in mails)
    plan = [(k, a) for k in args.daemons for a in (args.assign if k > 1 else ["own"])]
    users = [[(f"load{r}-{j}-{uuid.uuid4().hex[:6]}@example.test", uuid.uuid4().hex)
              for j in range(BOXES)] for r in range(len(plan))]
    print(f"machine: {machine()}")
    base_before = stdlib_rate(mails)
    sink_before = sink_rate()
    server = Dovecot({u: p for run_users in users for u, p in run_users})
    server.start()
    runs: list[Run] = []
    commits_before = commits_after = float("nan")
    try:
        with Postgres(args.pg) as pg, tempfile.TemporaryDirectory() as tmp:
            print(f"PostgreSQL {pg.version()} ({'given' if args.pg else 'throwaway cluster'}, "
                  f"durable defaults); Dovecot on 127.0.0.1:{server.port}, IDLE; "
                  f"{args.mails} mails ({size / 1e6:.1f} MB): {len(mails[0::2])} by IMAP "
                  f"APPEND over {BOXES} mailboxes, {len(mails[1::2])} as files in "
                  f"{BOXES} Maildirs")
            commits_before = pg.commit_rate()
            for n, (k, assign) in enumerate(plan):
                print(f"run {n + 1}/{len(plan)}: {k} daemon(s), mailboxes {assign} ...",
                      file=sys.stderr, flush=True)
                runs.append(one_run(pg, server, users[n], mails, k, assign,
                                    Path(tmp) / f"run-{n}", args.timeout))
            commits_after = pg.commit_rate()
    finally:
        server.stop()
        server.cleanup()
    base_after = stdlib_rate(mails)
    sink_after = sink_rate()
    base = max(base_before, base_after)
    print(f"\nbaselines, same run, before / after the runs: stdlib email parse of the same "
          f"{args.mails} mails {base_before:.0f} / {base_after:.0f} mails/s; the recording SMTP "
          f"server from one aiosmtplib client (50 mails a connection) {sink_before:.0f} / "
          f"{sink_after:.0f} mails/s; PostgreSQL single-row commits (one connection) "
          f"{commits_before:.0f} / {commits_after:.0f} a second\n")
    print("| daemons | IMAP mailboxes per daemon | delivery done | first delivery → last "
          "ticket | mails/s | ratio to stdlib parse | acks arrived by then | → last ack, "
          "outbox drained | acks/s | all outgoing (acks + notifications) |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in runs:
        per = {"own": "its own (1)", "shared": "all 3, lease decides",
               "-": "all 3"}[r.assign]
        ratio = f"{r.mails / r.tickets_s / base:.3f}" if r.tickets_s else "-"
        outgoing = (f"{r.outgoing} in {secs(r.drained_s)} = {rate(r.outgoing, r.drained_s)}")
        print(f"| {r.daemons} | {per} | {r.delivery_s:.1f} s | {secs(r.tickets_s)} | "
              f"{rate(r.mails, r.tickets_s)} | {ratio} | {r.acks_at_tickets} | {secs(r.acks_s)} | "
              f"{rate(r.mails, r.acks_s)} | {outgoing} |")
    print("\n| daemons | IMAP per daemon | tickets | lost / doubled | acks | acks lost / "
          "doubled | notifications | quarantined | daemon CPU s | machine CPU busy |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    ok = True
    for r in runs:
        cpu = " + ".join(f"{c:.0f}" for c in r.cpu)
        print(f"| {r.daemons} | {r.assign} | {r.tickets} | {r.lost} / {r.doubled} | {r.acks} "
              f"| {r.acks_lost} / {r.acks_doubled} | {r.notifications} | {r.quarantined} | "
              f"{cpu} | {r.busy * 100:.0f} % of {os.cpu_count()} CPUs |")
        ok = ok and not (r.lost or r.doubled or r.acks_lost or r.acks_doubled
                         or r.quarantined or r.tickets_s is None or r.acks_s is None)
    print()
    for r in runs:
        print(f"{r.daemons} daemon(s), {r.assign}: leases {r.leases}; {r.left}; "
              f"raw outcomes {r.outcomes}; exits {r.exits}")
        print(f"  mails per source: {r.sources}")
        print(f"  at delivery start: {r.load}")
        for e in r.errors[:10]:
            print(f"  error: {e}")
    print(f"\nmachine at the end: {machine()}")
    print("RESULT:", "every mail one ticket and one ack" if ok else "INCONSISTENT")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
