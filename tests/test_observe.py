"""What an admin sees: masked logs, metrics, status, a Maildir source, a clean stop."""

from __future__ import annotations

import signal
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

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


def test_sighup_with_a_broken_config_keeps_running(make_maild: Callable[..., Maild]) -> None:
    m = make_maild()
    box = m.home / "Maildir"
    for sub in ("new", "cur", "tmp"):
        (box / sub).mkdir(parents=True)
    good = m.config.read_text() + f'\n[[maildirs]]\nname = "local"\npath = "{box}"\n'
    m.config.write_text(good)
    proc = m.popen("run")
    try:
        m.wait_ready(proc)
        m.config.write_text(good + "\n[nonsense]\nx = 1\n")
        proc.send_signal(signal.SIGHUP)
        time.sleep(1.0)
        assert proc.poll() is None, "a bad config on SIGHUP stopped the daemon"
        m.config.write_text(good)  # for the CLI below; the daemon keeps what it has
        (box / "new" / "after-hup.eml").write_bytes(mail(subject="after the reload"))
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and not m.json("tickets", "list"):
            time.sleep(0.2)
        assert [t["subject"] for t in m.json("tickets", "list")] == ["after the reload"]
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(10) == 0
        err = proc.stderr.read().decode() if proc.stderr else ""
        assert "new config rejected, keeping the old one" in err and "nonsense" in err
    finally:
        if proc.poll() is None:
            proc.kill()


def test_watchdog_and_ready_reach_systemd(make_maild: Callable[..., Maild], tmp_path: Path) -> None:
    import os
    import socket
    import subprocess
    import sys

    m = make_maild()
    path = str(tmp_path / "notify.sock")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.settimeout(10)
    env = {**os.environ, "NOTIFY_SOCKET": path, "WATCHDOG_USEC": "400000"}
    proc = subprocess.Popen([sys.executable, "-m", "maild", "--config", str(m.config), "run"],
                            cwd=m.home, env=env, stderr=subprocess.DEVNULL)
    try:
        got = [sock.recv(100).decode() for _ in range(3)]
        assert "READY=1" in got and "WATCHDOG=1" in got
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        sock.close()
