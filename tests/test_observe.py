"""What an admin sees: masked logs, metrics, status, a Maildir source, a clean stop."""

from __future__ import annotations

import signal
import time
import urllib.request
from collections.abc import Callable

from maild.observe import mask
from tests.conftest import Maild, free_port, mail


def test_mask_addresses_and_phones() -> None:
    text = mask("from zhang.wei@customer.cn, call 13812345678 or +86 13912345678")
    assert "zhang.wei" not in text and "12345678" not in text
    assert "z***@customer.cn" in text and "138****5678" in text


def test_ingest_log_has_no_personal_data(make_maild: Callable[..., Maild]) -> None:
    m = make_maild()
    raw = mail(sender="张伟 <zhang.wei@customer.cn>", subject="no sender?",
               body="电话 13812345678，系统报错")
    done = m("-v", "ingest", "-", input=raw)
    assert done.returncode == 0
    garbage = m("-v", "ingest", "-", input=b"\x00" * 100 + b"zhang.wei@customer.cn 13812345678")
    for out in (done.stderr, garbage.stderr):
        assert b"zhang.wei@" not in out and b"13812345678" not in out


def test_maildir_metrics_status_and_sigterm(make_maild: Callable[..., Maild]) -> None:
    port = free_port()
    m = make_maild(log={"metrics_port": port})
    box = m.home / "Maildir"
    for sub in ("new", "cur", "tmp"):
        (box / sub).mkdir(parents=True)
    cfg = m.config.read_text() + f'\n[[maildirs]]\nname = "local"\npath = "{box}"\n'
    m.config.write_text(cfg)
    (box / "new" / "1.eml").write_bytes(mail(subject="from the maildir"))
    proc = m.popen("run")
    try:
        deadline = time.monotonic() + 15
        body = ""
        while time.monotonic() < deadline:
            try:
                body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2)\
                    .read().decode()
            except OSError:
                body = ""
            if 'maild_mails_total{action="created",source="maildir"} 1.0' in body:
                break
            time.sleep(0.2)
        assert 'maild_mails_total{action="created",source="maildir"} 1.0' in body
        assert list((box / "new").iterdir()) == []
        assert [p.name.endswith(":2,S") for p in (box / "cur").iterdir()] == [True]
        status = m.json("status")
        assert any(s["source"] == "maildir" and s["mails"] == 1 for s in status["sources"])
        t0 = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(10) == 0
        assert time.monotonic() - t0 < 10
    finally:
        if proc.poll() is None:
            proc.kill()
