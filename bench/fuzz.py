"""Mutation fuzzing of the parse stage and the triage after it: findings, rate, peak memory.

    python bench/fuzz.py [--seconds 600] [--seed 1] [--findings DIR]
    python bench/fuzz.py --replay FILE [FILE ...]     # run saved inputs again, with tracebacks
    python bench/fuzz.py --minimise FILE              # a smaller input with the same finding

Inputs: the golden mails of tests/corpus/*.eml, mutated one to six times over (byte flips,
chunk duplication and deletion, splicing two mails, header duplication, boundary damage,
random charset names in Content-Type and encoded words, random Content-Transfer-Encoding,
truncation, inserted NUL/CR/LF, line-ending changes, huge repeated lines); generated MIME
trees (nested multiparts, message/rfc822, TNEF, HTML, calendar, RFC 2231 names, several
charsets and encodings, sometimes a base64 part large enough for the big-part path); and
inputs kept earlier because they gave an outcome not seen before (a defect, a content type,
a set of rule hits: a cheap stand-in for coverage). Everything is drawn from
random.Random(--seed); inputs are capped at 4 MB.

Each input runs in this process through `maild.parsers.parse` (fallback language and
attachment limit drawn per input) and then `maild.rules.evaluate` with a Context as the
daemon builds one (default word lists, VIP senders, business peaks, queues, Asia/Shanghai,
an arrival time drawn from 2026). A finding is
- an exception escaping either of them,
- a broken property of the ParsedMessage (those of tests/test_fuzz_parse.py: types,
  attachment size and safe names, valid Unicode everywhere it is shown), or
- a run over the 2 s per-mail deadline the pipeline relies on, counted in CPU time
  (ITIMER_PROF: on a shared machine wall time counts the other processes too; runs over 2 s
  wall but not CPU are only counted): at the deadline the stack is recorded (that is the
  finding's location) and the run goes on; after 60 s wall it is stopped as a hang.
Findings are told apart by kind, exception type and innermost maild location (for a slow
run: the maild function, in evaluate the rule that was running); the first five inputs of
each, and any smaller one later, are saved under --findings (default: a new temporary
directory) with the traceback or the stack at the deadline. The slowest input is saved too.

Printed: executions, executions/s, distinct findings, slowest input (CPU and wall seconds),
peak RSS (getrusage), and, measured in the same run on the same corpus, the bare stdlib
`email.message_from_bytes` rate (policy.default, best of three) as the baseline next to
maild's parse + evaluate rate.
"""

from __future__ import annotations

import argparse
import base64
import email
import email.policy
import hashlib
import platform
import quopri
import random
import re
import resource
import signal
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from maild.message import ParsedMessage  # noqa: E402
from maild.parsers import parse  # noqa: E402
from maild.peaks import parse_peak  # noqa: E402
from maild.rules import Context, evaluate  # noqa: E402
from maild.rules.words import defaults  # noqa: E402
from maild.settings import PRIORITIES, RulesSettings  # noqa: E402

CORPUS = ROOT / "tests" / "corpus"
MAILD = str(ROOT / "maild")
DEADLINE = 2.0  # seconds per mail: the bound the pipeline relies on
HARD_LIMIT = 60.0  # a run still going after this is stopped (a hang)
SAMPLE = 0.25  # CPU seconds between two looks at the stack of a long run
MAX_INPUT = 4 * 1024 * 1024
POOL_MAX = 2000
POOL_ITEM_MAX = 64 * 1024
SAVED_PER_FINDING = 5
PEAKS = ("month-end:2", "11-11", "12-20..01-05", "mon-fri 09:00-11:00", "sat,sun")

# fmt: off
CHARSETS = [
    "utf-8", "UTF-8", "us-ascii", "gbk", "gb2312", "GB18030", "big5", "big5-hkscs", "hz-gb-2312",
    "iso-2022-jp", "iso-2022-jp-2", "iso-2022-kr", "shift_jis", "euc-jp", "euc-kr",
    "ks_c_5601-1987", "koi8-r", "koi8-u", "windows-1251", "windows-1252", "cp-1252", "cp_850",
    "iso-8859-1", "iso-8859-8-i", "iso-8859-16", "tis-620", "utf-16", "utf-16le", "utf-16be",
    "utf-32", "utf-7", "unicode-1-1-utf-7", "utf-8-sig", "x-unknown", "unknown-8bit",
    "x-user-defined", "default", "charset", "", '"', "''", "x-gbk", "x-utf-8", "utf8mb4",
    "cp65001", "mbcs", "oem", "ansi", "macintosh", "x-mac-chinesesimp", "unicode",
    "undefined", "rot13", "rot_13", "base64", "hex", "zlib", "bz2", "uu", "quopri", "idna",
    "punycode", "unicode_escape", "raw_unicode_escape", "charmap", "string_escape",
    "x-" + "a" * 80, "utf-8\x00", "utf-8 ", "\tutf-8", "utf-8;", "utf-8'en'", "é", "中文",
    "..", "utf_8/../../etc", "%", "gb2312\r\n",
]
CTES = [
    "base64", "BASE64", " base64 ", "quoted-printable", "Quoted-Printable", "x-uuencode",
    "uuencode", "x-uue", "7bit", "8bit", "binary", "", "x-gzip", "base64; x=1", "b64", "\x00",
    "quoted-printable base64", "8BIT", "x-token", "=?utf-8?q?base64?=",
]
TYPES = [
    "text/plain", "text/html", "text/enriched", "text/calendar", "text/x-log", "text/csv",
    "application/octet-stream", "application/ms-tnef", "application/vnd.ms-tnef",
    "application/pkcs7-signature", "application/pgp-signature", "application/zip",
    "application/pdf", "message/rfc822", "message/delivery-status", "message/partial",
    "message/global", "message/external-body", "image/png", "image/jpeg",
    "multipart/mixed", "multipart/alternative", "multipart/related", "multipart/signed",
    "multipart/report", "multipart/digest", "multipart/", "text/", "/", "text", "",
]
TOKENS = [
    b"\r\n--", b"=?utf-8?B?", b"=?gb2312?Q?=D6=D0?=", b"=?", b"?=", b"=\r\n", b"=\n", b"=ZZ",
    b"\x00", b"\r", b"\n", b"\r\n\r\n", b"\n\n", b"\r\r\n", b"Content-Type: multipart/mixed",
    b"Content-Type: message/rfc822\r\n\r\n", b"boundary=", b'boundary=""', b"\x1b$B", b"\x1b(B",
    b"\x1b$)C", b"~{", b"+AGEAYgBj-", b"<blockquote>", b"</blockquote>", b"<html>", b"<table>",
    b"<td>", b"<!--", b"<![CDATA[", b"<style>", b"<script>", b"&#0;", b"&#x110000;", b"&amp",
    b"> ", b">>>>>>>>", b"-- \r\n", b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf", b"\x00\x00\xfe\xff",
    b"begin 644 x.log\r\n", b"begin 666 \r\n", b"end\r\n", b"From: ", b"From ", b"Subject: ",
    b"-----Original Message-----\r\n", b"\xe5\x8e\x9f\xe5\xa7\x8b\xe9\x82\xae\xe4\xbb\xb6",
    b"On Mon, 23 Nov 2026, a <a@b> wrote:\r\n", b"\xe5\x8f\x91\xe4\xbb\xb6\xe4\xba\xba: ",
    b"ERR_EXPORT_500", b"0x0000007B", b"ORA-00942", b"HTTP 502", b"Windows 10", b"Chrome/120.0",
    b"iPhone", b"version 3.4.5", b"\xe7\xb4\xa7\xe6\x80\xa5", b"URGENT", b"[#12345]",
    b"[cid:image001.png@01D]", b"\x78\x9f\x3e\x22", b"filename*0*=utf-8''%E4%B8", b"filename*1*=",
    b"; charset=", b"; name=", b"Content-Disposition: attachment; filename=",
    b"Content-Transfer-Encoding: base64\r\n", b"MIME-Version: 1.0\r\n", b"\t", b" ", b"\\",
    b'"', b"<", b">", b"@", b",", b";", b"(", b")", b"\xc0\x80", b"\xed\xa0\x80",
    b"\xf4\x90\x80\x80",
]
HUGE = [
    b"A", b" ", b"\t", b"=", b"-", b"> ", b"<div>", b"<td>", b"</p>", b"=?utf-8?B?5byg?= ",
    b"=E4", b"\xe4\xb8\xad", b"\xd6\xd0", b"ERR_X_1 ", b"0x00000001 ", b"a@b.example, ",
    b"<id@x> ", b"\r\n", b"\n", b"\r", b"\x00", b"-- \n", b"@@@", b"((((", b"\"", b"\\",
    b"begin 644 a\n", b"M" * 61 + b"\n", b"\x1b$B", b"&#20013;", b"\xff",
]
WORDS = [
    "导出报表时报错 ERR_EXPORT_{n}，财务部3名同事都遇到了。",
    "所有用户都无法登录系统，提示 HTTP 500。",
    "请问如何配置邮件通知？", "系统宕机，紧急！", "建议增加批量导入功能。", "还是不行",
    "环境：Windows 10 21H2，Chrome 120.0.6099.110，版本 3.4.{n}。", "Export fails with ERR_{n}.",
    "Nobody can log in since 9:00, HTTP 502.", "Env: macOS 14.2, Firefox 121.0, app 2.{n}.1.",
    "STOP code 0x0000007B on boot", "ORA-00942: table or view does not exist", "URGENT!!",
    "Not urgent, workaround found.", "> quoted line", "-- \nDana", "发件人: a@b\n主题: 旧",
    "Traceback (most recent call last):\n  File \"x.py\", line 1\nValueError: bad",
    "Привет, не работает экспорт", "エラーが発生しました", "오류가 발생했습니다", "\u202etxt.exe",
]
# fmt: on


class Hang(BaseException):
    """Raised by the alarm at HARD_LIMIT: a BaseException so no `except Exception` eats it."""


@dataclass
class Outcome:
    kind: str  # "ok", "exception", "invariant", "slow", "hang"
    key: str = ""
    detail: str = ""
    wall: float = 0.0
    cpu: float = 0.0
    features: frozenset[str] = frozenset()


@dataclass
class Finding:
    key: str
    detail: str
    count: int = 0
    saved: list[Path] = field(default_factory=list)
    smallest: int = 1 << 62


class Invariant(Exception):
    pass


# ---------------------------------------------------------------- running one input


class Runner:
    """Runs one input through parse and evaluate with the deadline alarm armed."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        # where a long run was, every SAMPLE s of CPU: location -> (count, one stack)
        self.samples: dict[str, tuple[int, list[traceback.FrameSummary]]] = {}
        peaks = tuple(parse_peak(p) for p in PEAKS)
        rules = RulesSettings(vip_senders=("*@bigcustomer.com", "boss@customer.cn"))
        self.words = defaults()
        self.contexts = [
            Context(rules, datetime(2026, 9, 15, 2, 0, tzinfo=UTC), self.words, "Asia/Shanghai"),
            Context(
                rules,
                datetime(2026, 9, 15, 2, 0, tzinfo=UTC),
                self.words,
                "Asia/Shanghai",
                peaks,
                {"data": "dba", "permission": "accounts", "*": "l1"},
                "crm",
            ),
        ]
        self.peaks = peaks
        self.wall_only = 0  # runs over the deadline in wall time but not in CPU time
        signal.signal(signal.SIGPROF, self._sample)
        signal.signal(signal.SIGALRM, self._hard_limit)

    def _sample(self, signum: int, frame: FrameType | None) -> None:
        """Another SAMPLE s of CPU used: note where the run is, and let it go on."""
        stack = traceback.extract_stack(frame)
        where = slow_location(stack)
        count, first = self.samples.get(where, (0, stack))
        self.samples[where] = (count + 1, first)

    def _hard_limit(self, signum: int, frame: FrameType | None) -> None:
        self._sample(signum, frame)
        raise Hang(f"still running after {HARD_LIMIT:.0f} s")

    @staticmethod
    def _arm(on: bool) -> None:
        # the deadline counts CPU time (ITIMER_PROF samples, thread CPU time to decide): on
        # a shared machine wall time also counts other processes; a run that makes no
        # progress at all is stopped by the wall-clock hard limit
        signal.setitimer(signal.ITIMER_PROF, SAMPLE if on else 0, SAMPLE if on else 0)
        signal.setitimer(signal.ITIMER_REAL, HARD_LIMIT if on else 0)

    def _where(self) -> tuple[str, str]:
        """The location most samples fell in, and the sample counts with its stack."""
        ranked = sorted(self.samples.items(), key=lambda kv: -kv[1][0])
        if not ranked:
            return "?", ""
        counts = ", ".join(f"{n} x {where}" for where, (n, _) in ranked)
        stack = "".join(traceback.format_list(ranked[0][1][1]))
        return ranked[0][0], f"samples every {SAMPLE} s CPU: {counts}\nstack:\n{stack}"

    def context(self) -> Context:
        base = self.rng.choice(self.contexts)
        now = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=self.rng.randrange(525_600))
        return Context(
            base.rules,
            now,
            base.words,
            base.timezone,
            self.rng.choice([(), self.peaks]),
            base.queues,
            base.product,
        )

    def run(self, data: bytes) -> Outcome:
        lang = self.rng.choice(("zh", "en"))
        limit = self.rng.choice((64 * 1024, 25 * 1024 * 1024))
        ctx = self.context()
        return self.run_with(data, lang, limit, ctx)

    def run_with(self, data: bytes, lang: str, limit: int, ctx: Context) -> Outcome:
        self.samples = {}
        stage = "parse"
        start, cpu0 = time.perf_counter(), time.thread_time()
        parsed = cpu0
        self._arm(True)
        try:
            msg = parse(data, lang, max_attachment=limit)
            parsed = time.thread_time()
            stage = "evaluate"
            verdict = evaluate(msg, ctx)
            self._arm(False)
            stage = "check"
            check(msg, limit)
            if verdict.priority not in PRIORITIES:
                raise Invariant(f"unknown priority: {verdict.priority!r}")
        except Hang:
            self._arm(False)
            wall, cpu = time.perf_counter() - start, time.thread_time() - cpu0
            where, detail = self._where()
            return Outcome("hang", f"hang in {stage} at {where}", detail, wall, cpu)
        except Invariant as e:
            wall, cpu = time.perf_counter() - start, time.thread_time() - cpu0
            what = str(e).split(":", 1)[0][:60]
            return Outcome("invariant", f"invariant: {what}", f"broken property: {e}", wall, cpu)
        except Exception as e:
            self._arm(False)
            wall, cpu = time.perf_counter() - start, time.thread_time() - cpu0
            frames = traceback.extract_tb(e.__traceback__)
            key = f"{type(e).__name__} in {stage} at {location(frames)}"
            return Outcome("exception", key, shorten(traceback.format_exc()), wall, cpu)
        finally:
            self._arm(False)
        wall, cpu = time.perf_counter() - start, time.thread_time() - cpu0
        if cpu > DEADLINE:
            where, detail = self._where()
            late = "evaluate" if where.startswith("maild/rules/") else "parse"
            return Outcome(
                "slow",
                f"over {DEADLINE:.0f} s CPU in {late} at {where}",
                f"{cpu:.2f} s CPU ({parsed - cpu0:.2f} s parse, {cpu0 + cpu - parsed:.2f} s"
                f" evaluate), {wall:.2f} s wall; {detail}",
                wall,
                cpu,
            )
        if wall > DEADLINE:
            self.wall_only += 1
        return Outcome("ok", wall=wall, cpu=cpu, features=features(msg, verdict.hits))


def shorten(text: str, head: int = 60, tail: int = 20) -> str:
    """A traceback without the middle of a deep recursion."""
    lines = text.splitlines()
    if len(lines) <= head + tail:
        return text
    cut = len(lines) - head - tail
    return "\n".join([*lines[:head], f"  ... {cut} lines left out ...", *lines[-tail:]]) + "\n"


def slow_location(stack: list[traceback.FrameSummary]) -> str:
    """Where a slow run was at the deadline: in evaluate, the rule that was running; in
    parse, the innermost maild function (path and function: the line the alarm hit varies)."""
    rules = [f for f in stack if "/maild/rules/" in f.filename]
    inner = [f for f in rules if not f.filename.endswith("__init__.py")]
    return location(inner[:1] if inner else stack, line=False)


def location(frames: list[traceback.FrameSummary], line: bool = True) -> str:
    """The innermost frame in maild (else the innermost one) as path:line (function); a
    slow run is told apart by path and function only (the line the alarm hit varies)."""
    ours = [f for f in frames if f.filename.startswith(MAILD)]
    if not ours:
        ours = [f for f in frames if not f.filename.endswith("fuzz.py")] or frames
    if not ours:
        return "?"
    f = ours[-1]
    name = Path(f.filename)
    shown = name.relative_to(ROOT) if name.is_relative_to(ROOT) else Path(*name.parts[-2:])
    return f"{shown}:{f.lineno} ({f.name})" if line else f"{shown} ({f.name})"


def check(msg: ParsedMessage, limit: int) -> None:
    """The properties tests/test_fuzz_parse.py holds every ParsedMessage to. The message of
    an Invariant is "what is wrong: detail"; the part before the colon names the finding."""
    if not isinstance(msg, ParsedMessage):
        raise Invariant(f"parse returned another type: {type(msg).__name__}")
    if not isinstance(msg.text, str) or not isinstance(msg.quoted, str):
        raise Invariant("text or quoted not a str: -")
    if msg.language not in ("zh", "en", "other"):
        raise Invariant(f"unknown language: {msg.language!r}")
    for a in msg.attachments:
        if a.size > limit:
            raise Invariant(f"attachment over the limit: {a.size} > {limit}")
        if "/" in a.safe_name or "\\" in a.safe_name or any(ord(c) < 32 for c in a.safe_name):
            raise Invariant(f"unsafe safe_name: {a.safe_name!r}")
    shown: list[tuple[str, object]] = [
        ("text", msg.text),
        ("quoted", msg.quoted),
        ("subject", msg.subject),
        ("sender name", msg.sender.name),
        ("sender address", msg.sender.address),
    ]
    shown += [("attachment filename", a.filename) for a in msg.attachments]
    shown += [("attachment safe_name", a.safe_name) for a in msg.attachments]
    shown += [(f"fact {f.kind}", f.value) for f in msg.facts]
    shown += [(f"header {k}", v) for k, v in msg.headers]
    shown += [("defect", d) for d in msg.defects]
    for field_name, value in shown:
        if not isinstance(value, str):
            raise Invariant(f"{field_name} not a str: {type(value).__name__}")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as e:
            around = value[max(0, e.start - 20) : e.end + 20]
            raise Invariant(f"not valid Unicode in {field_name}: {around!r}") from e


_DIGITS = re.compile(r"\d+")


def features(msg: ParsedMessage, hits: tuple[object, ...]) -> frozenset[str]:
    out = {f"d:{_DIGITS.sub('N', d)[:60]}" for d in msg.defects}
    out.add(f"t:{msg.content_type}")
    out.add(f"l:{msg.language}:{bool(msg.text)}:{bool(msg.quoted)}")
    out.add(f"a:{min(len(msg.attachments), 5)}")
    out.update(f"f:{f.kind}:{f.source.split(':')[0][:20]}" for f in msg.facts)
    out.add("h:" + ",".join(sorted(str(getattr(h, "rule", "")) for h in hits)))
    return frozenset(out)


# ---------------------------------------------------------------- making inputs


_HEADER_END = re.compile(rb"\r?\n\r?\n")
_HEADER_LINE = re.compile(rb"^[!-9;-~]+:[^\n]*\n(?:[ \t][^\n]*\n)*", re.M)
_BOUNDARY = re.compile(rb'boundary\s*=\s*"?([^";\r\n]*)"?', re.I)
_CHARSET = re.compile(rb'charset\s*=\s*"?([^";\s]*)"?', re.I)
_CTE = re.compile(rb"^content-transfer-encoding:[^\r\n]*", re.I | re.M)
_CTYPE = re.compile(rb"^content-type:[ \t]*([^;\r\n]*)", re.I | re.M)
_ENCWORD = re.compile(rb"=\?([^?\s]*)\?([bBqQ])\?")


class Mutator:
    def __init__(self, rng: random.Random, corpus: list[bytes]) -> None:
        self.rng = rng
        self.corpus = corpus
        self.ops: list[Callable[[bytearray], bytearray]] = [
            self.flip,
            self.flip,
            self.delete,
            self.duplicate,
            self.splice,
            self.graft,
            self.header_dup,
            self.boundary,
            self.boundary,
            self.charset,
            self.charset,
            self.cte,
            self.ctype,
            self.truncate,
            self.insert_ctl,
            self.line_endings,
            self.huge_line,
            self.token,
            self.token,
            self.encoded_word,
        ]

    def pos(self, data: bytearray) -> int:
        return self.rng.randrange(len(data) + 1)

    def mutate(self, data: bytes, rounds: int | None = None) -> tuple[bytes, list[str]]:
        out = bytearray(data)
        names = []
        for _ in range(rounds or self.rng.randint(1, 6)):
            op = self.rng.choice(self.ops)
            names.append(op.__name__)
            out = op(out)
            if len(out) > MAX_INPUT:
                del out[MAX_INPUT:]
        return bytes(out), names

    def flip(self, d: bytearray) -> bytearray:
        for _ in range(self.rng.choice((1, 1, 2, 4, 16, 64))):
            if not d:
                break
            i = self.rng.randrange(len(d))
            if self.rng.random() < 0.5:
                d[i] ^= 1 << self.rng.randrange(8)
            else:
                d[i] = self.rng.randrange(256)
        return d

    def _span(self, d: bytearray) -> tuple[int, int]:
        a = self.pos(d)
        return a, min(len(d), a + self.rng.choice((1, 2, 8, 64, 500, 4000, 40000)))

    def delete(self, d: bytearray) -> bytearray:
        a, b = self._span(d)
        del d[a:b]
        return d

    def duplicate(self, d: bytearray) -> bytearray:
        a, b = self._span(d)
        # mostly up to 64 KB more: large inputs are slow to run and come from huge_line too
        most = MAX_INPUT // 2 if self.rng.random() < 0.1 else 64 * 1024
        times = min(self.rng.choice((2, 3, 10, 100, 1000)), most // max(1, b - a))
        at = self.pos(d)
        d[at:at] = bytes(d[a:b]) * max(1, times)
        return d

    def splice(self, d: bytearray) -> bytearray:
        other = self.rng.choice(self.corpus)
        return bytearray(d[: self.pos(d)] + other[self.rng.randrange(len(other) + 1) :])

    def graft(self, d: bytearray) -> bytearray:
        other = self.rng.choice(self.corpus)
        a = self.rng.randrange(len(other) + 1)
        at = self.pos(d)
        d[at:at] = other[a : a + self.rng.choice((16, 200, 2000, 20000))]
        return d

    def header_dup(self, d: bytearray) -> bytearray:
        end = _HEADER_END.search(d)
        head = bytes(d[: end.start() + 1 if end else len(d)])
        lines = [m for m in _HEADER_LINE.finditer(head)]
        if not lines:
            return self.token(d)
        m = self.rng.choice(lines)
        copies = m.group() * self.rng.choice((1, 2, 5, 50, 1000))
        at = self.rng.choice((0, m.start(), m.end(), len(head)))
        d[at:at] = copies
        return d

    def boundary(self, d: bytearray) -> bytearray:
        found = list(_BOUNDARY.finditer(d))
        if not found:
            return self.token(d)
        m = self.rng.choice(found)
        b = m.group(1)
        how = self.rng.randrange(8)
        if how == 0:  # the parameter no longer names the delimiter
            d[m.start(1) : m.end(1)] = self.rng.choice((b"", b"x", b + b"x", b[:-1], b" " + b))
        elif how == 1:  # delete one delimiter line
            lines = [i.start() for i in re.finditer(re.escape(b"--" + b), d)] if b else []
            if lines:
                i = self.rng.choice(lines)
                del d[i : i + len(b) + 2 + self.rng.choice((0, 2, 4))]
        elif how == 2:  # the closing delimiter cut or doubled
            close = d.rfind(b"--" + b + b"--") if b else -1
            if close >= 0:
                d[close:] = self.rng.choice((b"", b"--" + b, d[close:] * 3, b"--" + b + b"-"))
        elif how == 3:  # a delimiter inside a body
            at = self.pos(d)
            d[at:at] = b"\r\n--" + b + self.rng.choice((b"", b"--", b" \t", b"x")) + b"\r\n"
        elif how == 4:  # whitespace, case, quotes
            d[m.start(1) : m.end(1)] = self.rng.choice((b.upper(), b + b" ", b'"' + b, b"\t"))
        elif how == 5:  # a very long boundary
            d[m.start(1) : m.end(1)] = b * self.rng.choice((10, 100, 1000))
        elif how == 6:  # the parameter removed
            d[m.start() : m.end()] = b""
        else:  # boundary made of characters that need care in a regex
            odd = (b"(.*)+", b"[", b"\\", b"=?", b"--", b"\x00")
            d[m.start(1) : m.end(1)] = self.rng.choice(odd)
        return d

    def charset(self, d: bytearray) -> bytearray:
        found = list(_CHARSET.finditer(d))
        name = self.rng.choice(CHARSETS).encode("utf-8")
        if found and self.rng.random() < 0.8:
            m = self.rng.choice(found)
            d[m.start(1) : m.end(1)] = name
            return d
        found_ct = list(_CTYPE.finditer(d))
        if found_ct:
            m = self.rng.choice(found_ct)
            d[m.end() : m.end()] = b'; charset="' + name + b'"'
        return d

    def cte(self, d: bytearray) -> bytearray:
        value = b"Content-Transfer-Encoding: " + self.rng.choice(CTES).encode()
        found = list(_CTE.finditer(d))
        if found and self.rng.random() < 0.7:
            m = self.rng.choice(found)
            d[m.start() : m.end()] = value
            return d
        found_ct = list(_CTYPE.finditer(d))
        at = self.rng.choice(found_ct).start() if found_ct else 0
        d[at:at] = value + b"\r\n"
        return d

    def ctype(self, d: bytearray) -> bytearray:
        found = list(_CTYPE.finditer(d))
        if not found:
            d[0:0] = b"Content-Type: " + self.rng.choice(TYPES).encode() + b"\r\n"
            return d
        m = self.rng.choice(found)
        d[m.start(1) : m.end(1)] = self.rng.choice(TYPES).encode()
        return d

    def truncate(self, d: bytearray) -> bytearray:
        del d[self.pos(d) :]
        return d

    def insert_ctl(self, d: bytearray) -> bytearray:
        for _ in range(self.rng.choice((1, 3, 20))):
            at = self.pos(d)
            d[at:at] = self.rng.choice((b"\x00", b"\r", b"\n", b"\r\n", b"\n\r", b"\x00" * 64))
        return d

    def line_endings(self, d: bytearray) -> bytearray:
        data = bytes(d)
        how = self.rng.randrange(4)
        if how == 0:
            data = data.replace(b"\r\n", b"\n")
        elif how == 1:
            data = data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        elif how == 2:
            data = data.replace(b"\r\n", b"\n").replace(b"\n", b"\r")
        else:
            data = data.replace(b"\n", b"\r\r\n")
        return bytearray(data)

    def huge_line(self, d: bytearray) -> bytearray:
        unit = self.rng.choice(HUGE)
        size = self.rng.choice((1000,) * 4 + (10_000,) * 3 + (100_000,) * 2 + (1_000_000,))
        line = unit * (size // len(unit) + 1)
        end = _HEADER_END.search(d)
        if end and self.rng.random() < 0.4:  # a header: one long line, or long folded
            folded = self.rng.random() < 0.3
            value = line.replace(b" ", b"\r\n ") if folded else line
            name = self.rng.choice(
                (
                    b"Subject",
                    b"From",
                    b"To",
                    b"References",
                    b"X-Long",
                    b"Content-Type",
                    b"Message-ID",
                )
            )
            d[end.start() : end.start()] = b"\r\n" + name + b": " + value
        else:
            at = self.pos(d)
            d[at:at] = b"\r\n" + line + b"\r\n"
        return d

    def token(self, d: bytearray) -> bytearray:
        for _ in range(self.rng.choice((1, 1, 3, 10))):
            at = self.pos(d)
            d[at:at] = self.rng.choice(TOKENS)
        return d

    def encoded_word(self, d: bytearray) -> bytearray:
        found = list(_ENCWORD.finditer(d))
        if found and self.rng.random() < 0.6:
            m = self.rng.choice(found)
            d[m.start(1) : m.end(1)] = self.rng.choice(CHARSETS).encode("utf-8")
            return d
        text = self.rng.choice(WORDS).format(n=7).encode("utf-8")
        cs = self.rng.choice(CHARSETS).encode("utf-8")
        if self.rng.random() < 0.5:
            word = b"=?" + cs + b"?B?" + base64.b64encode(text)[: self.rng.randrange(1, 60)] + b"?="
        else:
            word = b"=?" + cs + b"?Q?" + quopri.encodestring(text, header=True)[:80] + b"?="
        end = _HEADER_END.search(d)
        at = self.rng.randrange(end.start() + 1) if end else self.pos(d)
        d[at:at] = word
        return d


class Generator:
    """Random MIME trees, well-formed or nearly so (at most about 400 parts)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.parts = 0

    def text(self) -> str:
        n = self.rng.choice((0, 1, 3, 10, 60))
        return "\n".join(
            self.rng.choice(WORDS).format(n=self.rng.randint(1, 999)) for _ in range(n)
        )

    def encode_body(self, body: bytes, cte: str) -> bytes:
        if cte == "base64":
            out = base64.encodebytes(body)
            return out if self.rng.random() < 0.9 else out[: self.rng.randrange(len(out) + 1)]
        if cte == "quoted-printable":
            return quopri.encodestring(body)
        if cte == "x-uuencode":
            import binascii

            lines = [binascii.b2a_uu(body[i : i + 45]) for i in range(0, len(body), 45)]
            return b"begin 644 a.log\n" + b"".join(lines) + b"`\nend\n"
        return body

    def filename(self) -> bytes:
        name = self.rng.choice(
            (
                "app.log",
                "报错截图.png",
                "../../etc/passwd",
                "a\x00b.txt",
                "CON",
                "x" * 300,
                "\u202egpj.exe",
                "日志.txt",
                "",
            )
        )
        how = self.rng.randrange(4)
        if how == 0:
            return b'; filename="' + name.encode("utf-8", "replace") + b'"'
        if how == 1:
            q = "".join(f"%{b:02X}" for b in name.encode("utf-8"))
            half = len(q) // 2
            return (
                b"; filename*0*=utf-8''" + q[:half].encode() + b"; filename*1*=" + q[half:].encode()
            )
        if how == 2:
            enc = base64.b64encode(name.encode("gb18030", "replace"))
            return b'; name="=?gb2312?B?' + enc + b'?="'
        return b"; filename=" + name.encode("utf-8", "replace")

    def leaf(self, depth: int) -> bytes:
        r = self.rng
        ctype = r.choice(TYPES[:20])
        charset = r.choice(CHARSETS[:40])
        cte = r.choice(("7bit", "8bit", "base64", "quoted-printable", "x-uuencode", "binary"))
        if ctype == "message/rfc822" and depth < 6:
            body, cte = self.mail(depth + 1), r.choice(("7bit", "8bit"))
        elif ctype in ("application/ms-tnef", "application/vnd.ms-tnef"):
            body = b"\x78\x9f\x3e\x22" + r.randbytes(r.choice((0, 10, 200, 5000)))
        elif ctype == "text/html":
            inner = "".join(
                f"<{t}>{self.text()}</{t}>"
                for t in r.choices(("p", "div", "td", "blockquote", "span", "b"), k=5)
            )
            body = f"<html><body>{'<div>' * r.choice((0, 5, 500))}{inner}</body></html>".encode()
        elif ctype == "text/calendar":
            summary = self.text()[:200]
            body = f"BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:{summary}\nEND:VEVENT\n".encode()
        elif ctype.startswith("image/") or ctype in ("application/zip", "application/pdf"):
            body = r.randbytes(r.choice((0, 100, 3000)))
        else:
            try:
                body = self.text().encode(charset or "utf-8", "replace")
            except (LookupError, ValueError, TypeError):
                body = self.text().encode("utf-8")
        head = f'Content-Type: {ctype}; charset="{charset}"'.encode("utf-8", "replace")
        if r.random() < 0.4:
            head += self.filename()
        head += f"\r\nContent-Transfer-Encoding: {cte}\r\n".encode()
        if r.random() < 0.3:
            disp = r.choice(("attachment", "inline", "bogus"))
            head += b"Content-Disposition: " + disp.encode() + self.filename() + b"\r\n"
        return head + b"\r\n" + self.encode_body(body, cte)

    def tree(self, depth: int) -> bytes:
        r = self.rng
        self.parts += 1
        if depth >= 5 or self.parts > 400 or r.random() < 0.45:
            return self.leaf(depth)
        boundary = r.choice(("b1", "=_x", "----=_Part_0_1", "a b", "x" * 70, "", "--", "b1"))
        sub = r.choice(("mixed", "alternative", "related", "signed", "report", "digest"))
        parts = [self.tree(depth + 1) for _ in range(r.choice((0, 1, 2, 3, 5, 30)))]
        out = f'Content-Type: multipart/{sub}; boundary="{boundary}"\r\n\r\npreamble\r\n'.encode()
        for p in parts:
            out += f"--{boundary}\r\n".encode() + p + b"\r\n"
        if r.random() < 0.8:
            out += f"--{boundary}--\r\nepilogue\r\n".encode()
        return out

    def mail(self, depth: int = 0) -> bytes:
        r = self.rng
        if depth == 0:
            self.parts = 0
        subject = r.choice(WORDS).format(n=r.randint(1, 999))
        cs = r.choice(("utf-8", "gb2312", "big5", "iso-2022-jp", "koi8-r"))
        try:
            enc = base64.b64encode(subject.encode(cs, "replace")).decode()
        except (LookupError, ValueError):
            enc = base64.b64encode(subject.encode()).decode()
        sender = r.choice(
            (
                "a@b.example",
                "=?utf-8?B?5byg5LiJ?= <z@c.example>",
                "<x@",
                "boss@customer.cn",
                "Dana <dana@bigcustomer.com>",
                "",
                "noreply@example.com",
                "MAILER-DAEMON@mx.example",
                '"a,b" <a@b>',
            )
        )
        head = (
            f"From: {sender}\r\nTo: support@example.com\r\n"
            f"Subject: =?{cs}?B?{enc}?=\r\nDate: Mon, 23 Nov 2026 10:00:00 +0800\r\n"
            f"Message-ID: <g{r.randrange(10**9)}@x>\r\nMIME-Version: 1.0\r\n"
        )
        if r.random() < 0.2:
            head += "In-Reply-To: <a@b>\r\nReferences: <a@b> <c@d>\r\n"
            head += "Auto-Submitted: auto-replied\r\n"
        return head.encode() + self.tree(depth)

    def big(self) -> bytes:
        """A mail over 1 MB with a base64 part over 256 KB: the bigparts path."""
        r = self.rng
        payload = r.randbytes(r.choice((300_000, 800_000, 1_500_000)))
        b64 = base64.encodebytes(payload).replace(b"\n", b"\r\n")
        head = (
            b"From: Ops <ops@example.com>\r\nTo: support@example.com\r\nSubject: dump\r\n"
            b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
            b"Content-Type: text/plain; charset=utf-8\r\n\r\nERR_CORE_DUMP_1 attached.\r\n"
            b"--b\r\nContent-Type: application/octet-stream; name=core.bin\r\n"
            b"Content-Transfer-Encoding: base64\r\n\r\n"
        )
        data = head + b64 + b"\r\n--b--\r\n"
        return data if len(data) >= 1024 * 1024 else data + b"\r\n" + b"x" * (1024 * 1024)


# ---------------------------------------------------------------- the loop and reporting


def stdlib_rate(corpus: list[bytes], rounds: int = 3) -> float:
    best = 0.0
    for _ in range(rounds):
        start = time.perf_counter()
        for data in corpus:
            email.message_from_bytes(data, policy=email.policy.default)
        best = max(best, len(corpus) / (time.perf_counter() - start))
    return best


def maild_rate(corpus: list[bytes], runner: Runner, rounds: int = 3) -> float:
    ctx = runner.contexts[1]
    best = 0.0
    for _ in range(rounds):
        start = time.perf_counter()
        for data in corpus:
            evaluate(parse(data, "zh"), ctx)
        best = max(best, len(corpus) / (time.perf_counter() - start))
    return best


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


def slug(key: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", key).strip("-")[:90]


def record(findings: dict[str, Finding], out: Outcome, data: bytes, where: Path, how: str) -> None:
    f = findings.setdefault(out.key, Finding(out.key, out.detail))
    f.count += 1
    if len(f.saved) < SAVED_PER_FINDING or len(data) < f.smallest:
        name = f"{slug(out.key)}-{len(f.saved) + 1}-{hashlib.sha256(data).hexdigest()[:8]}"
        path = where / f"{name}.eml"
        path.write_bytes(data)
        (where / f"{name}.txt").write_text(
            f"{out.key}\n{out.wall:.3f} s wall, {out.cpu:.3f} s CPU, {len(data)} bytes\n"
            f"made by: {how}\n\n{out.detail}",
            encoding="utf-8",
            errors="replace",
        )
        f.saved.append(path)
    f.smallest = min(f.smallest, len(data))


def fuzz(args: argparse.Namespace) -> None:
    rng = random.Random(args.seed)
    paths = sorted(CORPUS.glob("*.eml"))
    corpus = [p.read_bytes() for p in paths]
    where = Path(args.findings) if args.findings else Path(tempfile.mkdtemp(prefix="maild-fuzz-"))
    where.mkdir(parents=True, exist_ok=True)
    runner = Runner(rng)
    mutator = Mutator(rng, corpus)
    gen = Generator(rng)
    print(
        f"python {platform.python_version()} on {platform.machine()}; seed {args.seed}; "
        f"budget {args.seconds:.0f} s; deadline {DEADLINE:.0f} s per input",
        flush=True,
    )
    print(
        f"corpus: {len(corpus)} mails, {sum(map(len, corpus)) / 1e6:.1f} MB (tests/corpus/*.eml)",
        flush=True,
    )
    base = stdlib_rate(corpus * 10)
    mine = maild_rate(corpus * 3, runner)
    print(
        f"baseline, same corpus: stdlib email.message_from_bytes (policy.default) "
        f"{base:.0f} mails/s; maild parse + evaluate {mine:.0f} mails/s "
        f"(ratio {mine / base:.2f})",
        flush=True,
    )
    print(f"findings go to {where}", flush=True)

    pool: list[bytes] = []
    seen: set[str] = set()
    findings: dict[str, Finding] = {}
    sources: Counter[str] = Counter()
    execs, total_bytes, biggest = 0, 0, 0
    slowest: tuple[float, float, bytes, str] = (0.0, 0.0, b"", "")  # CPU s, wall s, input
    start = time.monotonic()
    stop = start + args.seconds
    report_at = start + args.progress
    busy = 0.0
    while (now := time.monotonic()) < stop:
        if now >= report_at:
            report_at += args.progress
            print(
                f"[{now - start:6.0f} s] {execs} execs, {execs / (now - start):.0f}/s, "
                f"findings {len(findings)} ({sum(f.count for f in findings.values())} inputs), "
                f"pool {len(pool)}, features {len(seen)}, slowest {slowest[0]:.2f} s CPU, "
                f"peak RSS {peak_rss_mb():.0f} MB",
                flush=True,
            )
        roll = rng.random()
        if roll < 0.45:
            src = "corpus"
            data, ops = mutator.mutate(rng.choice(corpus))
        elif roll < 0.65:
            src = "generated"
            data, ops = gen.mail(), []
            if rng.random() < 0.5:
                data, ops = mutator.mutate(data)
        elif roll < 0.67:
            src = "big"
            data, ops = gen.big(), []
            if rng.random() < 0.7:
                data, ops = mutator.mutate(data, rng.randint(1, 2))
        elif pool:
            src = "pool"
            data, ops = mutator.mutate(rng.choice(pool))
        else:
            src = "corpus"
            data, ops = mutator.mutate(rng.choice(corpus))
        how = f"{src} + {' '.join(ops) or 'no mutation'}"
        sources[src] += 1
        out = runner.run(data)
        execs += 1
        busy += out.wall
        total_bytes += len(data)
        biggest = max(biggest, len(data))
        if out.cpu > slowest[0]:
            slowest = (out.cpu, out.wall, data, how)
        if out.kind == "ok":
            new = out.features - seen
            if new:
                seen |= new
                if len(data) <= POOL_ITEM_MAX:
                    if len(pool) < POOL_MAX:
                        pool.append(data)
                    else:
                        pool[rng.randrange(POOL_MAX)] = data
        else:
            first = out.key not in findings
            record(findings, out, data, where, how)
            if first:
                print(f"  new finding: {out.key} ({len(data)} bytes, {how})", flush=True)

    elapsed = time.monotonic() - start
    if slowest[2]:
        (where / "slowest.eml").write_bytes(slowest[2])
        (where / "slowest.txt").write_text(
            f"{slowest[0]:.3f} s CPU, {slowest[1]:.3f} s wall, {len(slowest[2])} bytes\n"
            f"made by: {slowest[3]}\n",
            encoding="utf-8",
        )
    print()
    print(
        f"executions: {execs} (parse + evaluate) in {elapsed:.0f} s = {execs / elapsed:.0f} "
        f"exec/s ({busy / elapsed:.0%} of the time in maild)"
    )
    print(
        f"inputs: {', '.join(f'{k} {v}' for k, v in sources.most_common())}; "
        f"mean {total_bytes / max(execs, 1) / 1e3:.1f} KB, largest {biggest / 1e6:.2f} MB"
    )
    print(f"coverage stand-in: {len(seen)} distinct outcomes, pool {len(pool)} inputs")
    print(
        f"baseline: stdlib email.message_from_bytes {base:.0f} mails/s, maild parse + "
        f"evaluate {mine:.0f} mails/s on the unmutated corpus"
    )
    print(
        f"slowest input: {slowest[0]:.3f} s CPU, {slowest[1]:.3f} s wall, "
        f"{len(slowest[2]) / 1e3:.1f} KB ({slowest[3]}); saved as {where / 'slowest.eml'}"
    )
    print(f"runs over {DEADLINE:.0f} s wall but not CPU (machine load): {runner.wall_only}")
    print(f"peak RSS: {peak_rss_mb():.0f} MB")
    print(
        f"distinct findings: {len(findings)} "
        f"({sum(f.count for f in findings.values())} inputs) in {where}"
    )
    for f in sorted(findings.values(), key=lambda f: -f.count):
        print(f"  {f.count:6d} x {f.key}; smallest {f.smallest} bytes; first: {f.saved[0].name}")


def replay(paths: list[str]) -> None:
    runner = Runner(random.Random(0))
    for name in paths:
        data = Path(name).read_bytes()
        for lang, limit in (("zh", 64 * 1024), ("zh", 25 * 1024 * 1024), ("en", 64 * 1024)):
            for ctx in runner.contexts:
                out = runner.run_with(data, lang, limit, ctx)
                if out.kind != "ok":
                    break
            if out.kind != "ok":
                break
        print(f"{name}: {len(data)} bytes, {out.kind}, {out.wall:.3f} s wall, {out.cpu:.3f} s CPU")
        if out.kind != "ok":
            print(f"  {out.key}\n{out.detail}")


def minimise(name: str) -> None:
    """Delta debugging: drop chunks, halving their size, while the finding key stays."""
    runner = Runner(random.Random(0))
    data = Path(name).read_bytes()

    def key(d: bytes) -> str:
        outs = [
            runner.run_with(d, lang, limit, ctx)
            for lang, limit in (("zh", 64 * 1024), ("zh", 25 * 1024 * 1024))
            for ctx in runner.contexts
        ]
        bad = [o for o in outs if o.kind not in ("ok", "slow")]
        return bad[0].key if bad else ""

    want = key(data)
    if not want:
        raise SystemExit(f"{name}: no exception or invariant finding to keep")
    size = max(1, len(data) // 2)
    while size >= 1:
        i, changed = 0, False
        while i < len(data):
            trial = data[:i] + data[i + size :]
            if key(trial) == want:
                data, changed = trial, True
            else:
                i += size
        if not changed:
            size //= 2
    out = Path(name).with_suffix(".min.eml")
    out.write_bytes(data)
    print(f"{want}\n{len(data)} bytes -> {out}\n{data!r}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--seconds", type=float, default=600)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--findings", default="", help="directory for findings (default: a temp dir)")
    ap.add_argument("--progress", type=float, default=60, help="seconds between progress lines")
    ap.add_argument("--replay", nargs="+", metavar="FILE", help="run these inputs and stop")
    ap.add_argument("--minimise", metavar="FILE", help="shrink one finding input and stop")
    args = ap.parse_args()
    if args.replay:
        replay(args.replay)
    elif args.minimise:
        minimise(args.minimise)
    else:
        fuzz(args)


if __name__ == "__main__":
    main()
