"""IMAP intake: APPEND → acknowledgement latency, and the rate at which a backlog is worked off.

    python bench/imap_latency.py [--count 200] [--pause 0.5] [--backlog 5000] [--db sqlite|URL]

A throwaway Dovecot (tests/dovecot_server.py) on 127.0.0.1 and an aiosmtpd server that notes
when each mail arrives. `maild run` watches the mailbox with IDLE (`import_existing =
"normal"`, `processed_folder = "Archive"`, outbox settings at their defaults except
`max_per_hour`, raised so the loop brake cannot hold mail back).

1. Latency: COUNT mails of the bench corpus, each from its own sender, are appended one at a
   time over a second IMAP connection with PAUSE seconds between; for each, the time from
   the start of its APPEND to the arrival of the acknowledgement addressed to its sender.
   Target: p99 < 2 s.
2. Backlog: BACKLOG mails are appended to a fresh mailbox before `maild run` starts; the
   time from starting `maild run` until every one is a ticket gives mails/s, printed next to
   the stdlib parse rate of the same mails in the same run (as in bench/ingest.py). The
   acknowledgements are counted as they arrive, and the mailbox is checked afterwards:
   INBOX empty, every mail in Archive, one ack per sender.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from pathlib import Path

from imap_tools import MailBoxUnencrypted

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent))
from _services import (  # noqa: E402
    Maild,
    SMTPRecorder,
    cpu_seconds,
    distinct_mails,
    machine,
    pct,
    sender_of,
    stdlib_rate,
    stop,
    summary,
    wait_until,
)

from tests.dovecot_server import Dovecot  # noqa: E402


def mailbox_entry(server: Dovecot, user: str, password: str) -> dict[str, object]:
    return {
        "name": "support",
        "host": "127.0.0.1",
        "port": server.port,
        "security": "none",
        "username": user,
        "password": password,
        "idle": True,
        "import_existing": "normal",
        "processed_folder": "Archive",
    }


def login(server: Dovecot, user: str, password: str) -> MailBoxUnencrypted:
    box = MailBoxUnencrypted("127.0.0.1", server.port, timeout=30)
    box.login(user, password, initial_folder=None)
    return box


def count_folder(server: Dovecot, user: str, password: str, folder: str) -> int:
    box = login(server, user, password)
    try:
        status = box.folder.status(folder, ["MESSAGES"])
        return int(status["MESSAGES"])
    finally:
        box.logout()


def acks_to(smtp: SMTPRecorder, wanted: set[str]) -> dict[str, list[float]]:
    got: dict[str, list[float]] = {}
    for a in smtp.handler.snapshot():
        for r in a.rcpt:
            if r in wanted:
                got.setdefault(r, []).append(a.at)
    return got


def latency(server: Dovecot, user: str, pw: str, args: argparse.Namespace,
            work: Path) -> None:
    with SMTPRecorder() as smtp:
        m = Maild(work, args.db, smtp.port, outbox={"max_per_hour": 100000},
                  mailboxes=[mailbox_entry(server, user, pw)])
        m.upgrade()
        proc = m.start()
        box = login(server, user, pw)
        try:
            if not wait_until(lambda: "maild running" in m.log(), 30):
                raise SystemExit("maild run did not start:\n" + m.log()[-3000:])
            # warm-up: one mail, not counted, so the mailbox is connected and idling
            warm = distinct_mails(1, tag="warm")[0]
            box.append(warm, "INBOX")
            if not wait_until(lambda: bool(acks_to(smtp, {sender_of(0, "warm")})), 60):
                raise SystemExit("warm-up mail not acknowledged:\n" + m.log()[-3000:])
            time.sleep(1.0)
            mails = distinct_mails(args.count, tag="lat")
            wanted = {sender_of(i, "lat") for i in range(args.count)}
            starts, append_times = [], []
            cpu0, wall0 = cpu_seconds(proc.pid), time.monotonic()
            for data in mails:
                t = time.monotonic()
                box.append(data, "INBOX")
                starts.append(t)
                append_times.append(time.monotonic() - t)
                time.sleep(args.pause)
            wait_until(lambda: len(acks_to(smtp, wanted)) == args.count, 60, step=0.2)
            time.sleep(1.0)
            cpu, wall = cpu_seconds(proc.pid) - cpu0, time.monotonic() - wall0
        finally:
            box.logout()
            code = stop(proc)
        got = acks_to(smtp, wanted)
    lat = [got[sender_of(i, "lat")][0] - starts[i] for i in range(args.count)
           if sender_of(i, "lat") in got]
    missing = [i for i in range(args.count) if sender_of(i, "lat") not in got]
    doubled = [r for r, times in got.items() if len(times) > 1]
    print(f"1. APPEND -> acknowledgement, {args.count} mails, {args.pause} s apart:")
    print(f"  APPEND start -> ack received:   {summary(lat)}")
    print(f"  APPEND command itself:          {summary(append_times)}")
    print(f"  acks missing {len(missing)} {missing[:10]}, doubled {len(doubled)} {doubled[:5]}, "
          f"maild run exit {code}")
    print(f"  maild run used {cpu:.1f} s CPU in {wall:.0f} s ({cpu / wall * 100:.1f}% of one CPU)")
    archived = count_folder(server, user, pw, "Archive")
    inbox = count_folder(server, user, pw, "INBOX")
    print(f"  mailbox afterwards: INBOX {inbox}, Archive {archived} (expected 0 and "
          f"{args.count + 1} with the warm-up mail)")
    p99 = pct(lat, 99) if lat else float("inf")
    print(f"  target p99 < 2 s: {'met' if p99 < 2 and not missing else 'NOT met'}")
    errors = [ln for ln in m.log().splitlines() if " ERROR " in ln or "Traceback" in ln]
    if errors:
        print(f"  errors in the maild log: {errors[:5]}")


def backlog(server: Dovecot, user: str, pw: str, args: argparse.Namespace, work: Path) -> None:
    mails = distinct_mails(args.backlog, tag="bl", seed=13)
    size = sum(len(d) for d in mails)
    base = stdlib_rate(mails)
    box = login(server, user, pw)
    t = time.monotonic()
    try:
        for data in mails:
            box.append(data, "INBOX")
    finally:
        box.logout()
    append_s = time.monotonic() - t
    wanted = {sender_of(i, "bl") for i in range(args.backlog)}
    with SMTPRecorder() as smtp:
        m = Maild(work, args.db, smtp.port, outbox={"max_per_hour": 100000},
                  mailboxes=[mailbox_entry(server, user, pw)])
        m.upgrade()
        t0 = time.monotonic()
        proc = m.start()
        first = done = None
        try:
            deadline = t0 + args.timeout
            while time.monotonic() < deadline:
                n = m.tickets() if (work / "maild.db").exists() or args.db != "sqlite" else 0
                now = time.monotonic()
                if n and first is None:
                    first = now
                if n >= args.backlog:
                    done = now
                    break
                if proc.poll() is not None:
                    break
                time.sleep(0.25)
            tickets = m.tickets()
            wait_until(lambda: len(acks_to(smtp, wanted)) >= args.backlog, 120, step=0.5)
            acked_at = time.monotonic()
            time.sleep(1.0)
            cpu = cpu_seconds(proc.pid)
        finally:
            code = stop(proc)
        got = acks_to(smtp, wanted)
    print(f"2. backlog: {args.backlog} mails ({size / 1e6:.1f} MB) appended before maild run "
          f"starts (the APPENDs took {append_s:.0f} s)")
    print(f"  stdlib email parse, same mails:  {base:8.0f} mails/s")
    if done is None:
        print(f"  NOT finished: {tickets} tickets after {args.timeout:.0f} s; "
              f"maild run exit {proc.poll()}")
    else:
        rate = args.backlog / (done - t0)
        print(f"  maild run start -> all tickets:  {done - t0:8.1f} s = {rate:5.0f} mails/s "
              f"(ratio to stdlib parse {rate / base:.3f})")
        if first is not None and done > first:
            steady = args.backlog / (done - first)
            print(f"  first ticket -> last ticket:     {done - first:8.1f} s = {steady:5.0f} "
                  f"mails/s (without start-up; seen at 0.25 s polls)")
    print(f"  acks received {len(got)} of {args.backlog} "
          f"({acked_at - t0:.0f} s after start), doubled "
          f"{sum(1 for v in got.values() if len(v) > 1)}; maild run exit {code}, "
          f"{cpu:.0f} s CPU")
    inbox = count_folder(server, user, pw, "INBOX")
    archived = count_folder(server, user, pw, "Archive")
    print(f"  mailbox afterwards: INBOX {inbox}, Archive {archived}; tickets {tickets}")
    errors = [ln for ln in m.log().splitlines() if " ERROR " in ln or "Traceback" in ln]
    if errors:
        print(f"  errors in the maild log: {errors[:5]}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=200)
    ap.add_argument("--pause", type=float, default=0.5)
    ap.add_argument("--backlog", type=int, default=5000)
    ap.add_argument("--timeout", type=float, default=1200.0)
    ap.add_argument("--db", default="sqlite")
    args = ap.parse_args()
    users = {f"{name}-{uuid.uuid4().hex[:6]}@example.test": uuid.uuid4().hex
             for name in ("lat", "backlog")}
    (lat_user, lat_pw), (bl_user, bl_pw) = users.items()
    server = Dovecot(users)
    server.start()
    print(f"machine: {machine()}")
    print(f"database: {args.db.split(':')[0]}; Dovecot on 127.0.0.1:{server.port}, IDLE")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            if args.count:
                latency(server, lat_user, lat_pw, args, Path(tmp) / "latency")
            if args.backlog:
                backlog(server, bl_user, bl_pw, args, Path(tmp) / "backlog")
    finally:
        server.stop()
        server.cleanup()
    print(f"machine at the end: {machine()}")


if __name__ == "__main__":
    main()
