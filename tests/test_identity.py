"""The dedupe key: the mail minus its transport headers."""

from __future__ import annotations

from maild.identity import identity_hash, message_id

MAIL = b"From: a@x.cn\r\nSubject: hi\r\nMessage-ID: <1@x.cn>\r\n\r\nbody\r\n"


def test_transport_headers_do_not_change_identity() -> None:
    relayed = (b"Received: from mx1 by mx2; Mon, 23 Nov 2026 10:00:00 +0800\r\n"
               b"Delivered-To: support@example.com\r\nReturn-Path: <a@x.cn>\r\n"
               b"DKIM-Signature: v=1; a=rsa-sha256;\r\n b=abc\r\n") + MAIL
    assert identity_hash(relayed) == identity_hash(MAIL)
    # a pipe delivers LF, IMAP CRLF: the same mail
    assert identity_hash(MAIL.replace(b"\r\n", b"\n")) == identity_hash(MAIL)


def test_reused_message_id_with_other_content_is_another_mail() -> None:
    other = MAIL.replace(b"body", b"another body")
    assert message_id(other) == message_id(MAIL) == "<1@x.cn>"
    assert identity_hash(other) != identity_hash(MAIL)


def test_any_bytes_have_an_identity() -> None:
    for data in (b"", b"\x00" * 100, b"no header at all", bytes(range(256))):
        assert len(identity_hash(data)) == 64
        assert message_id(data) is None
