"""The hostile mails of tests/hostile_mail.py arriving over IMAP at a running `maild run`:
each ends as a ticket or in quarantine (moved to the quarantine folder), nothing is left in
the INBOX, the daemon stays up, and the mail after them is served as usual."""

from __future__ import annotations

from collections.abc import Callable

from tests import hostile_mail as hm
from tests.conftest import Maild, SMTPServer, mail
from tests.imap_fixtures import Account
from tests.test_daemon_imap import stop, wait_until

# the 50 MB case is for `maild ingest` and bench/hostile.py; an empty APPEND is refused by
# the IMAP server itself, so neither can arrive this way
SKIP = {"attachment-50MB", "empty-file"}


def test_hostile_mail_over_imap(make_maild: Callable[..., Maild], account: Account,
                                smtp: SMTPServer) -> None:
    s = account.settings()
    box = {"name": s.name, "host": s.host, "port": s.port, "security": "none",
           "username": s.username, "password": s.password, "idle": True, "poll_interval": 1.0,
           "processed_folder": "Archive", "quarantine_folder": "Quarantine",
           "import_existing": "normal"}
    m = make_maild(smtp={"port": smtp.port}, mailboxes=[box], agents={"notify": []},
                   outbox={"poll_interval": 0.1, "retry_base": 0.2})
    cases = [c for c in hm.CASES if c.name not in SKIP]
    account.append(*[c.make() for c in cases])
    proc = m.popen("run")
    try:
        assert wait_until(lambda: account.subjects("INBOX") == [], 180), "INBOX not emptied"
        assert proc.poll() is None, "a hostile mail stopped the daemon"
        account.append(mail(subject="after the storm", sender="calm@customer.cn"))
        assert wait_until(lambda: any(t["subject"] == "after the storm"
                                      for t in m.json("tickets", "list")), 60)
    finally:
        code = stop(proc)
        log = proc.stderr.read().decode() if proc.stderr else ""
    assert code == 0, log[-3000:]
    tickets = m.json("tickets", "list")
    held = m.json("quarantine", "list")
    assert len(tickets) + len(held) == len(cases) + 1, (len(tickets), held)
    want_tickets = sum(c.expect == "ticket" for c in cases)
    assert len(tickets) >= want_tickets + 1
    assert all(q["stage"] and q["error"] for q in held)
    assert len(account.subjects("Archive")) == len(tickets)
    assert len(account.subjects("Quarantine")) == len(held)
    raws = [p for p in (m.home / "var" / "raw").rglob("*.eml")]
    assert len(raws) == len(cases) + 1, "every mail's raw bytes are kept"
    assert hm.SENDER not in log and hm.PHONE not in log
