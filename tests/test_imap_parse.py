"""The IMAP source's pure parts: UID sets, FETCH answers, the stored state and how it meets
the server's folder, error typing."""

from __future__ import annotations

import imaplib
import ssl
from datetime import UTC, datetime

from imap_tools.errors import MailboxFetchError

from maild.errors import PermanentError, TransientError
from maild.sources.imap_errors import (
    ImapAuthError,
    ImapFetchError,
    ImapTlsError,
    ImapUnavailable,
    translate,
)
from maild.sources.imap_protocol import parse_fetch, uid_set
from maild.sources.imap_state import ImapState, reconcile


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


def test_first_sight_applies_import_existing() -> None:
    new = ImapState()
    assert reconcile(new, 77, 11, "skip")[0] == ImapState(77, 10, 0)
    assert reconcile(new, 77, 11, "silent")[0] == ImapState(77, 0, 11)
    assert reconcile(new, 77, 11, "normal")[0] == ImapState(77, 0, 0)
    assert "first sight" in reconcile(new, 77, 11, "normal")[1]


def test_known_folder_keeps_its_state_and_a_new_uidvalidity_rescans() -> None:
    known = ImapState(77, 40, 5)
    assert reconcile(known, 77, 99, "skip") == (known, "")
    rescan, note = reconcile(known, 78, 3, "skip")  # import_existing is for first sight only
    assert rescan == ImapState(78, 0, 0)
    assert "UIDVALIDITY changed from 77 to 78" in note
