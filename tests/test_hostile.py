"""Hostile mail through the same door the MTA uses (`maild ingest`): every case ends as a
ticket or in quarantine with a reason, in bounded time, with the raw bytes kept; nothing is
written outside `storage.path` (and the database), no network or subprocess is touched, no
personal data reaches the log, and nothing a customer wrote becomes a header, a recipient or
template code.

Each ingest runs under a Python audit hook (`sys.addaudithook`) that records every file opened
for writing, every rename/link/mkdir/remove, every socket, subprocess and URL event; the test
then checks where they went. The cases themselves are made in `tests/hostile_mail.py`.
"""

from __future__ import annotations

import email
import email.policy
import json
import os
import re
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests import hostile_mail as hm
from tests.conftest import ROOT, Maild, SMTPServer, base_config, mail

CASE_SECONDS = 20.0  # generous: every case takes 1-3 s on two shared cores

AUDIT = r"""
import json, os, sys
events = []
WRITE = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
WATCHED = ("os.", "shutil.", "socket.", "subprocess.", "urllib.", "http.", "ftplib.",
           "smtplib.", "imaplib.", "webbrowser.", "ctypes.")
QUIET = ("os.listdir", "os.scandir", "os.walk", "os.chdir")

def hook(event, args):
    if event == "open":
        path, mode, flags = args
        writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
            mode is None and isinstance(flags, int) and flags & WRITE)
        if writing and not isinstance(path, int):
            events.append(["write", os.fsdecode(path)])
    elif event.startswith(WATCHED) and event not in QUIET:
        paths = [os.fsdecode(a) for a in args if isinstance(a, (str, bytes, os.PathLike))]
        events.append([event, *paths] if paths else [event, repr(args)[:200]])

sys.addaudithook(hook)
from maild.cli import main
try:
    code = main(sys.argv[2:])
finally:
    found = list(events)
    with open(sys.argv[1], "w") as f:
        json.dump(found, f)
sys.exit(code)
"""


@dataclass
class Run:
    outcome: dict[str, Any]
    seconds: float
    stderr: str
    events: list[list[str]]


@pytest.fixture(scope="module")
def m(tmp_path_factory: pytest.TempPathFactory) -> Maild:
    """One installation for the module (one `db upgrade`); every case has its own mail."""
    home = tmp_path_factory.mktemp("hostile")
    inst = Maild(home, home / "maild.toml", f"sqlite:///{home}/maild.db")
    inst.write_config(**base_config(home, inst.db_url))
    done = inst("db", "upgrade")
    assert done.returncode == 0, done.stderr.decode()
    return inst


def tree(root: Path, skip: Callable[[Path], bool]) -> dict[str, tuple[int, int]]:
    found = {}
    for dirpath, _, files in os.walk(root):
        for name in files:
            p = Path(dirpath) / name
            if not skip(p):
                st = p.lstat()
                found[str(p.relative_to(root))] = (st.st_size, st.st_mtime_ns)
    return found


def storage(m: Maild) -> Path:
    return m.home / "var"


def outside_storage(m: Maild) -> Callable[[Path], bool]:
    """Files maild may change that are not under storage.path: the SQLite database only."""
    db = Path(m.db_url.removeprefix("sqlite:///")) if m.db_url.startswith("sqlite") else None

    def skip(p: Path) -> bool:
        return storage(m) in p.parents or (db is not None and p.name.startswith(db.name))

    return skip


def ingest(m: Maild, data: bytes, name: str, tmp_path: Path) -> Run:
    """`maild -v ingest --json FILE` under the audit hook; checks what every case must hold."""
    inbox = tmp_path / "in"
    inbox.mkdir(exist_ok=True)
    f = inbox / f"{name}.eml"
    f.write_bytes(data)
    events_file, tmpdir = tmp_path / f"{name}.events.json", tmp_path / f"{name}.tmp"
    tmpdir.mkdir()
    before = tree(m.home, outside_storage(m))
    t0 = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", AUDIT, str(events_file), "--config", str(m.config), "-v",
         "ingest", "--json", str(f)],
        capture_output=True, timeout=120, cwd=m.home, check=False,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "TMPDIR": str(tmpdir),
             "PYTHONPATH": str(ROOT)})
    seconds = time.monotonic() - t0
    stderr = done.stderr.decode("utf-8", "replace")
    assert done.returncode == 0, stderr
    [outcome] = json.loads(done.stdout)
    events = [e for e in json.loads(events_file.read_text()) if e[1:] != [str(events_file)]]

    assert seconds < CASE_SECONDS, f"{name}: {seconds:.1f} s"
    assert tree(m.home, outside_storage(m)) == before, "a file changed outside storage.path"
    assert not any(tmpdir.iterdir()), "temporary files were left behind"
    root = str(storage(m).resolve())
    for what, *args in events:
        if what == "subprocess.Popen" and args and os.path.basename(args[0]) == "ldconfig":
            continue  # ctypes.util.find_library looking up libc at import: not mail-driven
        assert not what.startswith(("socket.", "subprocess.", "urllib.", "http.",
                                    "smtplib.", "imaplib.", "ftplib.", "webbrowser.",
                                    "os.system", "os.exec", "os.posix_spawn", "os.fork")), \
            (what, args)
        for path in args:
            if what in ("write", "os.rename", "os.link", "os.mkdir", "os.remove", "os.symlink",
                        "os.truncate", "os.chmod", "os.rmdir", "shutil.rmtree"):
                real = os.path.realpath(path)
                inside = real == root or real.startswith(root + os.sep)
                assert inside or real == os.devnull, (what, path)
    assert hm.PHONE not in stderr and hm.SENDER not in stderr, stderr
    assert outcome["action"] in ("created", "quarantined", "suppressed"), outcome
    if outcome["action"] == "quarantined":
        assert outcome["reason"], outcome
    return Run(outcome, seconds, stderr, events)


def raw_kept(m: Maild, data: bytes, run: Run) -> None:
    """The exact bytes are stored (0600); for quarantined mail `quarantine show --raw` gives
    them back byte for byte."""
    import hashlib

    sha = hashlib.sha256(data).hexdigest()
    path = storage(m) / "raw" / sha[:2] / f"{sha}.eml"
    assert path.read_bytes() == data
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    if run.outcome["action"] == "quarantined":
        qid = int(re.search(r"quarantine #(\d+)", run.outcome["reason"]).group(1))  # type: ignore[union-attr]
        entry = m.json("quarantine", "show", str(qid))
        assert entry["stage"] and entry["error"] and entry["sha256"] == sha
        shown = m("quarantine", "show", str(qid), "--raw", timeout=120)
        assert shown.returncode == 0 and shown.stdout == data
    else:
        assert not any((storage(m) / "incoming").iterdir()), "journal cleared after commit"


def ticket(m: Maild, run: Run) -> dict[str, Any]:
    assert run.outcome["action"] == "created", run.outcome
    t: dict[str, Any] = m.json("tickets", "show", str(run.outcome["ticket"]))
    return t


def outbox_raw(m: Maild, number: int, purpose: str) -> bytes:
    rows = [r for r in m.json("outbox", "list") if r["ticket"] == number and
            r["purpose"] == purpose]
    assert len(rows) == 1, rows
    done = m("outbox", "show", str(rows[0]["id"]), "--raw")
    assert done.returncode == 0
    return done.stdout


def decoded(raw: bytes) -> str:
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    parts = msg.walk() if msg.is_multipart() else iter([msg])
    return "\n".join(str(p.get_content()) for p in parts if p.get_content_maintype() == "text")


# -- size and structure -------------------------------------------------------------------


def test_ten_thousand_mime_parts(m: Maild, tmp_path: Path) -> None:
    data = hm.many_parts(10_000)
    run = ingest(m, data, "parts", tmp_path)
    raw_kept(m, data, run)
    t = ticket(m, run)
    assert "ERR_EXPORT_100" in t["messages"][0]["text"]


def test_hundred_nesting_levels(m: Maild, tmp_path: Path) -> None:
    data = hm.deep_nesting(100)
    run = ingest(m, data, "deep", tmp_path)
    raw_kept(m, data, run)
    assert ticket(m, run)["subject"] == "MIME bomb: deep nesting"


def test_five_thousand_nesting_levels(m: Maild, tmp_path: Path) -> None:
    """Deeper than the stdlib parser's recursion can go."""
    data = hm.deep_nesting(5_000)
    run = ingest(m, data, "deeper", tmp_path)
    raw_kept(m, data, run)


def test_fifty_megabyte_attachment(m: Maild, tmp_path: Path) -> None:
    """Over storage.max_message_size (50 MB) once base64-encoded: quarantined as too big, the
    raw mail kept whole and given back byte for byte."""
    data = hm.big_attachment(50)
    run = ingest(m, data, "big50", tmp_path)
    assert run.outcome["action"] == "quarantined"
    assert run.outcome["reason"].startswith("size:")
    raw_kept(m, data, run)


def test_thirty_megabyte_attachment_is_a_ticket_without_the_file(m: Maild,
                                                                 tmp_path: Path) -> None:
    """Under the mail limit but over storage.max_attachment_size (25 MB): a ticket; the file
    is not stored apart (the raw mail keeps it) and nothing that big lands in attachments/."""
    data = hm.big_attachment(30)
    run = ingest(m, data, "big30", tmp_path)
    raw_kept(m, data, run)
    t = ticket(m, run)
    assert t["messages"][0]["attachments"] == []
    assert all(p.stat().st_size < 25 << 20 for p in (storage(m) / "attachments").rglob("*")
               if p.is_file())


def test_five_megabyte_header_line(m: Maild, tmp_path: Path) -> None:
    data = hm.long_header_line(5)
    run = ingest(m, data, "longheader", tmp_path)
    raw_kept(m, data, run)
    t = ticket(m, run)
    assert len(t["subject"]) <= 998
    ack = outbox_raw(m, t["number"], "ack")
    head = ack.split(b"\r\n\r\n", 1)[0]
    assert max(len(line) for line in head.split(b"\r\n")) <= 998, "RFC 5322 line limit"


def test_ten_thousand_headers(m: Maild, tmp_path: Path) -> None:
    data = hm.many_headers(10_000)
    run = ingest(m, data, "headers", tmp_path)
    raw_kept(m, data, run)
    assert ticket(m, run)["subject"] == "ten thousand headers"


def test_zip_bomb_is_stored_never_unpacked(m: Maild, tmp_path: Path) -> None:
    data = hm.zip_bomb(1.0)
    run = ingest(m, data, "zipbomb", tmp_path)
    raw_kept(m, data, run)
    [att] = ticket(m, run)["messages"][0]["attachments"]
    assert att["filename"] == "logs.zip" and att["size"] < 2 << 20  # the archive, as sent
    stored = storage(m) / "attachments" / att["sha256"][:2] / att["sha256"]
    assert stored.stat().st_size == att["size"]
    assert not [e for e in run.events if e[0] == "write" and "attachments" in e[1]
                and not e[1].endswith(".tmp")], "only the archive itself is written"


def test_hostile_attachment_names(m: Maild, tmp_path: Path) -> None:
    data = hm.hostile_names()
    run = ingest(m, data, "names", tmp_path)
    raw_kept(m, data, run)
    names = [a["filename"] for a in ticket(m, run)["messages"][0]["attachments"]]
    assert len(names) == len(hm.HOSTILE_NAMES)
    for name in names:
        assert name and not name.startswith(".")
        assert not set(name) & set("/\\\x00\u202e\u202d\u200f\r\n:"), repr(name)
        assert len(name) <= 150 and len(name.encode()) <= 240
    assert "invoicefdp.exe" in names  # the RTL override cannot make ".exe" look like ".pdf"
    # files are stored by content hash only: ab/abcdef…(64 hex), never by a sender's name
    for p in (storage(m) / "attachments").rglob("*"):
        rel = p.relative_to(storage(m) / "attachments").parts
        if p.is_file():
            assert len(rel) == 2 and re.fullmatch(r"[0-9a-f]{64}", rel[1]), p
            assert rel[1][:2] == rel[0]
    assert not (m.home / "etc").exists() and not (storage(m) / "etc").exists()


def test_long_attachment_name_keeps_its_extension(m: Maild, tmp_path: Path) -> None:
    data = hm.with_attachment("long name", "long-name", b"log line\n",
                              'filename="' + "A" * 1000 + '.log"')
    run = ingest(m, data, "longname", tmp_path)
    [att] = ticket(m, run)["messages"][0]["attachments"]
    assert att["filename"].endswith(".log") and len(att["filename"]) <= 150


# -- markup and encodings -----------------------------------------------------------------


def test_html_with_script_and_remote_images(m: Maild, tmp_path: Path) -> None:
    data = hm.html_script()
    run = ingest(m, data, "html", tmp_path)  # the audit hook: no socket event at all
    raw_kept(m, data, run)
    text = ticket(m, run)["messages"][0]["text"]
    assert "ERR_EXPORT_100" in text
    assert "fetch(" not in text and "alert" not in text and "198.51.100.7" not in text


def test_html_parse_in_process_opens_no_socket(monkeypatch: pytest.MonkeyPatch) -> None:
    from maild import parsers

    def refuse(*args: object, **kw: object) -> None:
        raise AssertionError(f"network access during parse: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    t0 = time.monotonic()
    parsed = parsers.parse(hm.html_script())
    assert time.monotonic() - t0 < 2.0
    assert "ERR_EXPORT_100" in parsed.error_codes
    assert "<script" not in parsed.text and "alert" not in parsed.text


@pytest.mark.parametrize("case", ["malformed-encodings", "all-parts-undecodable"])
def test_malformed_and_undecodable_mail_is_a_ticket(m: Maild, tmp_path: Path,
                                                    case: str) -> None:
    data = {"malformed-encodings": hm.malformed_encodings,
            "all-parts-undecodable": hm.all_undecodable}[case]()
    run = ingest(m, data, case, tmp_path)
    raw_kept(m, data, run)
    t = ticket(m, run)
    text = t["messages"][0]["text"] + t["subject"]
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", text)


@pytest.mark.parametrize("case", ["empty", "zeros"])
def test_empty_file_and_file_of_zeros_are_quarantined(m: Maild, tmp_path: Path,
                                                      case: str) -> None:
    data = hm.empty() if case == "empty" else hm.zeros(1 << 20)
    run = ingest(m, data, case, tmp_path)
    assert run.outcome["action"] == "quarantined" and "From" in run.outcome["reason"]
    raw_kept(m, data, run)


# -- injection ----------------------------------------------------------------------------


def test_template_and_crlf_injection_adds_nothing(m: Maild, tmp_path: Path) -> None:
    data = hm.injection()
    run = ingest(m, data, "inject", tmp_path)
    raw_kept(m, data, run)
    t = ticket(m, run)
    rows = [r for r in m.json("outbox", "list") if r["ticket"] == t["number"]]
    assert sorted((r["purpose"], tuple(r["to"])) for r in rows) == [
        ("ack", ("eve@customer.cn",)), ("notify", ("team@example.com",))]
    for purpose in ("ack", "notify"):
        raw = outbox_raw(m, t["number"], purpose)
        head = raw.split(b"\r\n\r\n", 1)[0].decode("ascii")  # headers are 7-bit
        names = [ln.split(":", 1)[0].lower() for ln in head.split("\r\n") if ln[:1] not in " \t"]
        assert not {"bcc", "cc", "rcpt to"} & set(names), head
        assert len(names) == len(set(names)), f"a header appears twice: {names}"
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        assert hm.INJECTED_RCPT not in str(msg["To"])
        assert "{{ 7*7 }}" in str(msg["Subject"])  # the customer's text, as text
        body = decoded(raw)
        for executed in ("boomboomboom", "<class", "__mro__ }}49"):
            assert executed not in body and executed not in str(msg["Subject"])
    assert "{{ 7*7 }}" in decoded(outbox_raw(m, t["number"], "notify"))


def test_our_acknowledgement_fed_back_is_not_answered(m: Maild, tmp_path: Path) -> None:
    """A loop: the acknowledgement comes back to support@ (a forwarding rule, a misconfigured
    alias). It is recorded, never answered."""
    first = ingest(m, mail(subject="loop start", sender="Li <li.loop@customer.cn>"), "loop0",
                   tmp_path)
    n = first.outcome["ticket"]
    ack = outbox_raw(m, n, "ack")
    before = len(m.json("outbox", "list", "--all"))
    back = ingest(m, ack, "loop1", tmp_path)
    assert back.outcome["action"] in ("suppressed", "quarantined", "created")
    assert len(m.json("outbox", "list", "--all")) == before, "the loop was answered"


def test_guessed_ticket_number_opens_a_new_ticket(m: Maild, tmp_path: Path) -> None:
    first = ingest(m, mail(subject="my data", sender=f"Li <{hm.SENDER}>"), "own", tmp_path)
    n = first.outcome["ticket"]
    guess = ingest(m, mail(subject=f"Re: [#{n}] send me the attachments",
                           sender="eve@evil.example"), "guess", tmp_path)
    assert guess.outcome["action"] == "created" and guess.outcome["ticket"] != n
    assert len(m.json("tickets", "show", str(n))["messages"]) == 1


def test_forged_agent_from_is_not_an_agent_reply(m: Maild, tmp_path: Path) -> None:
    first = ingest(m, mail(subject="forged agent", sender=f"Li <{hm.SENDER}>"), "fa0", tmp_path)
    n = first.outcome["ticket"]
    forged = mail(subject=f"Re: [#{n}] forged agent", body="/close\n已解决",
                  sender="Alice <alice@example.com>",
                  extra="Authentication-Results: mx.example.com; spf=fail; dkim=none\r\n")
    f = tmp_path / "forged.eml"
    f.write_bytes(forged)
    done = m("ingest", "--json", str(f))
    assert done.returncode == 0, done.stderr.decode()
    [out] = json.loads(done.stdout)
    assert out["action"] != "agent_reply", out
    assert m.json("tickets", "show", str(n))["status"] == "new"


NUL_CARRIERS = ("filename", "subject", "from-name", "body", "message-id", "references", "to-cc",
                "header")


def nul_failures(mk: Maild) -> dict[str, str]:
    """Each NUL mail through `ingest`; the carriers whose mail could not be committed. A
    failed mail stays in the journal and makes `maild run` fail at start too (checked), so
    it is taken out of the journal before the next carrier."""
    failed = {}
    for carrier in NUL_CARRIERS:
        done = mk("ingest", "--json", "-", input=hm.nul_mail(carrier))
        if done.returncode == 0:
            [out] = json.loads(done.stdout)
            assert out["action"] in ("created", "quarantined"), out
            continue
        failed[carrier] = done.stderr.decode().strip().splitlines()[-1][:300]
        assert mk("run", "--once").returncode != 0, "recovery trips over it as well"
        for p in (mk.home / "var" / "incoming").iterdir():
            p.unlink()
    assert mk("run", "--once").returncode == 0
    return failed


def test_nul_anywhere_is_stored_on_sqlite(make_maild: Callable[..., Maild]) -> None:
    assert nul_failures(make_maild()) == {}


def test_nul_anywhere_is_stored_on_postgresql(make_maild: Callable[..., Maild],
                                              pg_url: str) -> None:
    assert nul_failures(make_maild(pg_url)) == {}


# -- personal data in logs ----------------------------------------------------------------


def test_personal_data_never_in_ingest_log(m: Maild, tmp_path: Path) -> None:
    data = hm.personal_data()
    run = ingest(m, data, "pii", tmp_path)  # ingest() asserts PHONE and SENDER not in stderr
    t = ticket(m, run)
    assert hm.PHONE in t["messages"][0]["text"]  # kept on the ticket, where it belongs
    broken = data.replace(b"From:", b"Fron:")  # no From: a quarantine, which logs a warning
    run = ingest(m, broken, "pii-quarantined", tmp_path)
    assert run.outcome["action"] == "quarantined" and "WARNING" in run.stderr


@pytest.fixture
def sending(tmp_path: Path, smtp: SMTPServer) -> Iterator[Maild]:
    home = tmp_path / "send"
    home.mkdir()
    inst = Maild(home, home / "maild.toml", f"sqlite:///{home}/maild.db")
    cfg = base_config(home, inst.db_url, smtp.port)
    cfg["outbox"] = {"poll_interval": 0.1, "retry_base": 0.1, "max_attempts": 1}
    inst.write_config(**cfg)
    assert inst("db", "upgrade").returncode == 0
    yield inst


def test_personal_data_never_in_daemon_log(sending: Maild, smtp: SMTPServer) -> None:
    """The outbox logs a permanent failure; the customer's address must stay out of it."""
    smtp.handler.reject.add(hm.SENDER)
    done = sending("ingest", "-", input=hm.personal_data())
    assert done.returncode == 0, done.stderr.decode()
    run = sending("-v", "run", "--once")
    assert run.returncode == 0, run.stderr.decode()
    failed = sending.json("outbox", "list", "--status", "failed")
    assert [r["purpose"] for r in failed] == ["ack"]  # the failure is visible in the outbox
    log = run.stderr.decode("utf-8", "replace")
    assert "failed for good" in log
    assert hm.SENDER not in log and hm.PHONE not in log, log


# -- PostgreSQL: the same guarantees on the other backend ---------------------------------


def test_postgresql_mime_bomb_and_names(make_maild: Callable[..., Maild], pg_url: str,
                                        tmp_path: Path) -> None:
    pg = make_maild(pg_url)
    names_no_nul = {k: v for k, v in hm.HOSTILE_NAMES.items() if k != "nul"}
    for name, data in (("parts", hm.many_parts(10_000)), ("names", hm.hostile_names(names_no_nul)),
                       ("zeros", hm.zeros(1 << 16))):
        run = ingest(pg, data, name, tmp_path)
        raw_kept(pg, data, run)
        if name == "names":
            names = [a["filename"] for a in ticket(pg, run)["messages"][0]["attachments"]]
            assert not any(set(n) & set("/\\\x00\u202e") for n in names)
