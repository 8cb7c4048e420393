"""`maild run`: every source, the outbox sender and recovery in one asyncio process.

Blocking work (database, parsing, files) runs in one worker thread so the event loop stays
responsive and SQLite sees one writer per process. SIGTERM/SIGINT stop fetching, let the
mail in hand finish, and exit 0; SIGHUP re-reads the config and keeps the old one if the new
one is bad. Tells systemd READY/STOPPING when run as Type=notify.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

from maild import configfile, retention, sla_watch, wake
from maild.durations import parse_seconds
from maild.errors import ConfigError, TransientError
from maild.observe import Metrics
from maild.outbox import Result, Sender
from maild.pipeline import Pipeline
from maild.settings import MailboxSettings, Settings
from maild.sources.imap_loop import MailboxLoop
from maild.sources.maildir import MaildirSource

log = logging.getLogger("maild.daemon")
RECORD_RETRY = 1.0  # seconds between tries to record SMTP answers the database refused
MAILDIR_POLL = 1.0
SLA_SWEEP = 60.0  # seconds between looks for SLA targets coming due
RETENTION_SWEEP = 86400.0  # seconds between retention purges
SUPERVISE = 30.0  # seconds before a mailbox that crashed is started again


def sd_notify(message: str) -> bool:
    addr = os.environ.get("NOTIFY_SOCKET")
    if not addr:
        return False
    if addr.startswith("@"):
        addr = "\0" + addr[1:]
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
        s.connect(addr)
        s.sendall(message.encode())
    return True


class Daemon:
    def __init__(
        self, settings: Settings, pipeline: Pipeline, sender: Sender, once: bool = False
    ) -> None:
        self.settings = settings
        self.pipeline = pipeline
        self.sender = sender
        self.once = once
        self.stopping = asyncio.Event()
        self.wake_outbox = asyncio.Event()
        self.worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="maild-work")
        self.sessions = pipeline.sessions
        self.metrics = Metrics(settings.log.metrics_port, settings.log.metrics_address)
        sender.metrics = self.metrics
        pipeline.observers.append(self.metrics.ingested)
        self.mailboxes: list[MailboxLoop] = []
        self.tasks: list[asyncio.Task[Any]] = []

    async def _pause(self, seconds: float) -> None:
        """Sleep, but wake at once when maild is stopping."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.stopping.wait(), timeout=seconds)

    async def _work(self, fn: Any, *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self.worker, fn, *args)

    async def run(self) -> int:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self.stop)
        loop.add_signal_handler(signal.SIGHUP, self.reload)
        try:
            recovered = await self._work(self.pipeline.recover)
            if recovered:
                log.info("recovered %d mail(s) stored before a crash", len(recovered))
        except TransientError as e:  # the journal stays; the next start tries again
            log.warning("recovery of journaled mail postponed: %s", e)
        waker = wake.listen(self.settings.storage.path)
        loop.add_reader(waker.fileno(), self._woken, waker)
        self.tasks = tasks = [asyncio.create_task(self._outbox_loop(), name="outbox"),
                              asyncio.create_task(self._sla_loop(), name="sla"),
                              asyncio.create_task(self._retention_loop(), name="retention")]
        tasks += [
            asyncio.create_task(self._mailbox(box), name=f"imap:{box.name}")
            for box in self.settings.mailboxes
        ]
        tasks += [
            asyncio.create_task(self._maildir_loop(MaildirSource(m)), name=f"maildir:{m.name}")
            for m in self.settings.maildirs
        ]
        watchdog = int(os.environ.get("WATCHDOG_USEC", "0") or 0)
        if watchdog > 0:
            tasks.append(asyncio.create_task(self._watchdog(watchdog / 2e6), name="watchdog"))
        sd_notify("READY=1")
        log.info(
            "maild running: %d mailbox(es), %d maildir(s), outbox to %s:%d",
            len(self.settings.mailboxes),
            len(self.settings.maildirs),
            self.settings.smtp.host,
            self.settings.smtp.port,
        )
        if self.once:
            await self._drain()
            self.stop()
        await self.stopping.wait()
        sd_notify("STOPPING=1")
        for mailbox in self.mailboxes:
            mailbox.stop()
        tasks = self.tasks  # SIGHUP may have added mailbox tasks
        for t in tasks:
            if not t.get_name().startswith("imap:"):
                t.cancel()  # mailbox threads finish the batch in hand, then return
        await asyncio.gather(*tasks, return_exceptions=True)
        self.worker.shutdown(wait=True)
        log.info("maild stopped")
        return 0

    def _woken(self, waker: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while waker.recv(16):
                pass
        self.wake_outbox.set()

    def stop(self) -> None:
        self.stopping.set()
        for mailbox in self.mailboxes:
            mailbox.stop()

    async def _mailbox(self, box: MailboxSettings) -> None:
        loop = asyncio.get_running_loop()

        def on_db(fn: Any, *args: Any) -> Any:
            return self.worker.submit(fn, *args).result()

        def on_ingested() -> None:
            loop.call_soon_threadsafe(self.wake_outbox.set)

        mailbox = MailboxLoop(box, self.pipeline, self.sessions, on_db, on_ingested)
        self.mailboxes.append(mailbox)
        while not self.stopping.is_set() and not mailbox.stopping.is_set():
            try:
                await asyncio.to_thread(mailbox.run)
            except Exception:  # noqa: BLE001 - a supervisor: one mailbox's bug never stops maild
                log.exception("mailbox %s failed; restarting it in %d s", box.name, SUPERVISE)
                await self._pause(SUPERVISE)

    def reload(self) -> None:
        try:
            new = configfile.load(self.settings.source)
        except ConfigError as e:
            log.error("SIGHUP: new config rejected, keeping the old one: %s", e)
            return
        try:
            self.pipeline.reconfigure(new)
        except ConfigError as e:
            log.error("SIGHUP: new config rejected, keeping the old one: %s", e)
            return
        old, self.settings = self.settings, new
        self.sender.settings = new
        if new.mailboxes != old.mailboxes:
            # mailbox threads hold their settings: stop them (each finishes its step) and
            # start the new set; leases and stored state carry over by mailbox name
            for mailbox in self.mailboxes:
                mailbox.stop()
            self.mailboxes = []
            loop = asyncio.get_running_loop()
            self.tasks += [loop.create_task(self._mailbox(box), name=f"imap:{box.name}")
                           for box in new.mailboxes]
        log.info("SIGHUP: config reloaded from %s", new.source)

    async def _drain(self) -> None:
        """--once: ingest what the sources hold and send what is due, then return."""
        for m in self.settings.maildirs:
            await self._maildir_sweep(MaildirSource(m))
        while await self._outbox_sweep():
            pass

    async def _watchdog(self, every: float) -> None:
        """systemd WatchdogSec: ping while the event loop and the database worker answer."""
        while not self.stopping.is_set():
            await self._work(lambda: None)
            sd_notify("WATCHDOG=1")
            await self._pause(every)

    async def _sla_loop(self) -> None:
        while not self.stopping.is_set():
            try:
                sent = await self._work(sla_watch.sweep, self.settings, self.sessions,
                                        self.pipeline.renderer, datetime.now(UTC))
                if sent:
                    log.info("SLA: %d warning(s) queued", sent)
                    self.metrics.warned(sent)
                    self.wake_outbox.set()
            except TransientError as e:
                log.warning("SLA sweep: %s", e)
            await self._pause(SLA_SWEEP)

    async def _retention_loop(self) -> None:
        """Once a day (and at start), purge what `storage.retention` says is old enough,
        one chunk per turn of the worker so intake and sending go on in between."""
        while not self.stopping.is_set():
            age = self.settings.storage.retention
            if age:
                now = datetime.now(UTC)
                cutoff = now - timedelta(seconds=parse_seconds(age))
                try:
                    done = retention.Purged((), 0, 0, 0, False)
                    while not self.stopping.is_set() and (part := await self._work(
                            retention.purge_chunk, self.sessions, self.pipeline.files, cutoff,
                            now, age, done.last)):
                        done += part
                    if done.tickets:
                        log.info("retention %s: purged %d ticket(s), %d raw mail(s), "
                                 "%d attachment file(s)", age, len(done.tickets),
                                 done.raw_files, done.attachment_files)
                except TransientError as e:
                    log.warning("retention purge postponed: %s", e)
                except Exception:  # noqa: BLE001 - a failed purge must not stop the schedule
                    log.exception("retention purge failed; trying again in a day")
            await self._pause(RETENTION_SWEEP)

    async def _outbox_loop(self) -> None:
        interval = self.settings.outbox.poll_interval
        while not self.stopping.is_set():
            try:
                busy = await self._outbox_sweep()
            except TransientError as e:
                log.warning("outbox: %s", e)
                busy = False
            if busy:
                continue
            try:
                await asyncio.wait_for(self.wake_outbox.wait(), timeout=interval)
            except TimeoutError:
                pass
            self.wake_outbox.clear()

    async def _outbox_sweep(self) -> bool:
        claimed = await self._work(self.sender.claim)
        if not claimed:
            return False
        recorded: set[int] = set()

        async def sent(result: Result) -> None:
            try:
                await self._work(self.sender.record, [result], claimed)
                recorded.add(result.id)
            except TransientError as e:  # recorded below, once the database answers
                log.warning("outbox %d: answer not recorded yet: %s", result.id, e)

        results = await self.sender.deliver(claimed, sent)
        rest = [r for r in results if r.id not in recorded]
        while rest and not self.stopping.is_set():
            # the mail went out: record its answer, never send it again for a locked or
            # restarting database (a row left "sending" is resent after outbox.stale_after)
            try:
                await self._work(self.sender.record, rest, claimed)
                rest = []
            except TransientError as e:
                log.warning("outbox: %d answers not recorded yet: %s", len(rest), e)
                await self._pause(RECORD_RETRY)
        return any(r.ok for r in results)

    async def _maildir_loop(self, source: MaildirSource) -> None:
        while not self.stopping.is_set():
            try:
                n = await self._maildir_sweep(source)
            except TransientError as e:
                log.warning("maildir %s: %s", source.name, e)
                n = 0
            if not n:
                await self._pause(MAILDIR_POLL)

    async def _maildir_sweep(self, source: MaildirSource) -> int:
        fetched = await self._work(source.fetch)
        if not fetched:
            return 0
        paths = {item.label: path for path, item in fetched}
        outcomes = await self._work(self.pipeline.ingest, [item for _, item in fetched])
        for o in outcomes:
            source.done(paths[o.label])
        self.wake_outbox.set()
        return len(outcomes)
