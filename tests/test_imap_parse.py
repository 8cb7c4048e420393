"""The IMAP source's pure parts: UID sets, FETCH answers, the stored state, error typing."""

from __future__ import annotations

import imaplib
import ssl
from datetime import UTC, datetime

from imap_tools.errors import MailboxFetchError

from maild.errors import PermanentError, TransientError
from maild.sources.imap import ImapState, parse_fetch, uid_set
from maild.sources.imap_errors import (
    ImapAuthError,
    ImapFetchError,
    ImapTlsError,
    ImapUnavailable,
    translate,
)


def test_uid_set_compresses_runs() -> None:
    assert uid_set([5, 1, 2, 3, 7, 8, 3]) == "1:3,5,7:8"
    assert uid_set([4]) == "4"


def test_parse_fetch_takes_the_uid_before_or_after_the_literal() -> None:
    data = [
        (b'1 (UID 5 INTERNALDATE "23-Nov-2026 10:00:00 +0800" BODY[] {3}', b"one"),
        b")",
        b"2 (FLAGS (\\Seen))",  # unsolicited: another client changed a flag
        (b'3 (INTERNALDATE " 3-Nov-2026 01:02:03 +0000" BODY[] {3}', b"two"),
        b" UID 9)",
    ]
    got = parse_fetch(data)
    assert [(uid, body) for uid, _, body in got] == [(5, b"one"), (9, b"two")]
    assert got[0][1] == datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    assert got[1][1] == datetime(2026, 11, 3, 1, 2, 3, tzinfo=UTC)


def test_state_round_trip() -> None:
    st = ImapState(7, 42, 10, datetime(2026, 11, 23, 1, 2, 3, tzinfo=UTC))
    assert ImapState.from_dict(st.as_dict()) == st
    assert ImapState.from_dict({}) == ImapState()


def test_errors_are_typed_by_what_can_heal() -> None:
    def typed(exc: BaseException) -> type:
        return type(translate(exc, "box", "UID FETCH", ImapFetchError))

    assert typed(imaplib.IMAP4.abort("socket error: EOF")) is ImapUnavailable
    assert typed(TimeoutError("timed out")) is ImapUnavailable
    assert typed(ConnectionRefusedError(111, "refused")) is ImapUnavailable
    assert typed(ssl.SSLCertVerificationError(1, "bad")) is ImapTlsError
    refused = MailboxFetchError(("NO", [b"Some messages could not be FETCHed"]), "OK")
    assert typed(refused) is ImapFetchError
    busy = MailboxFetchError(("NO", [b"[UNAVAILABLE] Try again later"]), "OK")
    assert typed(busy) is ImapUnavailable
    assert issubclass(ImapUnavailable, TransientError)
    assert issubclass(ImapFetchError, PermanentError)
    assert issubclass(ImapAuthError, PermanentError)
    err = translate(refused, "box", "UID FETCH", ImapFetchError)
    assert (err.mailbox, err.command) == ("box", "UID FETCH")
    assert "could not be FETCHed" in err.response
