"""Triage accuracy from outside, on labelled mail the model never saw.

    python bench/triage.py [--hold b.jsonl --hold terse.jsonl ...] [--all]

For each held-out set of data/triage/: `maild triage train` on every other set, then a fresh
maild (SQLite) with `rules.model` naming that model takes each held-out mail by
`maild ingest`, and `maild tickets list --json` is read back: priority and category as a
customer's ticket gets them, against the labels. The word rules alone (`rules.model =
"none"`) on the same mail, in the same run, are the baseline. `--all` holds out every set in
turn (leave-one-set-out; about a minute a set).
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data" / "triage"
sys.path.insert(0, str(ROOT))

from maild.learn import mail_bytes, records  # noqa: E402


def maild(home: Path, *args: str, data: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    done = subprocess.run([sys.executable, "-m", "maild", "--config", str(home / "maild.toml"),
                           *args], input=data, capture_output=True, cwd=home, check=False)
    if done.returncode != 0:
        raise SystemExit(f"maild {' '.join(args)} failed: {done.stderr.decode()[-2000:]}")
    return done


def judged(work: Path, name: str, model: str, mails: list[dict[str, str]]) -> list[tuple[str, str]]:
    """Each mail ingested into a fresh maild using `model`; (priority, category) per mail."""
    home = work / name
    home.mkdir()
    (home / "maild.toml").write_text(
        f'[database]\nurl = "sqlite:///{home}/m.db"\n[storage]\npath = "{home}/var"\n'
        '[support]\naddress = "support@example.com"\ntimezone = "Asia/Shanghai"\n'
        f'[rules]\nmodel = "{model}"\n', encoding="utf-8")
    maild(home, "db", "upgrade")
    files = []
    for i, record in enumerate(mails):
        p = home / f"{i:04d}.eml"
        p.write_bytes(mail_bytes(record))
        files.append(str(p))
    out = json.loads(maild(home, "ingest", "--silent", "--json", *files).stdout)
    tickets = {t["number"]: t for t in json.loads(maild(home, "tickets", "list", "--limit",
                                                        str(len(files) + 10), "--json").stdout)}
    # a mail that made no ticket (suppressed, quarantined) counts as judged wrong
    return [(tickets[row["ticket"]]["priority"], tickets[row["ticket"]]["category"])
            if row.get("ticket") in tickets else ("no ticket: " + str(row.get("action")), "")
            for row in out]


def score(mails: list[dict[str, str]], got: list[tuple[str, str]]) -> tuple[float, float]:
    n = len(mails)
    return (sum(m["priority"] == g[0] for m, g in zip(mails, got, strict=True)) / n,
            sum(m["category"] == g[1] for m, g in zip(mails, got, strict=True)) / n)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--hold", action="append", help="a set of data/triage to hold out")
    ap.add_argument("--all", action="store_true", help="hold out every set in turn")
    args = ap.parse_args()
    sets = sorted(DATA.glob("*.jsonl"))
    held = sets if args.all else [DATA / h for h in (args.hold or ["b.jsonl"])]
    print(f"# triage held out, {date.today()}, {platform.node()}, {platform.machine()}")
    totals: Counter[str] = Counter()
    confusion: Counter[tuple[str, str]] = Counter()
    for path in held:
        mails = records(path)
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            model = work / "model.json.gz"
            t = time.perf_counter()
            train = [str(p) for p in sets if p != path]
            subprocess.run([sys.executable, "-m", "maild", "triage", "train", *train, "--out",
                            str(model)], check=True, capture_output=True)
            trained = time.perf_counter() - t
            learned = judged(work, "learned", str(model), mails)
            words = judged(work, "words", "none", mails)
        lp, lc = score(mails, learned)
        wp, wc = score(mails, words)
        for m, g in zip(mails, learned, strict=True):
            confusion[(m["priority"], g[0])] += 1
        totals.update({"mails": len(mails), "lp": round(lp * len(mails)),
                       "lc": round(lc * len(mails)), "wp": round(wp * len(mails)),
                       "wc": round(wc * len(mails))})
        print(f"{path.name:28} {len(mails):4} mails  learned {lp:6.1%} / {lc:6.1%}   "
              f"words alone {wp:6.1%} / {wc:6.1%}   (trained in {trained:.0f} s)", flush=True)
    n = totals["mails"]
    print(f"{'all held out':28} {n:4} mails  learned {totals['lp'] / n:6.1%} / "
          f"{totals['lc'] / n:6.1%}   words alone {totals['wp'] / n:6.1%} / "
          f"{totals['wc'] / n:6.1%}   (priority / category)")
    print("learned priority, rows the label, columns the ticket's:")
    labels = ("P1", "P2", "P3", "P4")
    print("      " + "".join(f"{g:>6}" for g in labels))
    for w in labels:
        print(f"{w:>6}" + "".join(f"{confusion[(w, g)]:>6}" for g in labels))


if __name__ == "__main__":
    main()
