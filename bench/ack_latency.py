"""Acknowledgement latency of MTA pipe delivery: `maild ingest -` start → ack at the SMTP server.

    python bench/ack_latency.py [--count 500] [--db sqlite|URL] [--poll default --poll 0.1]

`maild run` is going (outbox sender), an aiosmtpd server on 127.0.0.1 records when each mail
arrives. COUNT mails of the bench corpus, each from its own sender address (so the per-sender
cap on automatic replies never applies), are fed one `maild ingest -` process per mail, one
after another, as an MTA pipe delivers. For each mail the time from the start of its
`maild ingest` process to the arrival of the acknowledgement addressed to its sender is
measured; the ack's `[#N]` tag is checked against the ticket `ingest --json` reported.

Printed per outbox poll interval ("default" = the key left out of the config): p50/p90/p99/max
of that latency, the `maild ingest` process time, and in the same run the baselines
`python -c "import email"` (interpreter start) and `python -m maild --help` (interpreter
start plus maild's imports), so the reader sees what is maild and what is start-up.
Also reported: missing or doubled acknowledgements. Target: p99 < 1 s.

`outbox.max_per_hour` is raised to 100000 so the loop brake (default 1000 a hour; this run
sends one ack and one agent notification per mail) cannot hold mail back.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _services import (  # noqa: E402
    Maild,
    SMTPRecorder,
    cpu_seconds,
    distinct_mails,
    machine,
    pct,
    python_start,
    sender_of,
    stop,
    summary,
    wait_until,
)


def ingest(m: Maild, data: bytes) -> tuple[float, float, float, int, bytes, bytes]:
    """One `maild ingest - --json` as an MTA pipe runs it. Returns its start time, the time
    its result was first printed (stdout unbuffered: the commit is done by then), the time
    it exited, its exit status, stdout and stderr."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    t = time.monotonic()
    proc = subprocess.Popen([*m.cmd, "ingest", "-", "--json"], cwd=m.home, env=env,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    assert proc.stdin and proc.stdout and proc.stderr
    proc.stdin.write(data)
    proc.stdin.close()
    first = os.read(proc.stdout.fileno(), 65536)
    printed = time.monotonic()
    rest = proc.stdout.read() if first else b""
    err = proc.stderr.read()
    rc = proc.wait()
    return t, printed, time.monotonic(), rc, first + rest, err


def one_run(count: int, db: str, poll: str, work: Path) -> dict[str, object]:
    outbox: dict[str, object] = {"max_per_hour": 100000}
    if poll != "default":
        outbox["poll_interval"] = float(poll)
    mails = distinct_mails(count, tag=f"p{poll.replace('.', '')}")
    with SMTPRecorder() as smtp:
        m = Maild(work, db, smtp.port, outbox=outbox)
        m.upgrade()
        proc = m.start()
        started = time.monotonic()
        try:
            if not wait_until(lambda: "maild running" in m.log(), 30):
                raise SystemExit("maild run did not start:\n" + m.log()[-3000:])
            starts: list[float] = []
            ingest_times: list[float] = []
            result_times: list[float] = []
            tickets: list[int | None] = []
            failures: list[str] = []
            for i, data in enumerate(mails):
                t, printed, ended, rc, stdout, stderr = ingest(m, data)
                starts.append(t)
                result_times.append(printed - t)
                ingest_times.append(ended - t)
                if rc != 0:
                    failures.append(f"mail {i}: exit {rc}: {stderr[-300:]!r}")
                    tickets.append(None)
                    continue
                out = json.loads(stdout)[0]
                tickets.append(out.get("ticket"))
                if out.get("action") != "created":
                    failures.append(f"mail {i}: {out}")
            wanted = {sender_of(i, f"p{poll.replace('.', '')}") for i in range(count)}

            def acked() -> int:
                got = {r for a in smtp.handler.snapshot() for r in a.rcpt}
                return len(wanted & got)

            wait_until(lambda: acked() == count, 60, step=0.2)
            time.sleep(1.0)  # anything doubled would arrive now
            daemon_cpu = cpu_seconds(proc.pid)
            daemon_wall = time.monotonic() - started
        finally:
            code = stop(proc)
        arrivals = smtp.handler.snapshot()
    by_rcpt: dict[str, list] = {}
    for a in arrivals:
        for r in a.rcpt:
            by_rcpt.setdefault(r, []).append(a)
    latencies, missing, doubled, wrong_tag = [], [], [], []
    for i in range(count):
        got = by_rcpt.get(sender_of(i, f"p{poll.replace('.', '')}"), [])
        if not got:
            missing.append(i)
            continue
        if len(got) > 1:
            doubled.append(i)
        if got[0].ticket != tickets[i]:
            wrong_tag.append((i, tickets[i], got[0].ticket))
        latencies.append(got[0].at - starts[i])
    notes = len(by_rcpt.get("team@example.com", []))
    return {
        "poll": poll,
        "latencies": latencies,
        "ingest": ingest_times,
        "result": result_times,
        "missing": missing,
        "doubled": doubled,
        "wrong_tag": wrong_tag,
        "failures": failures,
        "notifications": notes,
        "exit": code,
        "daemon": (daemon_cpu, daemon_wall),
        "log_errors": [ln for ln in m.log().splitlines() if "ERROR" in ln or "Traceback" in ln],
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=500)
    ap.add_argument("--db", default="sqlite")
    ap.add_argument("--poll", action="append",
                    help='outbox poll_interval to try; "default" leaves the key out '
                         "(repeatable; default: default and 0.1)")
    args = ap.parse_args()
    polls = args.poll or ["default", "0.1"]
    print(f"machine: {machine()}")
    print(f"database: {args.db.split(':')[0]}; {args.count} mails, one `maild ingest -` each")
    base_py = python_start(30)
    base_maild = python_start(10, "import runpy, sys; sys.argv = ['maild', '--help']; "
                                  "sys.stdout = open('/dev/null', 'w'); "
                                  "runpy.run_module('maild', run_name='__main__')")
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for poll in polls:
            results.append(one_run(args.count, args.db, poll, Path(tmp) / f"poll-{poll}"))
    base_py2 = python_start(30)
    py = sorted(base_py + base_py2)
    print("baseline, same run:")
    print(f"  python -c 'import email'        mean {sum(py) / len(py) * 1000:5.0f} ms  "
          f"p50 {py[len(py) // 2] * 1000:5.0f} ms  (60 runs, before and after)")
    mh = sorted(base_maild)
    print(f"  python -m maild --help          mean {sum(mh) / len(mh) * 1000:5.0f} ms  "
          f"p50 {mh[len(mh) // 2] * 1000:5.0f} ms  (interpreter + maild imports, 10 runs)")
    for r in results:
        lat, ing = r["latencies"], r["ingest"]
        assert isinstance(lat, list) and isinstance(ing, list)
        print(f"outbox poll_interval = {r['poll']}:")
        print(f"  ingest start -> ack received:   {summary(lat)}")
        print(f"  maild ingest process time:      {summary(ing)}  "
              f"mean {sum(ing) / len(ing) * 1000:.0f} ms")
        res = r["result"]
        assert isinstance(res, list)
        print(f"  ingest start -> result printed: {summary(res)}")
        if len(lat) == len(res):
            wait = [x - y for x, y in zip(lat, res, strict=True)]
            print(f"  result printed -> ack received: {summary(wait)}")
        print(f"  acks missing {len(r['missing'])}, doubled {len(r['doubled'])}, "
              f"tag mismatch {len(r['wrong_tag'])}, ingest failures {len(r['failures'])}, "
              f"agent notifications {r['notifications']}, maild run exit {r['exit']}")
        for key in ("missing", "doubled", "wrong_tag", "failures", "log_errors"):
            if r[key]:
                print(f"  {key}: {r[key][:10]}")
        cpu, wall = r["daemon"]
        print(f"  maild run used {cpu:.1f} s CPU in {wall:.0f} s "
              f"({cpu / wall * 100:.1f}% of one CPU)")
        p99 = pct(lat, 99) if lat else float("inf")
        print(f"  target p99 < 1 s: {'met' if p99 < 1 else 'NOT met'}")


if __name__ == "__main__":
    main()
