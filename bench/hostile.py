"""Hostile mail through `maild ingest`: outcome, wall time and peak memory per case.

    python bench/hostile.py [--db sqlite|URL] [--only NAME ...]

Each case of tests/hostile_mail.py (plus a few sizes around the limits) is written to a file
and fed to its own `maild ingest --json FILE` process, in a fresh installation. Printed as a
Markdown table: the outcome (ticket, or quarantine with its reason), the seconds the process
took (interpreter start included, about 0.7 s of it), and the peak resident memory of that
one process (`os.wait4` rusage of the child, so an earlier, larger case does not hide a
smaller one). The mail size is given so memory can be read as a multiple of it.

The mails are made by a separate process (`--write DIR`) before anything is measured: Linux
carries a process's peak RSS across fork and exec, so a parent holding a 70 MB mail would
show up in every child's figure.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests import hostile_mail as hm  # noqa: E402

EXTRA: list[tuple[str, Callable[[], bytes]]] = [
    ("attachment-20MB", lambda: hm.big_attachment(20)),
    ("attachment-30MB", lambda: hm.big_attachment(30)),
    ("mime-5000-levels", lambda: hm.deep_nesting(5000)),
    ("header-line-20MB", lambda: hm.long_header_line(20)),
    ("nul-in-filename", lambda: hm.nul_mail("filename")),
    ("nul-in-message-id", lambda: hm.nul_mail("message-id")),
]


def config(home: Path, db: str) -> Path:
    url = f"sqlite:///{home}/maild.db" if db == "sqlite" else db
    path = home / "maild.toml"
    path.write_text(
        f'[database]\nurl = "{url}"\n[storage]\npath = "{home}/var"\n'
        '[support]\naddress = "support@example.com"\nname = "Example Support"\n'
        '[agents]\naddresses = ["alice@example.com"]\nnotify = ["team@example.com"]\n'
        "[outbox]\nautoreply_per_sender_per_day = 1000\n",
        encoding="utf-8",
    )
    return path


def run(cmd: list[str], cwd: Path) -> tuple[int, bytes, bytes, float, int]:
    """(exit status, stdout, stderr, seconds, peak RSS in KiB) of one child process."""
    with tempfile.TemporaryFile() as errfile:
        t = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=errfile)
        out = proc.stdout.read()  # type: ignore[union-attr]
        _, status, usage = os.wait4(proc.pid, 0)  # not proc.wait(): we want its rusage
        secs = time.perf_counter() - t
        proc.returncode = os.waitstatus_to_exitcode(status)
        errfile.seek(0)
        err = errfile.read()
    return proc.returncode, out, err, secs, usage.ru_maxrss


def outcome(code: int, out: bytes, err: bytes) -> str:
    if code != 0:
        last = err.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        return f"**exit {code}**: {last[0][:110]}"
    [o] = json.loads(out)
    if o["action"] == "created":
        return f"ticket #{o['ticket']}"
    reason = o["reason"].split(" (quarantine #")[0]
    return f"{o['action']}: {reason[:110]}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", default="sqlite")
    ap.add_argument("--only", nargs="*", default=[])
    ap.add_argument("--write", metavar="DIR", help=argparse.SUPPRESS)
    args = ap.parse_args()
    cases = [(c.name, c.make) for c in hm.CASES] + EXTRA
    if args.only:
        cases = [c for c in cases if c[0] in args.only]
    if args.write:
        for name, make in cases:
            (Path(args.write) / f"{name}.eml").write_bytes(make())
        return
    with tempfile.TemporaryDirectory(prefix="maild-hostile-") as tmp:
        home = Path(tmp)
        mails = home / "mails"
        mails.mkdir()
        subprocess.run([sys.executable, __file__, "--write", str(mails),
                        *(["--only", *args.only] if args.only else [])], check=True)
        cfg = config(home, args.db)
        maild = [sys.executable, "-m", "maild", "--config", str(cfg)]
        subprocess.run([*maild, "db", "upgrade"], check=True, capture_output=True, cwd=home)
        base = run([*maild, "--help"], home)
        print(f"maild ingest, one process per case, {args.db.split(':')[0]}; "
              f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; "
              f"`maild --help` alone: {base[3]:.2f} s, {base[4] / 1024:.0f} MB\n")
        print("| case | mail size | outcome | seconds | peak RSS |")
        print("|---|---:|---|---:|---:|")
        for name, _ in cases:
            f = mails / f"{name}.eml"
            size = f.stat().st_size
            code, out, err, secs, rss = run([*maild, "ingest", "--json", str(f)], home)
            print(f"| {name} | {_size(size)} | {outcome(code, out, err)} | {secs:.2f} | "
                  f"{rss / 1024:.0f} MB |", flush=True)
            if code != 0:  # a mail left in the journal would be retried by every later run
                for p in (home / "var" / "incoming").glob("*.eml"):
                    p.unlink()
            f.unlink()


def _size(n: int) -> str:
    if n >= 1 << 20:
        return f"{n / (1 << 20):.1f} MB"
    if n >= 1 << 10:
        return f"{n / (1 << 10):.0f} KB"
    return f"{n} B"


if __name__ == "__main__":
    main()
