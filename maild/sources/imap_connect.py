"""Opening one IMAP connection: transport security, login, capabilities.

Input: a `[[mailboxes]]` entry (`MailboxSettings`) and a per-command timeout. Output: a logged
in `Connection` (no folder selected yet) whose socket has that timeout on every read and
write. Supports implicit TLS (`ssl`), `starttls` and `none`, a private CA (`ca_file`), LOGIN
(AUTHENTICATE PLAIN for non-ASCII credentials) and XOAUTH2 with a token from
`oauth2_token_command`, re-run once when the server refuses the cached token.
Never retries by itself and never logs secrets; every failure is a typed `ImapError`.
"""

from __future__ import annotations

import imaplib
import logging
import ssl
from collections.abc import Callable
from dataclasses import dataclass

from imap_tools import BaseMailBox, MailBox, MailBoxUnencrypted

from maild.configfile import run_secret_command
from maild.settings import MailboxSettings
from maild.sources.imap_errors import (
    FAILURES,
    ImapAuthError,
    ImapError,
    ImapTlsError,
    ImapUnavailable,
    translate,
)

log = logging.getLogger("maild.sources.imap")


@dataclass(slots=True)
class Connection:
    """A logged-in imap-tools mailbox and the capabilities the server announced after login
    (Dovecot, like most servers, lists MOVE, UIDPLUS and friends only then)."""

    box: BaseMailBox
    caps: frozenset[str]

    @property
    def client(self) -> imaplib.IMAP4:
        client: imaplib.IMAP4 = self.box.client
        return client

    def close(self) -> None:
        """Say LOGOUT if the server still listens, then close the socket; never raises."""
        try:
            self.client.logout()
        except (imaplib.IMAP4.error, OSError, EOFError, ValueError):
            pass
        try:
            self.client.shutdown()
        except (OSError, ValueError):
            pass


class TokenSource:
    """OAuth2 access tokens printed by `oauth2_token_command`; cached, and re-run on demand
    when the server refuses the cached one (it has probably expired)."""

    def __init__(self, mailbox: str, command: str) -> None:
        self.mailbox = mailbox
        self.command = command
        self._token = ""

    def get(self, fresh: bool = False) -> str:
        if fresh or not self._token:
            problems: list[str] = []
            token = run_secret_command(
                f"mailboxes.{self.mailbox}", "oauth2_token_command", self.command, problems
            )
            if problems:
                raise ImapAuthError(self.mailbox, "oauth2_token_command", "; ".join(problems))
            self._token = token
        return self._token


def tls_context(settings: MailboxSettings) -> ssl.SSLContext:
    """Certificate and host name checked; `ca_file` replaces the system's trust store."""
    return ssl.create_default_context(cafile=settings.ca_file or None)


def open_connection(
    settings: MailboxSettings, timeout: float, tokens: TokenSource | None = None
) -> Connection:
    """Connect, secure and log in; raises ImapUnavailable, ImapTlsError or ImapAuthError."""
    box = _transport(settings, timeout)
    try:
        _login(box, settings, tokens)
        _typ, data = box.client.capability()
    except FAILURES as e:
        _abandon(box)
        raise translate(e, settings.name, "LOGIN", ImapAuthError) from e
    caps = data[-1].decode("ascii", "replace").upper().split() if data and data[-1] else []
    return Connection(box, frozenset(caps or box.client.capabilities))


def _transport(settings: MailboxSettings, timeout: float) -> BaseMailBox:
    name, host, port = settings.name, settings.host, settings.port
    box: BaseMailBox | None = None
    try:
        if settings.security == "ssl":
            return MailBox(host, port, timeout=timeout, ssl_context=tls_context(settings))
        box = MailBoxUnencrypted(host, port, timeout=timeout)
        if settings.security == "none":
            return box
        if "STARTTLS" not in box.client.capabilities:
            raise ImapTlsError(name, "STARTTLS", "the server does not offer STARTTLS")
        typ, data = box.client.starttls(tls_context(settings))
        if typ != "OK":
            raise ImapTlsError(name, "STARTTLS", f"{typ} {data!r}")
        return box
    except FAILURES as e:
        if box is not None:
            _abandon(box)
        raise translate(e, name, f"connect {host}:{port}", ImapUnavailable) from e


def _login(box: BaseMailBox, settings: MailboxSettings, tokens: TokenSource | None) -> None:
    if tokens is not None:
        _xoauth2(box, settings, tokens)
        return
    user, password = settings.username, settings.password
    if user.isascii() and password.isascii():
        if "LOGINDISABLED" in box.client.capabilities:
            raise ImapAuthError(
                settings.name, "LOGIN", "the server refuses LOGIN here: use ssl or starttls"
            )
        box.login(user, password, initial_folder=None)
    else:
        # LOGIN's quoted strings are ASCII only; SASL PLAIN carries UTF-8
        box.login_utf8(user, password, initial_folder=None)


def _xoauth2(box: BaseMailBox, settings: MailboxSettings, tokens: TokenSource) -> None:
    for fresh in (False, True):
        token = tokens.get(fresh=fresh)
        try:
            box.client.authenticate("XOAUTH2", _sasl_xoauth2(settings.username, token))
            return
        except imaplib.IMAP4.error as e:
            err: ImapError = translate(e, settings.name, "AUTHENTICATE XOAUTH2", ImapAuthError)
            if fresh or not isinstance(err, ImapAuthError):
                raise err from e
            log.info("mailbox %s: OAuth2 token refused, fetching a fresh one", settings.name)


def _sasl_xoauth2(user: str, token: str) -> Callable[[bytes], bytes]:
    """The XOAUTH2 initial response; an error challenge gets the empty reply it expects."""
    sent = False

    def answer(_challenge: bytes) -> bytes:
        nonlocal sent
        if sent:
            return b""
        sent = True
        return f"user={user}\x01auth=Bearer {token}\x01\x01".encode()

    return answer


def _abandon(box: BaseMailBox) -> None:
    try:
        box.client.shutdown()
    except (OSError, ValueError, AttributeError):
        pass
