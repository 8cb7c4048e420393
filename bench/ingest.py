"""Ingest rate of `maild ingest` next to the bare stdlib parse rate of the same files.

    python bench/ingest.py [--count 2000] [--db sqlite|URL]

Prints mails/s for both, measured in the same run, and their ratio (the figure that means
something on a shared, noisy machine). Target: ratio >= 0.3 (aim 0.5).
"""

from __future__ import annotations

import argparse
import email
import email.policy
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import write  # noqa: E402


def stdlib_rate(paths: list[Path], rounds: int = 3) -> float:
    best = 0.0
    for _ in range(rounds):
        t = time.perf_counter()
        for p in paths:
            msg = email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
            msg.get_body(("plain", "html"))
        best = max(best, len(paths) / (time.perf_counter() - t))
    return best


def maild_rate(paths: list[Path], work: Path, db: str) -> float:
    url = f"sqlite:///{work}/bench.db" if db == "sqlite" else db
    cfg = work / "maild.toml"
    cfg.write_text(
        f'[database]\nurl = "{url}"\n[storage]\npath = "{work}/var"\n'
        '[support]\naddress = "support@example.com"\n'
        '[agents]\nnotify = ["team@example.com"]\n'
    )
    maild = [sys.executable, "-m", "maild", "--config", str(cfg)]
    subprocess.run([*maild, "db", "upgrade"], check=True, capture_output=True)
    t = time.perf_counter()
    done = subprocess.run([*maild, "ingest", *map(str, paths)], capture_output=True)
    elapsed = time.perf_counter() - t
    if done.returncode != 0:
        raise SystemExit(done.stderr.decode()[-2000:])
    created = done.stdout.count(b": created")
    if created != len(paths):
        raise SystemExit(f"expected {len(paths)} tickets, got {created}")
    return len(paths) / elapsed


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=2000)
    ap.add_argument("--db", default="sqlite")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        paths = write(work / "corpus", args.count)
        size = sum(p.stat().st_size for p in paths)
        base = stdlib_rate(paths)
        rate = maild_rate(paths, work, args.db)
    print(f"machine: {platform.node()} {platform.machine()} python {platform.python_version()}")
    print(f"corpus: {args.count} mails, {size / 1e6:.1f} MB")
    print(f"stdlib email parse: {base:8.0f} mails/s")
    print(f"maild ingest ({args.db.split(':')[0]}): {rate:8.0f} mails/s")
    print(f"ratio: {rate / base:.2f}x (target >= 0.3x)")


if __name__ == "__main__":
    main()
