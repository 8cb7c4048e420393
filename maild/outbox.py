"""Outbox sender: queued mail out over SMTP, each row sent once and its fate recorded.

Input: outbox rows written by the respond stage. Output: rows marked sent, queued again with
a later attempt time (transient: connection trouble, 4xx), or failed with the server's answer
(permanent: 5xx, or too many attempts). A row is claimed (status `sending`, attempt counted)
and committed *before* the SMTP transaction, so a crash mid-send leaves a visible `sending`
row: after `outbox.stale_after` it is sent again (at-least-once; the window is one SMTP exchange).
Several daemons on PostgreSQL claim with FOR UPDATE SKIP LOCKED and never share a row.
"""

from __future__ import annotations

import json
import logging
import random
import ssl
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import aiosmtplib
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker
from tenacity import (
    AsyncRetrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_random_exponential,
)

from maild.database import flags
from maild.database.engine import transaction
from maild.database.models import OutboxRow
from maild.durations import parse_seconds
from maild.observe import Metrics
from maild.settings import Settings

log = logging.getLogger("maild.outbox")
BACKOFF_BASE = 30.0
BACKOFF_MAX = 3600.0
CONNECT_ERRORS = (
    aiosmtplib.SMTPConnectError,
    aiosmtplib.SMTPServerDisconnected,
    aiosmtplib.SMTPTimeoutError,
    ConnectionError,
    TimeoutError,
    OSError,
)


@dataclass(frozen=True, slots=True)
class Claimed:
    id: int
    sender: str
    recipients: tuple[str, ...]
    data: bytes
    attempts: int


@dataclass(frozen=True, slots=True)
class Result:
    id: int
    ok: bool
    permanent: bool
    detail: str


class Sender:
    def __init__(
        self,
        settings: Settings,
        sessions: sessionmaker[Session],
    ) -> None:
        self.settings = settings
        self.sessions = sessions
        self.over_budget = False
        self.metrics: Metrics | None = None

    def claim(self, limit: int = 50) -> list[Claimed]:
        now = datetime.now(UTC)
        with transaction(self.sessions) as s:
            if flags.is_set(s, flags.OUTBOX_PAUSED):
                return []
            budget = self.settings.outbox.max_per_hour - int(s.scalar(
                select(func.count()).select_from(OutboxRow)
                .where(OutboxRow.sent_at >= now - timedelta(hours=1))) or 0)
            if budget <= 0:
                if not self.over_budget:
                    log.error("outbox: %d mails sent within the hour (outbox.max_per_hour); "
                              "sending waits — a mail loop?", self.settings.outbox.max_per_hour)
                self.over_budget = True
                return []
            self.over_budget = False
            limit = min(limit, budget)
            # a row left in `sending` by a crash goes back to the queue after a while
            s.execute(
                update(OutboxRow)
                .where(
                    OutboxRow.status == "sending",
                    OutboxRow.next_attempt_at
                    < now - timedelta(seconds=parse_seconds(self.settings.outbox.stale_after)),
                )
                .values(status="queued")
            )
            query = (
                select(OutboxRow)
                .where(OutboxRow.status == "queued", OutboxRow.next_attempt_at <= now)
                .order_by(OutboxRow.next_attempt_at, OutboxRow.id)
                .limit(limit)
            )
            if s.get_bind().dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            rows = list(s.scalars(query))
            claimed = []
            for row in rows:
                row.status, row.attempts, row.next_attempt_at = "sending", row.attempts + 1, now
                claimed.append(
                    Claimed(
                        row.id, row.sender, tuple(json.loads(row.recipients)), row.raw, row.attempts
                    )
                )
            return claimed

    def record(self, results: list[Result], claimed: list[Claimed]) -> None:
        attempts = {c.id: c.attempts for c in claimed}
        now = datetime.now(UTC)
        with transaction(self.sessions) as s:
            for r in results:
                row = s.get(OutboxRow, r.id)
                if row is None:
                    continue
                if self.metrics is not None:
                    self.metrics.delivered(row.purpose, row.created_at, now, r.ok, r.permanent)
                if r.ok:
                    row.status, row.sent_at, row.last_error = "sent", now, r.detail
                elif r.permanent or attempts[r.id] >= self.settings.outbox.max_attempts:
                    row.status, row.last_error = "failed", r.detail
                    log.warning("outbox %d failed for good: %s", r.id, r.detail)
                else:
                    row.status, row.last_error = "queued", r.detail
                    delay = backoff(attempts[r.id], self.settings.outbox.retry_base)
                    row.next_attempt_at = now + timedelta(seconds=delay)

    async def deliver(self, claimed: list[Claimed],
                      sent: Callable[[Result], Awaitable[None]] | None = None) -> list[Result]:
        """Send the claimed rows over one connection. `sent` is awaited after each SMTP
        answer, so the caller can record it at once: a crash then resends at most the one
        mail whose answer was not yet recorded."""
        if not claimed:
            return []
        smtp = self.settings.smtp
        try:
            client = await self._connect()
        except (aiosmtplib.SMTPException, *CONNECT_ERRORS) as e:
            detail = _describe(e)
            perm = (
                isinstance(e, aiosmtplib.SMTPResponseException)
                and 500 <= e.code < 600
                and not isinstance(e, aiosmtplib.SMTPAuthenticationError)
            )
            log.warning("SMTP %s:%d unavailable: %s", smtp.host, smtp.port, detail)
            return [Result(c.id, False, perm, detail) for c in claimed]
        results: list[Result] = []
        try:
            for c in claimed:
                results.append(await self._send_one(client, c))
                if sent is not None:
                    await sent(results[-1])
                if not client.is_connected:
                    results += [
                        Result(x.id, False, False, "connection lost")
                        for x in claimed[len(results) :]
                    ]
                    break
        finally:
            if client.is_connected:
                try:
                    await client.quit()
                except (aiosmtplib.SMTPException, *CONNECT_ERRORS):
                    client.close()
        return results

    async def _send_one(self, client: aiosmtplib.SMTP, c: Claimed) -> Result:
        try:
            errors, response = await client.sendmail(c.sender, list(c.recipients), c.data)
        except aiosmtplib.SMTPRecipientsRefused as e:
            codes = [r.code for r in e.recipients]
            return Result(c.id, False, all(500 <= code < 600 for code in codes), _describe(e))
        except aiosmtplib.SMTPResponseException as e:
            if e.code == 421:
                client.close()
            return Result(c.id, False, 500 <= e.code < 600, _describe(e))
        except (aiosmtplib.SMTPException, *CONNECT_ERRORS) as e:
            client.close()
            return Result(c.id, False, False, _describe(e))
        detail = response
        if errors:
            detail = "some recipients refused: " + "; ".join(
                f"{addr}: {err.code} {err.message}" for addr, err in errors.items()
            )
        return Result(c.id, True, False, detail[:500])

    async def _connect(self) -> aiosmtplib.SMTP:
        smtp = self.settings.smtp
        async for attempt in AsyncRetrying(
            stop=stop_after_attempt(3),
            wait=wait_random_exponential(multiplier=0.2, max=2),
            retry=retry_if_exception_type(CONNECT_ERRORS),
            reraise=True,
        ):
            with attempt:
                client = aiosmtplib.SMTP(
                    hostname=smtp.host,
                    port=smtp.port,
                    timeout=smtp.timeout,
                    use_tls=smtp.security == "ssl",
                    start_tls=smtp.security == "starttls",
                    tls_context=(
                        ssl.create_default_context(cafile=smtp.ca_file or None)
                        if smtp.security != "none"
                        else None
                    ),
                )
                await client.connect()
                if smtp.username:
                    await client.login(smtp.username, smtp.password)
                return client
        raise AssertionError("unreachable")


def backoff(attempts: int, base: float = BACKOFF_BASE) -> float:
    """Seconds before the next try: exponential, capped, with jitter so a queue of failures
    does not hammer a recovering server all at once."""
    ceiling = min(BACKOFF_MAX, base * 2 ** max(0, attempts - 1))
    return float(ceiling * random.uniform(0.5, 1.0))


def _describe(e: BaseException) -> str:
    if isinstance(e, aiosmtplib.SMTPResponseException):
        return f"{e.code} {e.message}"[:500]
    if isinstance(e, aiosmtplib.SMTPRecipientsRefused):
        return "; ".join(f"{r.recipient}: {r.code} {r.message}" for r in e.recipients)[:500]
    return f"{type(e).__name__}: {e}"[:500]
