"""Parse + extract rate of maild's parse stage next to the bare stdlib parse, and peak memory.

    python bench/parse.py [--count 2000] [--big-mb 25]

1. Rate: a mixed corpus (the generated bench corpus — plain, base64, HTML alternatives, log
   attachments, Chinese and English, quoted history — plus the golden corpus of
   tests/corpus) is parsed by `maild.parsers.parse` and by
   `email.message_from_bytes(data, policy=email.policy.default)` in the same run, best of
   three rounds each. Target: ratio >= 0.5.
2. Memory: a mail with one attachment of --big-mb MB (base64) is read and parsed in a fresh
   subprocess; peak traced allocation (tracemalloc) and peak RSS growth, both counting the
   mail's own bytes, are printed as a multiple of the mail's size. Target: peak < 4x.
"""

from __future__ import annotations

import argparse
import email
import email.policy
import json
import platform
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT))
from corpus import make  # noqa: E402

from maild.parsers import parse  # noqa: E402


def mixed_corpus(count: int) -> list[bytes]:
    rng = random.Random(11)
    mails = [make(i, rng) for i in range(count)]
    golden = [p.read_bytes() for p in sorted((ROOT / "tests" / "corpus").glob("*.eml"))]
    # one golden mail in ten: every client and charset shape, TNEF, forwards, DSN, HTML
    return mails + [golden[i % len(golden)] for i in range(count // 10)]


def rate(mails: list[bytes], fn: object, rounds: int = 3) -> float:
    assert callable(fn)
    best = 0.0
    for _ in range(rounds):
        start = time.perf_counter()
        for data in mails:
            fn(data)
        best = max(best, len(mails) / (time.perf_counter() - start))
    return best


def stdlib(data: bytes) -> None:
    email.message_from_bytes(data, policy=email.policy.default)


def ours(data: bytes) -> None:
    parse(data, "zh")


def big_mail(megabytes: int) -> bytes:
    import base64

    payload = random.Random(3).randbytes(megabytes * 1024 * 1024)
    head = (
        b"From: Ops <ops@example.com>\r\nTo: support@example.com\r\nSubject: big dump\r\n"
        b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\nCore dump attached, ERR_CORE_DUMP_1.\r\n"
        b"--b\r\nContent-Type: application/octet-stream; name=core.bin\r\n"
        b"Content-Transfer-Encoding: base64\r\n"
        b"Content-Disposition: attachment; filename=core.bin\r\n\r\n"
    )
    return head + base64.encodebytes(payload).replace(b"\n", b"\r\n") + b"\r\n--b--\r\n"


CHILD = """
import json, resource, sys, tracemalloc
sys.path.insert(0, {root!r})
from maild.parsers import parse
def hwm():
    try:
        with open("/proc/self/status") as f:
            return next(int(l.split()[1]) for l in f if l.startswith("VmHWM"))
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
rss0 = hwm()
tracemalloc.start()
data = open({path!r}, "rb").read()
msg = parse(data, "zh", max_attachment=64 * 1024 * 1024)
_, peak = tracemalloc.get_traced_memory()
tracemalloc.stop()
rss1 = hwm()
print(json.dumps({{"size": len(data), "traced_peak": peak, "rss_growth_kb": rss1 - rss0,
                  "attachments": [a.size for a in msg.attachments],
                  "codes": list(msg.error_codes)}}))
"""


def memory(megabytes: int, work: Path) -> dict[str, object]:
    path = work / "big.eml"
    path.write_bytes(big_mail(megabytes))
    code = CHILD.format(root=str(ROOT), path=str(path))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, check=True)
    result: dict[str, object] = json.loads(done.stdout)
    path.unlink()
    return result


def main() -> None:
    import tempfile

    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=2000)
    ap.add_argument("--big-mb", type=int, default=25)
    args = ap.parse_args()
    mails = mixed_corpus(args.count)
    size = sum(len(m) for m in mails)
    print(f"python {platform.python_version()} on {platform.machine()}")
    print(f"corpus: {len(mails)} mails, {size / 1e6:.1f} MB")
    base = rate(mails, stdlib)
    mine = rate(mails, ours)
    print(f"stdlib email.message_from_bytes (policy.default): {base:8.0f} mails/s")
    print(f"maild parse + extract:                            {mine:8.0f} mails/s")
    print(f"ratio: {mine / base:.2f} (target >= 0.5)")
    with tempfile.TemporaryDirectory() as tmp:
        mem = memory(args.big_mb, Path(tmp))
    mail_size = int(str(mem["size"]))
    traced = int(str(mem["traced_peak"]))
    rss = int(str(mem["rss_growth_kb"])) * 1024
    print(f"big mail: {mail_size / 1e6:.1f} MB with a {args.big_mb} MB attachment")
    # both figures include the mail's own bytes, read inside the measurement
    print(f"  peak traced allocation: {traced / 1e6:.1f} MB = {traced / mail_size:.2f}x the mail")
    print(f"  peak RSS growth:        {rss / 1e6:.1f} MB = {rss / mail_size:.2f}x the mail")
    print("  (target: peak < 4x the mail size)")
    print(f"  attachments read: {mem['attachments']} bytes; error codes: {mem['codes']}")


if __name__ == "__main__":
    main()
