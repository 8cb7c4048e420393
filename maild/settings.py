"""Typed, frozen settings: what `config/maild.example.toml` documents, as Python values.

Loaded once by `maild.configfile.load` and passed in; nothing reads a global. Field metadata
`check` holds the validator a value must pass; the loader gathers every failure into one
ConfigError. Secrets are resolved at load time so a bad one stops maild before it starts.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import MISSING, dataclass, field
from datetime import date
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from maild.durations import Duration
from maild.peaks import parse_peak

Security = Literal["ssl", "starttls", "none"]
Language = Literal["zh", "en"]
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
PRIORITIES = ("P1", "P2", "P3", "P4")


def rank(priority: str) -> int:
    """0 for P1, the most urgent."""
    return PRIORITIES.index(priority)


def _check(fn: Callable[[Any], None], default: Any = MISSING, **kw: Any) -> Any:
    """A settings field whose value must pass `fn` (which raises ValueError)."""
    return field(default=default, metadata={"check": fn}, **kw)


def check_timezone(value: str) -> None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as e:
        raise ValueError(f"unknown time zone {value!r}") from e


def check_address(value: str) -> None:
    if not re.fullmatch(r"[^@\s<>]+@[^@\s<>]+", value):
        raise ValueError(f"not an email address: {value!r}")


def check_addresses(values: tuple[str, ...]) -> None:
    for v in values:
        check_address(v)


def check_hours(value: str) -> None:
    m = re.fullmatch(r"(\d\d):(\d\d)-(\d\d):(\d\d)", value)
    if not m:
        raise ValueError(f"bad working hours {value!r} (use HH:MM-HH:MM)")
    h1, m1, h2, m2 = (int(x) for x in m.groups())
    if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59 or (h1 * 60 + m1) >= (h2 * 60 + m2):
        raise ValueError(f"bad working hours {value!r}: start must be before end")


def check_days(values: tuple[str, ...]) -> None:
    bad = [v for v in values if v not in DAY_NAMES]
    if bad:
        raise ValueError(f"unknown day name(s) {bad} (use {', '.join(DAY_NAMES)})")
    if not values:
        raise ValueError("at least one working day is needed")


def check_dates(values: tuple[str, ...]) -> None:
    for v in values:
        try:
            date.fromisoformat(v)
        except ValueError as e:
            raise ValueError(f"bad date {v!r} (use YYYY-MM-DD)") from e


def check_positive(value: float) -> None:
    if value <= 0:
        raise ValueError(f"must be greater than zero, not {value}")


def check_peaks(values: tuple[str, ...]) -> None:
    for v in values:
        parse_peak(v)


def check_country(value: str) -> None:
    if not value:
        return
    import holidays

    if value.upper() not in holidays.list_supported_countries():
        raise ValueError(f"unknown country code {value!r} (ISO 3166, e.g. CN, DE, US)")


def check_window(value: str) -> None:
    from maild.durations import parse_seconds

    parse_seconds(value)


def check_optional_window(value: str) -> None:
    if value:
        check_window(value)


def check_port(value: int) -> None:
    if not 0 < value < 65536:
        raise ValueError(f"bad port {value}")


def check_db_url(value: str) -> None:
    if not re.match(r"^(sqlite|postgresql)(\+\w+)?://", value):
        raise ValueError(
            f"unsupported database url {value!r} (sqlite:/// or postgresql+psycopg://)"
        )


@dataclass(frozen=True, slots=True)
class DatabaseSettings:
    url: str = _check(check_db_url, "sqlite:///maild.db")
    # seconds a SQLite writer waits for the lock before `ingest` gives up with exit 75
    busy_timeout: float = _check(check_positive, 30.0)


@dataclass(frozen=True, slots=True)
class StorageSettings:
    path: str = "var"
    max_message_size: int = _check(check_positive, 50 * 1024 * 1024)
    max_attachment_size: int = _check(check_positive, 25 * 1024 * 1024)
    # raw mail, attachments and texts of tickets closed longer ago than this are purged
    # (the ticket, its events and message headers stay); "" = keep forever
    retention: str = _check(check_optional_window, "")


@dataclass(frozen=True, slots=True)
class SupportSettings:
    address: str = _check(check_address, "support@example.com")
    name: str = "Support"
    timezone: str = _check(check_timezone, "Asia/Shanghai")
    language: Language = "zh"
    subject_prefix: str = ""
    # a folder of template overrides: a file named like one in templates/ replaces it
    templates: str = ""
    # a reply to a ticket closed longer ago than this opens a new ticket linked to it
    reopen_days: int = _check(check_positive, 30)


@dataclass(frozen=True, slots=True)
class MailboxSettings:
    name: str
    host: str = "127.0.0.1"
    port: int = _check(check_port, 993)
    security: Security = "ssl"
    username: str = ""
    password: str = field(default="", repr=False)
    password_file: str = ""
    password_command: str = ""
    oauth2_token_command: str = ""
    ca_file: str = ""
    folder: str = "INBOX"
    processed_folder: str = ""
    quarantine_folder: str = ""
    idle: bool = True
    poll_interval: float = _check(check_positive, 30.0)
    import_existing: Literal["silent", "skip", "normal"] = "silent"


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    host: str = "127.0.0.1"
    port: int = _check(check_port, 587)
    security: Security = "starttls"
    username: str = ""
    password: str = field(default="", repr=False)
    password_file: str = ""
    password_command: str = ""
    timeout: float = _check(check_positive, 30.0)
    # extra CA bundle to trust (an internal mail server's own CA); "" = the system's
    ca_file: str = ""


@dataclass(frozen=True, slots=True)
class AgentSettings:
    addresses: tuple[str, ...] = _check(check_addresses, default_factory=tuple)
    notify: tuple[str, ...] = _check(check_addresses, default_factory=tuple)
    # tier-2 address for `#escalate` (seed: escalated problems get a 1-hour response)
    escalation: str = ""
    # an agent's mail counts only with a passing SPF/DKIM/DMARC result from our MX
    require_auth: bool = False
    # the authserv-id our MX writes into Authentication-Results ("" = trust the topmost one)
    authserv_id: str = ""


@dataclass(frozen=True, slots=True)
class SlaTarget:
    first_response: Duration
    resolution: Duration


DEFAULT_TARGETS: dict[str, SlaTarget] = {
    "P1": SlaTarget(Duration(seconds=15 * 60), Duration(days=1)),
    "P2": SlaTarget(Duration(seconds=2 * 3600), Duration(days=1)),
    "P3": SlaTarget(Duration(seconds=4 * 3600), Duration(days=3)),
    "P4": SlaTarget(Duration(days=1), Duration(days=5)),
}


@dataclass(frozen=True, slots=True)
class SlaSettings:
    working_hours: str = _check(check_hours, "09:00-18:00")
    working_days: tuple[str, ...] = _check(
        check_days, default_factory=lambda: ("mon", "tue", "wed", "thu", "fri")
    )
    holidays: tuple[str, ...] = _check(check_dates, default_factory=tuple)
    extra_workdays: tuple[str, ...] = _check(check_dates, default_factory=tuple)
    # a country's public holidays and make-up working days (python-holidays), e.g. "CN";
    # the dates above always win over it
    country: str = _check(check_country, "")
    subdivision: str = ""
    # warn the agents this long (wall-clock) before a first-response or resolution target
    # is missed, and again when it is; "" = no warnings
    warn_before: str = _check(check_optional_window, "30m")
    targets: dict[str, SlaTarget] = field(default_factory=lambda: dict(DEFAULT_TARGETS))


@dataclass(frozen=True, slots=True)
class RulesSettings:
    vip_senders: tuple[str, ...] = ()
    # rules switched off by name (see `maild/rules/`)
    disabled: tuple[str, ...] = ()
    # windows that raise priority one step: "month-end:3", "11-11", "12-20..01-05",
    # "mon-fri 09:00-11:00"
    business_peaks: tuple[str, ...] = _check(check_peaks, default_factory=tuple)
    # assignment queue by category or product/category: {"data" = "dba", "crm/*" = "crm"}
    queues: dict[str, str] = field(default_factory=dict)
    # word-list changes: [rules.words.category.data] add = [...] / remove = [...] / words = [...]
    words: dict[str, dict[str, dict[str, tuple[str, ...]]]] = field(default_factory=dict)
    # the learned judgement of priority and category (`maild triage train`): "" is the model
    # shipped in config/, "none" leaves both to the word rules, anything else is a model file
    model: str = ""
    # rules whose priority step still applies on top of the learned priority (what the
    # labelled mail cannot know: who the customer is, what day it is)
    after_model: tuple[str, ...] = ("vip-sender", "business-peak")


@dataclass(frozen=True, slots=True)
class MaildirSettings:
    name: str
    path: str


@dataclass(frozen=True, slots=True)
class KnowledgeEntry:
    title: str
    url: str
    codes: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class OutboxSettings:
    # automatic replies (acknowledgements) one sender gets per day, counted in the database
    autoreply_per_sender_per_day: int = _check(check_positive, 10)
    max_attempts: int = _check(check_positive, 8)
    # seconds before the first retry of a transient failure; doubles per attempt (max 1 h)
    retry_base: float = _check(check_positive, 30.0)
    # seconds between sweeps of the outbox when nothing woke the sender
    poll_interval: float = _check(check_positive, 1.0)
    # a sender with more than `flood_limit` mails within `flood_window` gets no automatic
    # reply for `flood_pause` (its mail is still ticketed)
    flood_limit: int = _check(check_positive, 50)
    flood_window: str = _check(check_window, "30m")
    flood_pause: str = _check(check_window, "1h")
    # while suspended, its new mail is recorded on its latest ticket instead of opening one
    # ticket (and one agent notification) each: a mail bomb makes one ticket, not thousands
    flood_gather: bool = True
    # all outgoing mail per hour, a brake on loops; past it sending waits for the next hour
    max_per_hour: int = _check(check_positive, 1000)
    # a row left `sending` by a crash mid-SMTP is sent again after this long
    stale_after: str = _check(check_window, "5m")


@dataclass(frozen=True, slots=True)
class IncidentSettings:
    """Batch problems (批量问题): the same error code from `customers` different customers
    within `window` links their tickets to one incident (at least P2), announced once."""

    customers: int = _check(check_positive, 3)
    window: str = _check(check_window, "60m")


@dataclass(frozen=True, slots=True)
class LogSettings:
    format: Literal["text", "json"] = "text"
    # Prometheus metrics of `maild run` on 127.0.0.1:PORT; 0 = off
    metrics_port: int = 0
    metrics_address: str = "127.0.0.1"


@dataclass(frozen=True, slots=True)
class Settings:
    """The whole configuration; `source` is the file it came from."""

    source: str = ""
    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    storage: StorageSettings = field(default_factory=StorageSettings)
    support: SupportSettings = field(default_factory=SupportSettings)
    mailboxes: tuple[MailboxSettings, ...] = ()
    smtp: SmtpSettings = field(default_factory=SmtpSettings)
    agents: AgentSettings = field(default_factory=AgentSettings)
    sla: SlaSettings = field(default_factory=SlaSettings)
    rules: RulesSettings = field(default_factory=RulesSettings)
    maildirs: tuple[MaildirSettings, ...] = ()
    knowledge: tuple[KnowledgeEntry, ...] = ()
    outbox: OutboxSettings = field(default_factory=OutboxSettings)
    incidents: IncidentSettings = field(default_factory=IncidentSettings)
    log: LogSettings = field(default_factory=LogSettings)
