"""Typed errors of the IMAP source: one class per failed command, carrying the server's answer.

Only `ImapUnavailable` (the connection dropped, timed out, was refused, or the server said
[UNAVAILABLE]) is transient: the source retries it at the edge with backoff. Every other
class is a named, permanent error of one mailbox — the caller reports it and leaves the other
mailboxes running. `translate` is the one place that turns imaplib/imap-tools/socket
exceptions into these types.
"""

from __future__ import annotations

import imaplib
import ssl

from imap_tools.errors import UnexpectedCommandStatusError

from maild.errors import MaildError, PermanentError, TransientError

# response codes (RFC 5530) that say "try again later", not "you are wrong"
TRANSIENT_CODES = (b"[UNAVAILABLE]", b"[SERVERBUG]", b"[INUSE]", b"[LIMIT]")


class ImapError(MaildError):
    """An IMAP command of mailbox `mailbox` failed; `response` is the server's answer."""

    def __init__(self, mailbox: str, command: str, response: str) -> None:
        self.mailbox = mailbox
        self.command = command
        self.response = response
        super().__init__(f"mailbox {mailbox}: {command} failed: {response}")


class ImapUnavailable(ImapError, TransientError):
    """No usable connection right now (refused, dropped, timed out, BYE, [UNAVAILABLE])."""


class ImapAuthError(ImapError, PermanentError):
    """LOGIN/AUTHENTICATE refused, or the OAuth2 token command failed: fix the credentials."""


class ImapTlsError(ImapError, PermanentError):
    """The server's certificate is not trusted, or STARTTLS was refused."""


class ImapSelectError(ImapError, PermanentError):
    """The configured folder cannot be selected (missing, no permission)."""


class ImapFolderCreateError(ImapError, PermanentError):
    """The processed or quarantine folder is missing and cannot be created."""


class ImapSearchError(ImapError, PermanentError):
    """UID SEARCH was refused."""


class ImapFetchError(ImapError, PermanentError):
    """UID FETCH was refused."""


class ImapStoreError(ImapError, PermanentError):
    """UID STORE (setting \\Seen, \\Flagged or \\Deleted) was refused."""


class ImapMoveError(ImapError, PermanentError):
    """UID MOVE, or its COPY + EXPUNGE replacement, was refused."""


class ImapIdleError(ImapError, PermanentError):
    """IDLE was refused although the server announced it."""


# everything a command can raise that `translate` knows how to type
FAILURES: tuple[type[BaseException], ...] = (
    ImapError,
    imaplib.IMAP4.error,
    UnexpectedCommandStatusError,
    OSError,
    EOFError,
)


def _text(value: object) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, (list, tuple)):
        return " ".join(_text(v) for v in value if v is not None)
    return str(value)


def translate(
    exc: BaseException, mailbox: str, command: str, refused: type[ImapError]
) -> ImapError:
    """The typed error for `exc`, raised while running `command`; `refused` is the class for
    a plain NO/BAD answer to that command."""
    if isinstance(exc, ImapError):
        return exc
    if isinstance(exc, ssl.SSLCertVerificationError):
        why = getattr(exc, "verify_message", None) or exc
        return ImapTlsError(mailbox, command, f"certificate not trusted: {why}")
    if isinstance(exc, (imaplib.IMAP4.abort, OSError, EOFError)):
        # abort = connection-level trouble (EOF, BYE, socket error); OSError covers refused,
        # reset, timeouts and TLS failures on the wire
        return ImapUnavailable(mailbox, command, f"{type(exc).__name__}: {exc}".strip())
    if isinstance(exc, UnexpectedCommandStatusError):
        result = exc.command_result
        return refusal(mailbox, command, result[0], result[1] if len(result) > 1 else b"", refused)
    return refusal(mailbox, command, "", exc.args[0] if exc.args else exc, refused)


def refusal(
    mailbox: str, command: str, status: object, answer: object, refused: type[ImapError]
) -> ImapError:
    """The typed error for a command the server answered with NO or BAD."""
    response = f"{_text(status)} {_text(answer)}".strip()
    if any(code.decode() in response for code in TRANSIENT_CODES):
        return ImapUnavailable(mailbox, command, response)
    return refused(mailbox, command, response)
