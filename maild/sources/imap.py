"""IMAP source: new mail in one `[[mailboxes]]` folder becomes `Incoming`; after the commit it
is flagged \\Seen or moved.

Input: the mailbox's `MailboxSettings` and the `ImapState` the caller stored for it (None the
first time). Output: `Incoming` mails above the state's last UID, oldest first, in bounded
batches, read with BODY.PEEK so that reading changes nothing on the server. `done()` — called
only after the ticket transaction committed — flags or moves them and only then advances the
state; mail whose post-processing failed is fetched again and the pipeline's identity check
turns it into a duplicate. A changed UIDVALIDITY rescans the folder the same way.

Connection trouble is retried here, at the edge: reconnect with capped exponential backoff
and jitter, one log line when an outage starts and one when it heals. Never marks or moves a
mail before its commit, never deletes one (but for the EXPUNGE half of a move on a server
without MOVE), never retries a named error (a bad password stays an `ImapAuthError`).
Synchronous and not thread-safe: run each source in its own thread; only `stop()` may be
called from another.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, TypeVar

from imap_tools.utils import encode_folder
from tenacity import (
    Retrying,
    retry_if_exception_type,
    stop_after_delay,
    stop_any,
    stop_never,
    wait_random_exponential,
)
from tenacity.stop import stop_base

from maild.pipeline import Incoming, Outcome
from maild.settings import MailboxSettings
from maild.sources.imap_connect import Connection, TokenSource, open_connection
from maild.sources.imap_errors import (
    FAILURES,
    ImapError,
    ImapFetchError,
    ImapFolderCreateError,
    ImapIdleError,
    ImapMoveError,
    ImapSearchError,
    ImapSelectError,
    ImapStoreError,
    ImapUnavailable,
    refusal,
    translate,
)
from maild.sources.imap_idle import idle_until_news, pending_news
from maild.sources.imap_protocol import chunks, number, parse_fetch, uid_set
from maild.sources.imap_state import ImapState, reconcile

__all__ = ["BATCH", "ImapSource", "ImapState"]

log = logging.getLogger("maild.sources.imap")
T = TypeVar("T")

BATCH = 100  # mails per fetch(); keep it at or below the pipeline's group-commit batch
FETCH_CHUNK = 20  # mails per UID FETCH command: bounds the memory of one answer


class _Stopping(stop_base):
    def __init__(self, event: threading.Event) -> None:
        self.event = event

    def __call__(self, retry_state: Any) -> bool:
        return self.event.is_set()


class ImapSource:
    """One mailbox folder, one connection. See the module docstring for the contract."""

    def __init__(
        self,
        settings: MailboxSettings,
        state: ImapState | None = None,
        *,
        timeout: float = 30.0,
        retry_for: float | None = None,
        backoff_initial: float = 1.0,
        backoff_max: float = 60.0,
    ) -> None:
        """`timeout`: seconds any one IMAP read or write may take. `retry_for`: how long one
        call keeps reconnecting before it raises ImapUnavailable (None: until `stop()`)."""
        self.settings = settings
        self.name = settings.name
        self.mailbox = f"imap:{settings.name}"  # Incoming.mailbox of this source's mail
        self.timeout = timeout
        self.retry_for = retry_for
        self.backoff_initial = backoff_initial
        self.backoff_max = backoff_max
        self.last_error: ImapError | None = None  # the error of the outage under way
        self.backlog = 0  # mail above the last UID that the last fetch() left for later
        self._state = state or ImapState()
        self._tokens = (
            TokenSource(settings.name, settings.oauth2_token_command)
            if settings.oauth2_token_command
            else None
        )
        self._conn: Connection | None = None
        self._unread = False  # a fresh connection nobody fetched on yet
        self._idle_refused = False
        self._folders_ready = False
        self._down_since: float | None = None
        self._stopping = threading.Event()

    # -- the API ------------------------------------------------------------------------

    @property
    def state(self) -> ImapState:
        """The state to persist: after connect() (first sight is decided there), after
        fetch() (last_fetch) and after done() (last_uid)."""
        return self._state

    @property
    def connected(self) -> bool:
        return self._conn is not None

    def connect(self) -> None:
        """Connect, log in, select the folder and reconcile the state with the server's
        UIDVALIDITY (first sight applies `import_existing`)."""
        self._run("connect", lambda conn: None, ImapSelectError)

    def fetch(self, limit: int = BATCH) -> list[Incoming]:
        """Up to `limit` mails above the last committed UID, oldest first. Changes nothing on
        the server; the same mails come again until done() has been called for them."""
        return self._run("UID FETCH", lambda conn: self._fetch(conn, limit), ImapFetchError)

    def done(self, outcomes: Iterable[Outcome]) -> None:
        """After the commit: quarantined mail gets \\Flagged (and is moved to
        quarantine_folder if set), all other mail \\Seen (and is moved to processed_folder if
        set); then the state advances past them. Outcomes of other sources are ignored."""
        mine = [
            o for o in outcomes if o.incoming.mailbox == self.mailbox and o.incoming.uid is not None
        ]
        if mine:
            self._run("UID STORE", lambda conn: self._finish(conn, mine), ImapStoreError)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until new mail may be there (True: fetch now) or `timeout` seconds pass
        (False). IDLE when the server has it and `idle` is on; else sleep `poll_interval`
        and return True. False at once after stop()."""
        deadline = time.monotonic() + timeout if timeout is not None else float("inf")
        try:
            return self._run("IDLE", lambda conn: self._wait(conn, deadline), ImapIdleError)
        except ImapUnavailable:
            if self._stopping.is_set():
                return False
            raise

    def stop(self) -> None:
        """From any thread: end a wait() or a backoff sleep now; later calls give up."""
        self._stopping.set()
        conn = self._conn
        if conn is not None:
            try:
                conn.client.sock.shutdown(socket.SHUT_RDWR)
            except (OSError, AttributeError):
                pass

    def close(self) -> None:
        """LOGOUT and close; the next call connects again (unless stopped)."""
        self._drop()

    # -- retries at the edge ------------------------------------------------------------

    def _run(self, command: str, op: Callable[[Connection], T], refused: type[ImapError]) -> T:
        retrying = Retrying(
            retry=retry_if_exception_type(ImapUnavailable),
            wait=wait_random_exponential(
                multiplier=self.backoff_initial, min=self.backoff_initial, max=self.backoff_max
            ),
            stop=stop_any(
                _Stopping(self._stopping),
                stop_never if self.retry_for is None else stop_after_delay(self.retry_for),
            ),
            sleep=self._sleep,
            reraise=True,
        )
        result: T = retrying(self._attempt, command, op, refused)
        return result

    def _sleep(self, seconds: float) -> None:
        self._stopping.wait(seconds)

    def _attempt(self, command: str, op: Callable[[Connection], T], refused: type[ImapError]) -> T:
        if self._stopping.is_set():
            raise ImapUnavailable(self.name, command, "stopping")
        try:
            conn = self._conn or self._open()
            result = op(conn)
        except FAILURES as e:
            err = translate(e, self.name, command, refused)
            self.last_error = err
            if isinstance(err, ImapUnavailable):
                self._drop()
                self._outage(err)
            raise err from e
        if self._down_since is not None:
            log.info(
                "mailbox %s: IMAP connection restored after %.1fs",
                self.name,
                time.monotonic() - self._down_since,
            )
            self._down_since = None
            self.last_error = None
        return result

    def _outage(self, err: ImapError) -> None:
        if self._down_since is None and not self._stopping.is_set():
            self._down_since = time.monotonic()
            log.warning(
                "mailbox %s: IMAP unavailable (%s: %s); reconnecting with backoff",
                self.name,
                err.command,
                err.response,
            )

    def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()

    # -- connection set-up --------------------------------------------------------------

    def _open(self) -> Connection:
        conn = open_connection(self.settings, self.timeout, self._tokens)
        try:
            self._prepare_folders(conn)
            self._select(conn)
        except BaseException:
            conn.close()
            raise
        self._conn = conn
        self._unread = True
        return conn

    def _prepare_folders(self, conn: Connection) -> None:
        if self._folders_ready:
            return
        s = self.settings
        for folder in {s.processed_folder, s.quarantine_folder} - {"", s.folder}:
            try:
                if not conn.box.folder.exists(folder):
                    conn.box.folder.create(folder)
                    log.info("mailbox %s: created folder %s", self.name, folder)
            except FAILURES as e:
                raise translate(e, self.name, f"CREATE {folder}", ImapFolderCreateError) from e
        self._folders_ready = True

    def _select(self, conn: Connection) -> None:
        folder = self.settings.folder
        try:
            conn.box.folder.set(folder)
            responses = conn.client.untagged_responses
            uidvalidity = number(responses.get("UIDVALIDITY"))
            uidnext = number(responses.get("UIDNEXT"))
            if uidvalidity is None or uidnext is None:
                status = conn.box.folder.status(folder, ["UIDVALIDITY", "UIDNEXT"])
                uidvalidity, uidnext = int(status["UIDVALIDITY"]), int(status["UIDNEXT"])
        except FAILURES as e:
            raise translate(e, self.name, f"SELECT {folder}", ImapSelectError) from e
        self._reconcile(uidvalidity, uidnext)

    def _reconcile(self, uidvalidity: int, uidnext: int) -> None:
        before = self._state
        self._state, note = reconcile(before, uidvalidity, uidnext, self.settings.import_existing)
        if note:
            level = logging.WARNING if before.uidvalidity is not None else logging.INFO
            log.log(level, "mailbox %s: folder %s: %s", self.name, self.settings.folder, note)

    # -- the commands -------------------------------------------------------------------

    def _fetch(self, conn: Connection, limit: int) -> list[Incoming]:
        client = conn.client
        self._unread = False
        # a selected folder's view grows only when the server syncs it (at NOOP, say): a
        # SEARCH alone can miss mail delivered since the last command
        self._ok(client.noop(), "NOOP", ImapSearchError)
        # the SEARCH below sees what the NOOP announced; from here on an EXISTS means mail
        # that this fetch may have missed, and makes the next wait() return at once
        client.untagged_responses.pop("EXISTS", None)
        st = self._state
        data = self._ok(
            client.uid("SEARCH", f"UID {st.last_uid + 1}:*"), "UID SEARCH", ImapSearchError
        )
        # "n:*" always matches the highest UID, even when it is below n
        found = (int(u) for u in b" ".join(d for d in data if d).split())
        above = sorted(u for u in found if u > st.last_uid)
        uids = above[: max(limit, 0)]
        self.backlog = len(above) - len(uids)
        items: list[Incoming] = []
        for chunk in chunks(uids, FETCH_CHUNK):
            data = self._ok(
                client.uid("FETCH", uid_set(chunk), "(UID INTERNALDATE BODY.PEEK[])"),
                "UID FETCH",
                ImapFetchError,
            )
            wanted = set(chunk)
            for uid, when, raw in parse_fetch(data):
                if uid in wanted:
                    wanted.discard(uid)
                    items.append(self._incoming(uid, when, raw))
        items.sort(key=lambda i: i.uid or 0)
        self._state = replace(self._state, last_fetch=datetime.now(UTC))
        return items

    def _incoming(self, uid: int, when: datetime | None, raw: bytes) -> Incoming:
        st = self._state
        return Incoming(
            raw,
            "imap",
            f"{self.name}/{self.settings.folder};UIDVALIDITY={st.uidvalidity}/;UID={uid}",
            mailbox=self.mailbox,
            uidvalidity=st.uidvalidity,
            uid=uid,
            silent=uid < st.silent_below,
            received_at=when,
        )

    def _finish(self, conn: Connection, outcomes: Sequence[Outcome]) -> None:
        st = self._state
        current = [o for o in outcomes if o.incoming.uidvalidity == st.uidvalidity]
        if len(current) < len(outcomes):
            # the folder was recreated since the fetch: those UIDs name other mail now;
            # the rescan brings the mail back as duplicates, finished then
            log.info(
                "mailbox %s: %d mail(s) fetched under an old UIDVALIDITY left as they are",
                self.name,
                len(outcomes) - len(current),
            )
        s = self.settings
        held = [o.incoming.uid for o in current if o.action == "quarantined"]
        taken = [o.incoming.uid for o in current if o.action != "quarantined"]
        self._apply(conn, [u for u in held if u is not None], r"(\Flagged)", s.quarantine_folder)
        self._apply(conn, [u for u in taken if u is not None], r"(\Seen)", s.processed_folder)
        top = max((o.incoming.uid or 0 for o in current), default=0)
        if top > self._state.last_uid:
            self._state = replace(self._state, last_uid=top)

    def _apply(self, conn: Connection, uids: list[int], flags: str, folder: str) -> None:
        if not uids:
            return
        client, uidset = conn.client, uid_set(uids)
        self._ok(client.uid("STORE", uidset, "+FLAGS.SILENT", flags), "UID STORE", ImapStoreError)
        if not folder or folder == self.settings.folder:
            return
        target = encode_folder(folder).decode()
        if "MOVE" in conn.caps:
            self._ok(client.uid("MOVE", uidset, target), "UID MOVE", ImapMoveError)
            return
        # no MOVE (RFC 6851): copy, mark deleted, expunge — only these UIDs when UIDPLUS
        # allows it; a plain EXPUNGE also removes what others marked \Deleted
        self._ok(client.uid("COPY", uidset, target), "UID COPY", ImapMoveError)
        self._ok(
            client.uid("STORE", uidset, "+FLAGS.SILENT", r"(\Deleted)"), "UID STORE", ImapStoreError
        )
        if "UIDPLUS" in conn.caps:
            self._ok(client.uid("EXPUNGE", uidset), "UID EXPUNGE", ImapMoveError)
        else:
            self._ok(client.expunge(), "EXPUNGE", ImapMoveError)

    def _wait(self, conn: Connection, deadline: float) -> bool:
        if self._unread or pending_news(conn):
            return True
        if self.settings.idle and "IDLE" in conn.caps and not self._idle_refused:
            try:
                return idle_until_news(conn, deadline, self._stopping)
            except FAILURES as e:
                err = translate(e, self.name, "IDLE", ImapIdleError)
                if not isinstance(err, ImapIdleError):
                    raise err from e
                # announced but refused: poll instead, on a clean connection
                log.warning("mailbox %s: %s; polling instead", self.name, err)
                self._idle_refused = True
                self._drop()
                return True
        pause = min(self.settings.poll_interval, deadline - time.monotonic())
        return not self._stopping.wait(max(pause, 0.0))

    def _ok(
        self, result: tuple[str, list[Any]], command: str, refused: type[ImapError]
    ) -> list[Any]:
        typ, data = result
        if typ != "OK":
            raise refusal(self.name, command, typ, data, refused)
        return data
