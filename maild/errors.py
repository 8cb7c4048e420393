"""Typed errors of maild.

Real errors (this module) are kept apart from tolerated defects of bad mail, which parsers
record on the parsed message instead of raising. Each error says whether retrying can help:
only `TransientError`s are retried, and only at the edges (SMTP, IMAP, database).
"""

from __future__ import annotations


class MaildError(Exception):
    """Base of every error maild raises on purpose."""


class ConfigError(MaildError):
    """The configuration file is missing or invalid; every problem is listed."""

    def __init__(self, path: str, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        super().__init__(f"{path}: " + "; ".join(problems))


class TransientError(MaildError):
    """Something outside maild failed in a way that may heal: retry later."""


class StorageUnavailable(TransientError):
    """Raw bytes or the database cannot be written right now (disk full, DB locked or down)."""


class PermanentError(MaildError):
    """Retrying cannot help (SMTP 5xx, a bad template, a malformed request)."""


class StageError(MaildError):
    """A pipeline stage failed on one message; the driver quarantines it."""

    def __init__(self, stage: str, cause: BaseException) -> None:
        self.stage = stage
        self.cause = cause
        super().__init__(f"{stage}: {type(cause).__name__}: {cause}")


class NotFound(MaildError):
    """A ticket, outbox row or quarantine entry asked for by number does not exist."""
