"""The IMAP source when the server misbehaves: a connection cut in the middle of a FETCH, the
server stopped and started again, a server that stops answering, a drop while idling or
between fetch and done. Nothing is lost, nothing is marked early, and an outage is logged
once when it starts and once when it heals, however many attempts it takes."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from maild.errors import TransientError
from maild.sources.imap_errors import ImapUnavailable
from tests import imap_fixtures as fx
from tests.conftest import mail
from tests.dovecot_server import Dovecot
from tests.imap_fixtures import Account, Proxy, add_account, mails, outcomes

# the fixtures these tests use, bound here so that pytest finds them
imap_ca, imap_ca_file, imap_server = fx.imap_ca, fx.imap_ca_file, fx.imap_server
account, make_dovecot = fx.account, fx.make_dovecot


@pytest.fixture
def proxy(account: Account) -> Iterator[Proxy]:
    p = Proxy(account.server.port)
    yield p
    p.close()


def outage_lines(caplog: pytest.LogCaptureFixture) -> tuple[int, int]:
    msgs = [r.getMessage() for r in caplog.records if r.name == "maild.sources.imap"]
    return (
        sum("IMAP unavailable" in m for m in msgs),
        sum("connection restored" in m for m in msgs),
    )


def test_connection_cut_in_the_middle_of_a_fetch(
    account: Account, proxy: Proxy, caplog: pytest.LogCaptureFixture
) -> None:
    big = mail(subject="big", body="日志 " * 100_000)  # ~700 kB
    account.append(*mails(1, "small"), big, *mails(1, "after"))
    src = account.source(port=proxy.port, import_existing="normal")
    proxy.cut_next_after(200_000)  # the first connection dies inside the big literal

    with caplog.at_level(logging.INFO, logger="maild.sources.imap"):
        got = src.fetch()

    assert [i.uid for i in got] == [1, 2, 3]
    assert got[1].data.replace(b"\r\n", b"\n") == big.replace(b"\r\n", b"\n")
    assert proxy.connections == 2
    assert outage_lines(caplog) == (1, 1)
    assert all("\\Seen" not in f for f in account.flags())


def test_dovecot_stopped_and_restarted(
    make_dovecot: Callable[..., Dovecot], imap_ca_file: str, caplog: pytest.LogCaptureFixture
) -> None:
    server = make_dovecot()
    acc = add_account(server, imap_ca_file)
    acc.append(*mails(2, "before"))
    src = acc.source(import_existing="normal", retry_for=30, backoff_initial=0.1, backoff_max=0.4)
    seen: list[int] = []
    try:
        first = src.fetch(limit=1)
        src.done(outcomes(first))
        seen += [i.uid or 0 for i in first]

        server.stop()
        restarted = threading.Event()

        def restart() -> None:
            time.sleep(1.5)
            server.start()
            restarted.set()

        threading.Thread(target=restart).start()
        t = time.monotonic()
        with caplog.at_level(logging.INFO, logger="maild.sources.imap"):
            second = src.fetch()  # blocks, reconnecting with backoff, until the server is back
            # the server may answer a moment before start() returns: wait for the thread
            assert time.monotonic() - t >= 1.4 and restarted.wait(30)
            src.done(outcomes(second))
            seen += [i.uid or 0 for i in second]
            acc.append(mail(subject="after restart"))
            third = src.fetch()
            src.done(outcomes(third))
            seen += [i.uid or 0 for i in third]

        assert seen == [1, 2, 3]  # each exactly once, in order
        assert outage_lines(caplog) == (1, 1)  # many attempts, two lines
        assert acc.flags() == [("\\Seen",)] * 3
    finally:
        src.close()


def test_server_that_stops_answering_hits_the_command_timeout(
    account: Account, proxy: Proxy
) -> None:
    proxy.swallow = True  # accepts the connection, never says a word
    src = account.source(port=proxy.port, timeout=0.5, retry_for=1.5)
    t = time.monotonic()
    with pytest.raises(ImapUnavailable) as caught:
        src.fetch()
    assert 1.0 < time.monotonic() - t < 5
    assert isinstance(caught.value, TransientError)
    assert proxy.connections >= 2  # it kept trying until retry_for ran out


def test_stop_ends_the_reconnect_loop(account: Account, proxy: Proxy) -> None:
    proxy.close()  # nothing listens any more: connection refused, forever
    src = account.source(port=proxy.port, retry_for=None, backoff_initial=2, backoff_max=5)
    threading.Timer(0.5, src.stop).start()
    t = time.monotonic()
    with pytest.raises(ImapUnavailable):
        src.fetch()
    assert time.monotonic() - t < 3


def test_drop_while_idling_reconnects_and_says_fetch(account: Account, proxy: Proxy) -> None:
    src = account.source(port=proxy.port, import_existing="normal")
    assert src.fetch() == []
    threading.Timer(0.3, proxy.drop_all).start()

    t = time.monotonic()
    assert src.wait(timeout=10) is True  # a fresh connection: mail may have come meanwhile
    assert time.monotonic() - t < 3
    assert proxy.connections == 2
    account.append(mail(subject="after the outage"))
    assert [i.uid for i in src.fetch()] == [1]


def test_drop_between_fetch_and_done(account: Account, proxy: Proxy) -> None:
    account.append(*mails(2))
    src = account.source(port=proxy.port, processed_folder="Processed", import_existing="normal")
    got = src.fetch()
    proxy.drop_all()

    src.done(outcomes(got))  # reconnects; same UIDVALIDITY, so the UIDs still hold

    assert account.subjects("Processed") == ["mail 0", "mail 1"]
    assert src.state.last_uid == 2
    assert src.fetch() == []


def test_done_failing_leaves_the_mail_to_be_fetched_again(account: Account, proxy: Proxy) -> None:
    account.append(*mails(2))
    src = account.source(
        port=proxy.port, import_existing="normal", retry_for=0.5, backoff_initial=0.1
    )
    got = src.fetch()
    proxy.swallow = True
    proxy.drop_all()
    with pytest.raises(ImapUnavailable):
        src.done(outcomes(got))  # committed, but the server cannot be told
    assert src.state.last_uid == 0

    proxy.swallow = False
    again = src.fetch()  # comes again; the pipeline will call it a duplicate
    assert [i.uid for i in again] == [1, 2]
    src.done(outcomes(again, "duplicate"))
    assert account.flags() == [("\\Seen",)] * 2
