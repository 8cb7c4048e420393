"""The IMAP source against a real Dovecot: fetch, post-process after commit, IDLE/polling,
UIDVALIDITY changes and what happens to mail already in a folder when it is first seen."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from maild.sources.imap import ImapState
from maild.sources.imap_errors import ImapUnavailable
from tests import imap_fixtures as fx
from tests.conftest import mail
from tests.dovecot_server import Dovecot
from tests.imap_fixtures import Account, add_account, mails, outcomes

# the fixtures these tests use, bound here so that pytest finds them
imap_ca, imap_ca_file, imap_server = fx.imap_ca, fx.imap_ca_file, fx.imap_server
account, make_dovecot = fx.account, fx.make_dovecot


def test_fetch_reads_new_mail_oldest_first_and_changes_nothing(account: Account) -> None:
    sent = mails(3)
    account.append(*sent)
    src = account.source()
    src.connect()

    got = src.fetch()

    assert [i.data.replace(b"\r\n", b"\n") for i in got] == [
        m.replace(b"\r\n", b"\n") for m in sent
    ]
    assert [i.uid for i in got] == [1, 2, 3]
    first = got[0]
    assert first.source == "imap"
    assert first.mailbox == src.mailbox
    assert first.uidvalidity == src.state.uidvalidity
    assert first.received_at is not None and first.received_at.tzinfo is not None
    assert first.silent  # already there at first sight; import_existing defaults to silent
    # BODY.PEEK: no \Seen set by reading
    assert all("\\Seen" not in f for f in account.flags())
    # nothing committed yet: the same mail comes again
    assert [i.uid for i in src.fetch()] == [1, 2, 3]
    assert src.state.last_fetch is not None


def test_fetch_is_bounded_and_done_advances_past_committed_mail(account: Account) -> None:
    account.append(*mails(5))
    src = account.source(import_existing="normal")

    first = src.fetch(limit=2)
    assert [i.uid for i in first] == [1, 2]
    src.done(outcomes(first))
    assert src.state.last_uid == 2

    rest = src.fetch(limit=10)
    assert [i.uid for i in rest] == [3, 4, 5]
    src.done(outcomes(rest))
    assert src.fetch() == []
    assert all("\\Seen" in f for f in account.flags())


def test_done_moves_to_processed_folder_created_on_demand(account: Account) -> None:
    account.append(*mails(2, "moved"), *mails(1, "stays"))
    src = account.source(processed_folder="Processed", import_existing="normal")
    got = src.fetch()

    src.done(outcomes(got[:2]))

    assert account.subjects("Processed") == ["moved 0", "moved 1"]
    assert all("\\Seen" in f for f in account.flags("Processed"))
    assert account.subjects("INBOX") == ["stays 0"]
    assert account.flags("INBOX") == [()]


def test_quarantined_mail_is_flagged_and_left_when_no_quarantine_folder(
    account: Account,
) -> None:
    account.append(*mails(2))
    src = account.source(processed_folder="Processed", import_existing="normal")
    got = src.fetch()

    src.done(outcomes(got[:1], "quarantined") + outcomes(got[1:], "duplicate"))

    assert account.subjects("INBOX") == ["mail 0"]
    assert account.flags("INBOX") == [("\\Flagged",)]  # unread, flagged for a person
    assert account.subjects("Processed") == ["mail 1"]
    assert src.fetch() == []


def test_quarantined_mail_moves_to_quarantine_folder(account: Account) -> None:
    account.append(*mails(2))
    src = account.source(quarantine_folder="Quarantine", import_existing="normal")
    got = src.fetch()

    src.done(outcomes(got[:1], "quarantined") + outcomes(got[1:], "created"))

    assert account.subjects("Quarantine") == ["mail 0"]
    assert account.flags("Quarantine") == [("\\Flagged",)]
    assert account.subjects("INBOX") == ["mail 1"]
    assert account.flags("INBOX") == [("\\Seen",)]


def test_done_ignores_outcomes_of_other_sources(account: Account) -> None:
    account.append(*mails(1))
    src = account.source(import_existing="normal")
    got = src.fetch()
    other = account.source(name="other", import_existing="normal")
    foreign = other.fetch()

    src.done(outcomes(foreign))

    assert account.flags() == [()]
    assert src.state.last_uid == 0
    src.done(outcomes(got))
    assert account.flags() == [("\\Seen",)]


@pytest.mark.parametrize(
    ("caps", "label"),
    [
        ("IMAP4rev1 LITERAL+ UIDPLUS", "copy + UID EXPUNGE"),
        ("IMAP4rev1 LITERAL+", "copy + EXPUNGE"),
    ],
)
def test_server_without_move_or_idle(
    make_dovecot: Callable[..., Dovecot], imap_ca_file: str, caps: str, label: str
) -> None:
    server = make_dovecot(extra=f"imap_capability = {caps}")
    acc = add_account(server, imap_ca_file)
    acc.append(*mails(3))
    src = acc.source(processed_folder="Done", import_existing="normal", poll_interval=0.3)
    try:
        got = src.fetch()
        src.done(outcomes(got[:2]))
        assert acc.subjects("Done") == ["mail 0", "mail 1"], label
        assert acc.subjects("INBOX") == ["mail 2"], label
        # no IDLE announced: wait() polls
        t = time.monotonic()
        assert src.wait(timeout=5) is True
        assert 0.2 < time.monotonic() - t < 2
    finally:
        src.close()


def test_idle_sees_appended_mail_within_a_second(account: Account) -> None:
    src = account.source(import_existing="normal")
    assert src.fetch() == []
    appended: list[float] = []

    def deliver() -> None:
        time.sleep(0.5)
        account.append(mail(subject="while idling"))
        appended.append(time.monotonic())

    threading.Thread(target=deliver).start()
    t0 = time.monotonic()
    assert src.wait(timeout=15) is True
    woke = time.monotonic()
    assert appended, f"woke after {woke - t0:.2f}s before the mail was appended"
    assert woke - appended[0] < 1.5
    assert [i.uid for i in src.fetch()] == [1]


def test_idle_times_out_without_news(account: Account) -> None:
    src = account.source()
    src.fetch()
    t = time.monotonic()
    assert src.wait(timeout=0.6) is False
    assert 0.5 < time.monotonic() - t < 3


def test_mail_arriving_between_fetch_and_wait_is_not_missed(account: Account) -> None:
    src = account.source(import_existing="normal")
    src.fetch()
    account.append(mail(subject="meanwhile"))
    t = time.monotonic()
    assert src.wait(timeout=10) is True
    assert time.monotonic() - t < 2
    assert len(src.fetch()) == 1


def test_polling_when_idle_is_off(account: Account) -> None:
    src = account.source(idle=False, poll_interval=0.4, import_existing="normal")
    src.fetch()
    account.append(mail(subject="polled"))
    t = time.monotonic()
    assert src.wait(timeout=10) is True
    assert 0.3 < time.monotonic() - t < 2
    assert [i.uid for i in src.fetch()] == [1]


def test_stop_ends_a_wait_from_another_thread(account: Account) -> None:
    src = account.source()
    src.fetch()
    threading.Timer(0.3, src.stop).start()
    t = time.monotonic()
    assert src.wait(timeout=30) is False
    assert time.monotonic() - t < 3
    with pytest.raises(ImapUnavailable, match="stopping"):  # a stopped source stays stopped
        src.fetch()


def test_uidvalidity_change_rescans_the_folder(account: Account) -> None:
    old = mails(2, "old")
    with account.admin(None) as box:
        box.folder.create("Support")
    account.append(*old, folder="Support")
    src = account.source(folder="Support", import_existing="normal")
    got = src.fetch()
    src.done(outcomes(got))
    before = src.state
    assert before.last_uid == 2

    # another client deletes and recreates the folder: same old mail plus a new one
    time.sleep(1.1)  # Dovecot takes the time in seconds as a new folder's UIDVALIDITY
    with account.admin(None) as box:
        box.folder.delete("Support")
        box.folder.create("Support")
    account.append(*old, mail(subject="new"), folder="Support")

    again = src.fetch()  # the selected folder vanished: reconnect, SELECT, new UIDVALIDITY

    assert src.state.uidvalidity != before.uidvalidity
    assert [i.uid for i in again] == [1, 2, 3]
    assert all(i.uidvalidity == src.state.uidvalidity for i in again)
    assert not any(i.silent for i in again)  # a rescan is normal intake; dedupe keeps old
    # outcomes of the old UIDVALIDITY must not touch the new mail with the same UIDs
    src.done(outcomes(got))
    assert account.flags("Support") == [(), (), ()]
    src.done(outcomes(again))
    assert account.flags("Support") == [("\\Seen",)] * 3


def test_uidvalidity_change_found_on_restart(account: Account) -> None:
    account.append(*mails(2))
    stored = ImapState(uidvalidity=1, last_uid=99, silent_below=0)
    src = account.source(stored)
    src.connect()
    assert src.state.uidvalidity != 1
    assert src.state.last_uid == 0
    assert len(src.fetch()) == 2


def test_state_survives_a_restart(account: Account) -> None:
    account.append(*mails(3))
    src = account.source(import_existing="normal")
    src.done(outcomes(src.fetch(limit=2)))
    src.close()
    stored = ImapState.from_dict(src.state.as_dict())

    again = account.source(stored, import_existing="skip")  # not first sight: mode ignored
    assert [i.uid for i in again.fetch()] == [3]


@pytest.mark.parametrize("mode", ["silent", "skip", "normal"])
def test_import_existing(account: Account, mode: str) -> None:
    account.append(*mails(2, "existing"))
    src = account.source(import_existing=mode)
    src.connect()
    first_state = src.state  # the caller persists this before fetching
    account.append(mail(subject="new"))

    got = src.fetch()

    if mode == "skip":
        assert [(i.uid, i.silent) for i in got] == [(3, False)]
        assert first_state.last_uid == 2
    elif mode == "silent":
        assert [(i.uid, i.silent) for i in got] == [(1, True), (2, True), (3, False)]
        assert first_state.silent_below == 3
    else:
        assert [(i.uid, i.silent) for i in got] == [(1, False), (2, False), (3, False)]
    # a restart in the middle of a silent import stays silent for the old mail
    if mode == "silent":
        src.done(outcomes(got[:1]))
        again = account.source(ImapState.from_dict(src.state.as_dict()))
        assert [(i.uid, i.silent) for i in again.fetch()] == [(2, True), (3, False)]


def test_idle_is_reissued_and_keeps_listening(
    account: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    from maild.sources import imap_idle

    monkeypatch.setattr(imap_idle, "RENEW", 0.3)  # stands for the 29-minute limit
    src = account.source(import_existing="normal")
    src.fetch()
    appended: list[float] = []

    def deliver() -> None:
        time.sleep(1.2)  # several IDLE rounds later
        account.append(mail(subject="late"))
        appended.append(time.monotonic())

    threading.Thread(target=deliver).start()
    assert src.wait(timeout=15) is True
    assert appended and time.monotonic() - appended[0] < 1.5
    assert len(src.fetch()) == 1


def test_keepalives_do_not_end_a_wait(
    make_dovecot: Callable[..., Dovecot], imap_ca_file: str
) -> None:
    server = make_dovecot(extra="imap_idle_notify_interval = 1 secs")
    acc = add_account(server, imap_ca_file)
    src = acc.source(import_existing="normal")
    try:
        src.fetch()
        t = time.monotonic()
        assert src.wait(timeout=2.6) is False  # "* OK Still here" twice: no news
        assert time.monotonic() - t > 2.4
        acc.append(mail(subject="after keepalives"))
        assert src.wait(timeout=10) is True
        assert len(src.fetch()) == 1
    finally:
        src.close()
