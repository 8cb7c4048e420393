"""The pipeline driver: one mail through every stage, many mails per transaction.

    source → raw store → parse → [transaction: dedupe → classify → thread → rules → SLA →
    ticket → respond (outbox)] → commit → post-process (journal cleared, source told)

The raw bytes are durably stored before anything else. Anything a stage raises puts the
mail in quarantine with stage, error and traceback — `except Exception` lives here and only
here. Several mails share one transaction (group commit) with a savepoint each, so one bad
mail never undoes the others. Idempotent: the identity hash (the mail minus transport
headers) is unique in the database, so a re-delivered, re-fetched or recovered mail is
reported as a duplicate of its first arrival, even when two daemons race.
"""

from __future__ import annotations

import hashlib
import logging
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from maild import agents, bounces, classify, parsers, respond, thread, tokens
from maild.compose import Renderer
from maild.database.engine import transaction
from maild.database.models import QuarantineRow, RawMail, Ticket
from maild.database.queries import Batch, PendingRaw, Queries
from maild.database.writes import Ref, Writes
from maild.durations import parse_seconds
from maild.errors import NotFound, StageError
from maild.identity import identity_hash, message_id
from maild.intake import Intake, Mail
from maild.message import Action, ParsedMessage
from maild.parallel import ParsePool
from maild.rules._model import configured as learned_model
from maild.rules.words import defaults as default_words
from maild.settings import Settings
from maild.sla import Calendar
from maild.stages import stage
from maild.store.files import FileStore
from maild.tickets import SYSTEM, event

log = logging.getLogger("maild.pipeline")
T = TypeVar("T")
BATCH = 200
# a flooding sender's mail is gathered only onto a ticket still being worked
OPEN_STATUSES = ("new", "open", "waiting")


@dataclass(frozen=True, slots=True)
class Incoming:
    """One mail as a source hands it over."""

    data: bytes = field(repr=False)
    source: str
    label: str
    mailbox: str | None = None
    uidvalidity: int | None = None
    uid: int | None = None
    silent: bool = False  # make tickets, send no mail (importing old mail)
    received_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    label: str
    ticket: int | None
    action: Action
    reason: str
    sha256: str
    incoming: Incoming = field(repr=False)

    def as_json(self) -> dict[str, Any]:
        return {
            "file": self.label,
            "ticket": self.ticket,
            "action": self.action,
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class _Prepared:
    item: Incoming
    sha256: str
    identity: str
    message_id: str | None
    arrival: datetime
    parsed: ParsedMessage | None
    failure: StageError | None
    replay_of: RawMail | None = None  # the stored row when replaying quarantined mail


class Pipeline:
    def __init__(
        self, settings: Settings, sessions: sessionmaker[Session], files: FileStore
    ) -> None:
        self.settings = settings
        self.sessions = sessions
        self.files = files
        self.words = default_words()
        self.observers: list[Callable[[list[Outcome]], None]] = []  # e.g. metrics
        # parsing on worker processes: for single-threaded callers only (`maild ingest`),
        # since forking a process that runs threads (the daemon) is not safe
        self.pool: ParsePool | None = None
        self.reconfigure(settings)

    def reconfigure(self, settings: Settings) -> None:
        """Take new settings (SIGHUP). Raises ConfigError, keeping the old ones, when a
        template override or the triage model of the new settings is broken."""
        renderer = Renderer(settings.support.templates)
        calendar = Calendar(settings.sla, settings.support.timezone)
        model = learned_model(settings.rules.model)
        self.settings, self.renderer, self.calendar = settings, renderer, calendar
        self.intake = Intake(settings, renderer, calendar, self.words, self.files, model)

    # -- entry points -------------------------------------------------------------------

    def ingest(
        self, items: Iterable[Incoming], after_commit: Callable[[list[Outcome]], None] | None = None
    ) -> list[Outcome]:
        """Run mails through the pipeline in group-committed batches. StorageUnavailable
        (disk or database) propagates: what was not committed stays in the journal."""
        results: list[Outcome] = []
        batch: list[Incoming] = []
        for item in items:
            batch.append(item)
            if len(batch) >= BATCH:
                results += self._batch(batch, after_commit)
                batch = []
        if batch:
            results += self._batch(batch, after_commit)
        return results

    def replay(self, quarantine_id: int) -> Outcome:
        with transaction(self.sessions) as s:
            row = s.get(QuarantineRow, quarantine_id)
            if row is None or row.status != "held":
                raise NotFound(f"no held quarantine entry {quarantine_id}")
            raw = row.raw
            item = Incoming(
                self.files.read_raw(raw.sha256),
                "replay",
                raw.label or f"raw:{raw.id}",
                received_at=raw.received_at,
            )
            q, w = Queries(s), Writes()
            prepared = self._prepare(item, replay_of=raw)
            self.files.sync()
            out = self._one(s, q, w, prepared)
            q.release()
            row.status = "replayed"
            row.replayed_at = datetime.now(UTC)
            row.result = f"{out.action}: {out.reason}"
            s.flush()
            w.write(s.connection())
            return out

    def recover(self) -> list[Outcome]:
        """Mails stored but never committed (a crash in between) go through again; the
        identity check turns any that did commit into duplicates."""
        pending = list(self.files.pending())
        items = [
            Incoming(self.files.read_raw(sha), "recover", f"recovered:{sha[:12]}")
            for sha in pending
        ]
        return self.ingest(items)

    # -- the stages ---------------------------------------------------------------------

    def _batch(
        self, batch: Sequence[Incoming], after_commit: Callable[[list[Outcome]], None] | None
    ) -> list[Outcome]:
        prepared = self._prepare_all(batch)
        self.files.sync()  # every raw mail of the batch is durable before any commit
        try:
            outcomes = self._commit(prepared)
        except DBAPIError as e:
            if _transient(e):
                raise
            # another daemon committed one of these mails first, or one mail holds data the
            # database refuses: one transaction per mail, in which the identity check reports
            # a duplicate and a refused mail alone is quarantined
            log.info("group commit failed (%s); committing one by one", type(e.orig).__name__)
            outcomes = [self._commit_alone(p) for p in prepared]
        for p in prepared:
            self.files.done(p.sha256)
        if after_commit:
            after_commit(outcomes)
        for observe in self.observers:
            observe(outcomes)
        return outcomes

    def _commit(self, prepared: Sequence[_Prepared]) -> list[Outcome]:
        with transaction(self.sessions) as s:
            q = Queries(s, Batch(reserve=len(prepared)))
            parsed = [x.parsed for x in prepared if x.parsed is not None]
            q.prefetch(
                [x.identity for x in prepared],
                [x.message_id for x in prepared if x.message_id],
                [r for m in parsed for r in (*m.in_reply_to, *m.references)],
            )
            now = datetime.now(UTC)
            q.prefetch_autoreplies([m.sender.address for m in parsed],
                                   respond.today(now, self.settings))
            q.prefetch_senders([m.sender.address for m in parsed], now - timedelta(
                seconds=parse_seconds(self.settings.outbox.flood_window)))
            q.prefetch_codes([c for m in parsed for c in m.error_codes],
                             now - self.intake.incident_window())
            w = Writes()
            outcomes = [self._one(s, q, w, x) for x in prepared]
            q.release()
            s.flush()  # new tickets and changed ones first: the rows below refer to them
            w.write(s.connection())
            return outcomes

    def _commit_alone(self, p: _Prepared) -> Outcome:
        try:
            return self._commit([p])[0]
        except DBAPIError as e:
            if _transient(e):
                raise
            with transaction(self.sessions) as s:
                return self._quarantine(s, Queries(s), p, "commit", e)

    def _prepare_all(self, batch: Sequence[Incoming]) -> list[_Prepared]:
        """Raw store and parse: on worker processes when the batch is large, which parse
        while this process stores the raw mail."""
        if self.pool is None or not self.pool.usable(len(batch)):
            return [self._prepare(item) for item in batch]
        limit = self.settings.storage.max_message_size
        small = [i for i, item in enumerate(batch) if len(item.data) <= limit]
        running = self.pool.submit([batch[i].data for i in small],
                                   self.settings.support.language,
                                   self.settings.storage.max_attachment_size)
        shas = [self.files.put_raw(item.data)[0] for item in batch]
        results = self.pool.collect(running)
        parsed: dict[int, ParsedMessage | StageError] = dict(zip(small, results, strict=True))
        return [self._prepare(item, sha=sha, parsed=parsed.get(i))
                for i, (item, sha) in enumerate(zip(batch, shas, strict=True))]

    def _prepare(self, item: Incoming, replay_of: RawMail | None = None, sha: str = "",
                 parsed: ParsedMessage | StageError | None = None) -> _Prepared:
        """Raw store and parse, outside the transaction (`sha` given: stored already;
        `parsed` given: parsed already)."""
        if not sha:
            sha = hashlib.sha256(item.data).hexdigest()
            if replay_of is None:
                self.files.put_raw(item.data, sha)
        done, parsed = parsed, None
        failure: StageError | None = done if isinstance(done, StageError) else None
        limit = self.settings.storage.max_message_size
        if failure is not None:
            pass
        elif isinstance(done, ParsedMessage):
            parsed = done
            for a in parsed.attachments:
                self.files.put_attachment(a.data, a.sha256)
        elif len(item.data) > limit:
            failure = StageError(
                "size",
                ValueError(
                    f"mail of {len(item.data)} bytes is over storage.max_message_size ({limit})"
                ),
            )
        else:
            try:
                parsed = stage(
                    "parse",
                    parsers.parse,
                    item.data,
                    self.settings.support.language,
                    self.settings.storage.max_attachment_size,
                )
                for a in parsed.attachments:
                    self.files.put_attachment(a.data, a.sha256)
            except StageError as e:
                failure = e
        return _Prepared(
            item,
            sha,
            identity_hash(item.data),
            message_id(item.data),
            item.received_at or datetime.now(UTC),
            parsed,
            failure,
            replay_of,
        )

    def _one(self, s: Session, q: Queries, w: Writes, p: _Prepared) -> Outcome:
        """One mail inside the batch's transaction. Every stage runs before its rows are
        added to `w`, so a stage that fails leaves nothing half-written behind."""
        if p.replay_of is None:
            existing = q.raw_by_identity(p.identity)
            if existing is not None:
                return self._duplicate(p, existing)
        try:
            if p.failure is not None:
                raise p.failure
            assert p.parsed is not None
            return self._process(s, q, w, p, p.parsed)
        except StageError as e:
            return self._quarantine(s, q, p, e.stage, e.cause)
        except DBAPIError:
            raise  # the database itself failed: transient, the caller retries or exits 75
        except Exception as e:  # noqa: BLE001 - the one place: anything else is quarantined
            return self._quarantine(s, q, p, "pipeline", e)

    def _raw(
        self, w: Writes, p: _Prepared, outcome: str, number: int | None
    ) -> tuple[Ref | int, RawMail | PendingRaw]:
        """The raw row: a new one in `w`, or the stored one when replaying."""
        if p.replay_of is not None:
            p.replay_of.outcome, p.replay_of.ticket_number = outcome, number
            return p.replay_of.id, p.replay_of
        item = p.item
        ref = w.raw(
            {
                "sha256": p.sha256,
                "identity": p.identity,
                "message_id": p.message_id,
                "source": item.source,
                "mailbox": item.mailbox,
                "uidvalidity": item.uidvalidity,
                "uid": item.uid,
                "label": item.label[:500],
                "size": len(item.data),
                "received_at": p.arrival,
                "outcome": outcome,
                "ticket_number": number,
            }
        )
        return ref, PendingRaw(p.identity, p.message_id, outcome, number, p.arrival)

    def _process(self, s: Session, q: Queries, w: Writes, p: _Prepared,
                 msg: ParsedMessage) -> Outcome:
        settings = self.settings
        if not msg.sender.address:
            raise StageError("classify", ValueError(
                "no usable From address: no customer to open a ticket for"))
        kind, kind_reason = stage("classify", classify.kind_of, msg, settings.support.address)
        token = tokens.find([a.address for a in (*msg.to, *msg.cc)], settings.support.address,
                            q.reply_secret())
        threaded = stage("thread", thread.find, msg, q, settings.agents.addresses, token)
        number, thread_reason = threaded.ticket, threaded.reason
        if kind == "bounce":
            bounced = self._bounced(q, msg, p.arrival)
            if bounced:
                number, thread_reason = bounced
        if kind == "own" or (number is None and kind in ("auto_reply", "bounce")):
            return self._suppress(q, w, p, f"{kind}: {kind_reason}; {thread_reason}")
        if p.message_id and p.replay_of is None and q.message_id_seen(p.message_id):
            thread_reason += f"; note: Message-ID {p.message_id} was seen before with other content"
        ticket = q.ticket(number) if number is not None else None
        agent, why = stage("agent", agents.agent_check, msg, settings.agents.addresses,
                           ticket is not None and q.replies_to_agent_mail(
                               msg.in_reply_to + msg.references), settings.agents.require_auth,
                           settings.agents.authserv_id)
        if why and not agent:
            thread_reason += f"; {why}"
        parent: Ticket | None = None
        if ticket is not None and not agent and self._too_old(ticket, p.arrival):
            parent, ticket = ticket, None
            thread_reason += (f"; ticket #{parent.number} was closed more than "
                              f"{settings.support.reopen_days} days ago: a new ticket")
        silent = p.item.silent
        if (ticket is None and not agent and parent is None and threaded.foreign is None
                and p.replay_of is None and (flood := self._flood_ticket(q, msg, p.arrival))):
            ticket, silent = flood, True
            thread_reason += (f"; the sender is flooding: recorded on its ticket "
                              f"#{flood.number} (no new ticket, no notification)")
        action: Action = "created" if ticket is None else "agent_reply" if agent else "followup"
        number = q.next_ticket_number() if ticket is None else ticket.number
        mark = w.mark()
        ref, raw = self._raw(w, p, action, number)
        reason = thread_reason if ticket is not None else f"{kind_reason}; {thread_reason}"
        mail = Mail(msg, kind, reason, p.arrival, ref, silent)
        try:
            if ticket is None:
                ticket, acked = self.intake.new_ticket(s, q, w, mail, number)
                if parent is not None:
                    ticket.parent_number = parent.number
                elif threaded.foreign is not None:
                    ticket.parent_number = threaded.foreign
                    w.events.append(event(threaded.foreign, p.arrival, SYSTEM,
                                          f"ticket #{number} quotes this ticket's tag",
                                          "from someone not on this ticket: not appended here"))
                s.add(ticket)
                q.batch.tickets[number] = ticket
                outcome = thread_reason if acked else f"{thread_reason}; not acknowledged"
            else:
                outcome = self.intake.follow_up(q, w, mail, ticket, agent)
        except StageError:
            w.rewind(mark)
            if action == "created":
                q.unuse(number)
            raise
        q.remember(raw, number, msg.message_id, msg.sender.address)
        return Outcome(p.item.label, number, action, outcome, p.sha256, p.item)

    def _bounced(self, q: Queries, msg: ParsedMessage,
                 now: datetime) -> tuple[int, str] | None:
        """A DSN for mail we sent: the outgoing row is marked failed with the diagnostic,
        and the bounce is recorded on its ticket (never answered)."""
        row = q.outbox_by_message_ids(bounces.original_ids(msg) + msg.in_reply_to
                                      + msg.references)
        if row is None:
            return None
        why = bounces.diagnostic(msg)
        row.status, row.last_error = "failed", f"bounced: {why}"[:500]
        if row.ticket_number is None:
            return None
        return row.ticket_number, f"delivery failure of our {row.purpose} mail #{row.id}: {why}"

    def _flood_ticket(self, q: Queries, msg: ParsedMessage,
                      arrival: datetime) -> Ticket | None:
        """The open ticket a suspended (flooding) sender's new mail is gathered onto: its
        newest, opened before this mail arrived and within the flood window."""
        if not self.settings.outbox.flood_gather:
            return None
        until = q.suspended_until(msg.sender.address)
        if until is None or until <= datetime.now(UTC):
            return None
        window = timedelta(seconds=parse_seconds(self.settings.outbox.flood_window)
                           + parse_seconds(self.settings.outbox.flood_pause))
        ticket = q.latest_ticket_of(msg.sender.address, arrival - window, arrival)
        return ticket if ticket is not None and ticket.status in OPEN_STATUSES else None

    def _too_old(self, ticket: Ticket, now: datetime) -> bool:
        """A reply to a ticket closed longer than `reopen_days` ago starts a new one."""
        if ticket.purged_at is not None:
            return True  # its texts are gone: a reply starts afresh, linked to it
        closed = ticket.closed_at
        return (ticket.status == "closed" and closed is not None
                and now - closed > timedelta(days=self.settings.support.reopen_days))

    def _suppress(self, q: Queries, w: Writes, p: _Prepared, reason: str) -> Outcome:
        ref, raw = self._raw(w, p, "suppressed", None)
        w.quarantine.append(
            {
                "raw_id": ref,
                "stage": "classify",
                "error": f"not answered: {reason}",
                "traceback": "",
                "created_at": datetime.now(UTC),
                "status": "held",
                "replayed_at": None,
                "result": "",
            }
        )
        q.remember(raw, None, None, "")
        return Outcome(p.item.label, None, "suppressed", reason, p.sha256, p.item)

    def _quarantine(
        self, s: Session, q: Queries, p: _Prepared, stage: str, error: BaseException
    ) -> Outcome:
        """Written at once (a rare path), so the entry's number can be reported."""
        tb = "".join(traceback.format_exception(error))
        single = Writes()
        ref, raw = self._raw(single, p, "quarantined", None)
        if p.replay_of is not None:
            s.flush()
        raw_id = ref if isinstance(ref, int) else single.write_raw(s.connection())
        qid = single.write_quarantine(
            s.connection(),
            {
                "raw_id": raw_id,
                "stage": stage,
                "error": f"{type(error).__name__}: {error}"[:2000],
                "traceback": tb[-20000:],
                "created_at": datetime.now(UTC),
                "status": "held",
                "replayed_at": None,
                "result": "",
            },
        )
        q.remember(raw, None, None, "")
        log.warning("quarantined %s at stage %s: %s", p.sha256[:12], stage, type(error).__name__)
        return Outcome(
            p.item.label,
            None,
            "quarantined",
            f"{stage}: {error} (quarantine #{qid})",
            p.sha256,
            p.item,
        )

    def _duplicate(self, p: _Prepared, existing: RawMail | PendingRaw) -> Outcome:
        what = (
            f"ticket #{existing.ticket_number}"
            if existing.ticket_number
            else f"{existing.outcome} mail"
        )
        first = f"raw #{existing.id}" if existing.id else "a mail earlier in this batch"
        return Outcome(
            p.item.label,
            existing.ticket_number,
            "duplicate",
            f"same mail as {first} ({what}), first seen "
            f"{existing.received_at.isoformat(timespec='seconds')}",
            p.sha256,
            p.item,
        )


def _transient(e: DBAPIError) -> bool:
    """The database is unreachable or busy (retry later), as opposed to refusing this data."""
    return isinstance(e, OperationalError) or bool(e.connection_invalidated)
