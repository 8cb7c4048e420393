"""The typed values that flow through the pipeline, one stage to the next.

RawMessage (source + exact bytes) → ParsedMessage (parsers) → Triage (classify, thread,
rules, SLA) → the ticket transaction. All frozen: a stage returns a new value, never edits
the one it got. The database session is the only shared mutable state.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

Kind = Literal["new", "reply", "auto_reply", "bounce", "bulk", "own"]
Action = Literal["created", "followup", "agent_reply", "duplicate", "suppressed", "quarantined"]


@dataclass(frozen=True, slots=True)
class RawMessage:
    """The exact bytes of one inbound mail and where they came from."""

    data: bytes = field(repr=False)
    sha256: str
    identity: str  # hash of the mail minus transport headers: the dedupe key
    message_id: str | None
    source: str  # ingest | imap | maildir | replay | recover
    received_at: datetime
    mailbox: str | None = None
    uidvalidity: int | None = None
    uid: int | None = None
    label: str = ""  # file name or mailbox/uid, for reports
    path: str = ""  # where the raw store keeps the bytes


@dataclass(frozen=True, slots=True)
class Address:
    name: str
    address: str


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str  # as the sender named it (decoded), kept as data only
    safe_name: str  # what maild shows and offers for download: no paths, no controls
    content_type: str
    size: int
    sha256: str
    data: bytes = field(repr=False, compare=False)
    inline: bool = False


@dataclass(frozen=True, slots=True)
class Fact:
    """One extracted fact and where it was found ("subject", "body:12", "app.log:40")."""

    kind: str
    value: str
    source: str


@dataclass(frozen=True, slots=True)
class ParsedMessage:
    message_id: str | None
    sender: Address
    to: tuple[Address, ...]
    cc: tuple[Address, ...]
    reply_to: tuple[Address, ...]
    subject: str
    date: datetime | None
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]
    headers: tuple[tuple[str, str], ...]  # the headers classification looks at, names lowercased
    language: str
    text: str
    quoted: str
    attachments: tuple[Attachment, ...]
    facts: tuple[Fact, ...]
    defects: tuple[str, ...]
    content_type: str = "text/plain"

    def header(self, name: str) -> str | None:
        name = name.lower()
        for k, v in self.headers:
            if k == name:
                return v
        return None

    def header_names(self) -> frozenset[str]:
        return frozenset(k for k, _ in self.headers)

    @property
    def error_codes(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for f in self.facts:
            if f.kind == "error_code":
                seen.setdefault(f.value, None)
        return tuple(seen)

    def environment(self) -> dict[str, str | None]:
        env: dict[str, str | None] = {
            "os": None,
            "browser": None,
            "app_version": None,
            "device": None,
        }
        for f in self.facts:
            if f.kind in env and env[f.kind] is None:
                env[f.kind] = f.value
        return env


@dataclass(frozen=True, slots=True)
class RuleHit:
    """A rule that fired: its stable name, what it decided and why, in words."""

    rule: str
    effect: str  # e.g. "priority=P1", "category=performance", "priority+1"
    reason: str


@dataclass(frozen=True, slots=True)
class Due:
    first_response: datetime
    resolution: datetime


@dataclass(frozen=True, slots=True)
class Seen:
    """A recent ticket carrying an error code (what the incident stage compares)."""

    code: str
    ticket: int
    customer: str
    incident: int | None


@dataclass(frozen=True, slots=True)
class Triage:
    """What the message is and what to do with it, with every reason."""

    kind: Kind
    ticket: int | None  # existing ticket this message belongs to; None = new ticket
    thread_reason: str
    category: str
    priority: str
    hits: tuple[RuleHit, ...]
    due: Due | None
    queue: str = ""
    incident: str = ""  # the error code of the batch incident this ticket belongs to
