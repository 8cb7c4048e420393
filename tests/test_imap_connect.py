"""Connecting to a real Dovecot: implicit TLS and STARTTLS with a private CA, plaintext on
loopback, a bad password as a typed error that leaves other mailboxes working, XOAUTH2 with a
token command that is re-run when the server refuses the cached token."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from maild.errors import PermanentError
from maild.sources.imap_errors import ImapAuthError, ImapSelectError, ImapTlsError
from tests import imap_fixtures as fx
from tests.imap_fixtures import Account, change_password, mails, write_token_command

# the fixtures these tests use, bound here so that pytest finds them
imap_ca, imap_ca_file, imap_server, account = (
    fx.imap_ca,
    fx.imap_ca_file,
    fx.imap_server,
    fx.account,
)


def test_implicit_tls_with_private_ca(account: Account) -> None:
    account.append(*mails(1))
    src = account.source(security="ssl", port=account.server.tls_port)
    got = src.fetch()
    assert len(got) == 1
    assert src._conn is not None and src._conn.client.sock.version() in ("TLSv1.2", "TLSv1.3")


def test_starttls_with_private_ca(account: Account) -> None:
    account.append(*mails(1))
    src = account.source(security="starttls")
    assert len(src.fetch()) == 1
    assert src._conn is not None and src._conn.client.sock.version() is not None


@pytest.mark.parametrize("security", ["ssl", "starttls"])
def test_untrusted_certificate_is_a_typed_error_and_not_retried(
    account: Account, security: str
) -> None:
    port = account.server.tls_port if security == "ssl" else account.server.port
    src = account.source(security=security, port=port, ca_file="", retry_for=30)
    t = time.monotonic()
    with pytest.raises(ImapTlsError, match="certificate"):
        src.connect()
    assert time.monotonic() - t < 5


def test_bad_password_is_a_typed_error_and_other_mailboxes_keep_working(
    account: Account, imap_server: fx.Dovecot, imap_ca_file: str
) -> None:
    other = fx.add_account(imap_server, imap_ca_file)
    other.append(*mails(1))
    bad = account.source(password="wrong", retry_for=30)
    good = other.source()

    t = time.monotonic()
    with pytest.raises(ImapAuthError) as caught:
        bad.fetch()
    assert time.monotonic() - t < 5  # named errors are not retried
    assert isinstance(caught.value, PermanentError)
    assert caught.value.mailbox == bad.name
    assert "AUTHENTICATIONFAILED" in str(caught.value)
    assert len(good.fetch()) == 1


def test_missing_folder_is_a_typed_error(account: Account) -> None:
    src = account.source(folder="Nope")
    with pytest.raises(ImapSelectError, match="Nope"):
        src.connect()


def test_non_ascii_password_uses_sasl_plain(account: Account) -> None:
    account.append(*mails(1))
    change_password(account, "pässwörd-支持")
    src = account.source()
    assert len(src.fetch()) == 1


def test_xoauth2_token_is_refreshed_when_refused(account: Account, tmp_path: Path) -> None:
    change_password(account, "token-1")  # Dovecot checks an XOAUTH2 token like a password
    command, token_file, runs = write_token_command(tmp_path, "token-1")
    account.append(*mails(1))
    src = account.source(password="", oauth2_token_command=command)
    assert len(src.fetch()) == 1
    assert runs.read_text() == "1"

    # the token expires: the server wants a new one, the command now prints it
    change_password(account, "token-2")
    token_file.write_text("token-2")
    src.close()
    assert len(src.fetch()) == 1
    assert runs.read_text() == "2"  # cached token refused once, command re-run once


def test_xoauth2_refused_twice_is_an_auth_error(account: Account, tmp_path: Path) -> None:
    command, _, runs = write_token_command(tmp_path, "not-the-token")
    src = account.source(password="", oauth2_token_command=command)
    with pytest.raises(ImapAuthError, match="XOAUTH2"):
        src.connect()
    assert runs.read_text() == "2"


def test_failing_token_command_is_an_auth_error(account: Account) -> None:
    src = account.source(password="", oauth2_token_command="false")
    with pytest.raises(ImapAuthError, match="oauth2_token_command"):
        src.connect()
