"""One IMAP mailbox, driven for as long as the daemon runs (in a thread of its own).

Input: the mailbox settings, the pipeline and a way to run work on the daemon's database
worker. Output: mail ingested and then flagged/moved on the server, the source state saved
after every step, the mailbox lease held while working. Only after the pipeline committed a
batch is the server told (`done`); a crash in between re-fetches the mail, and the identity
check makes it a duplicate. Errors stay in this mailbox: the others keep working.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from typing import Any, TypeVar

from sqlalchemy.orm import Session, sessionmaker

from maild.database import sources as state_store
from maild.errors import PermanentError, StorageUnavailable, TransientError
from maild.pipeline import Outcome, Pipeline
from maild.settings import MailboxSettings
from maild.sources.imap import ImapSource
from maild.sources.imap_state import ImapState

log = logging.getLogger("maild.imap")
T = TypeVar("T")
LEASE = 60.0  # seconds; another daemon takes over within this after we die
RENEW = 20.0
PERMANENT_PAUSE = 300.0
OWNER = f"{socket.gethostname()}:{os.getpid()}"


class MailboxLoop:
    def __init__(
        self,
        box: MailboxSettings,
        pipeline: Pipeline,
        sessions: sessionmaker[Session],
        on_db: Callable[..., Any],
        on_ingested: Callable[[], None],
    ) -> None:
        self.box = box
        self.name = f"imap:{box.name}"
        self.pipeline = pipeline
        self.sessions = sessions
        self.on_db = on_db  # runs a callable on the database worker, returns its result
        self.on_ingested = on_ingested
        self.stopping = threading.Event()
        self.source: ImapSource | None = None

    def stop(self) -> None:
        self.stopping.set()
        if self.source is not None:
            self.source.stop()

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                if not self.on_db(state_store.lease, self.sessions, self.name, OWNER, LEASE):
                    self.stopping.wait(RENEW)  # another daemon fetches this mailbox
                    continue
                self._work()
            except PermanentError as e:
                log.error(
                    "mailbox %s: %s; retrying in %d s", self.box.name, e, int(PERMANENT_PAUSE)
                )
                self._save(error=str(e))
                self.stopping.wait(PERMANENT_PAUSE)
            except StorageUnavailable as e:
                log.warning("mailbox %s: %s; retrying", self.box.name, e)
                self.stopping.wait(5)
            except TransientError as e:
                log.warning("mailbox %s: %s", self.box.name, e)
                self.stopping.wait(5)
        if self.source is not None:
            self.source.close()
        try:
            self.on_db(state_store.release, self.sessions, self.name, OWNER)
        except (StorageUnavailable, RuntimeError):
            pass  # the lease simply runs out

    def _work(self) -> None:
        stored = self.on_db(state_store.load, self.sessions, self.name)
        state = ImapState.from_dict(stored) if stored else None
        self.source = source = ImapSource(self.box, state)
        if self.stopping.is_set():
            return
        source.connect()
        self._save(error="")
        renewed = datetime.now(UTC)
        while not self.stopping.is_set():
            if (datetime.now(UTC) - renewed).total_seconds() > RENEW:
                if not self.on_db(state_store.lease, self.sessions, self.name, OWNER, LEASE):
                    log.warning("mailbox %s: lease lost to another daemon", self.box.name)
                    return
                renewed = datetime.now(UTC)
            items = source.fetch()
            self._save()
            if items:
                outcomes: list[Outcome] = self.on_db(self.pipeline.ingest, items)
                source.done(outcomes)
                self._save()
                self.on_ingested()
                continue
            source.wait(timeout=RENEW)

    def _save(self, error: str | None = None) -> None:
        source = self.source
        state = source.state if source is not None else ImapState()
        self.on_db(
            partial(
                state_store.save,
                last_fetch=state.last_fetch,
                backlog=source.backlog if source is not None else None,
                error=error,
            ),
            self.sessions,
            self.name,
            state.as_dict(),
        )
