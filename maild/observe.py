"""Logs and metrics: what an admin reads about a running maild.

Logs go to stderr (journald under systemd) as text or one JSON object per line, with e-mail
addresses and phone numbers masked in every record (personal data never reaches the log).
Metrics (prometheus-client) are served on a local port when `[log] metrics_port` is set:
mails by source and outcome, outbox sent/failed, acknowledgement latency, SLA warnings.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import datetime
from typing import Any

_EMAIL = re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})")
_PHONE = re.compile(r"(?<!\d)(\+?86[- ]?)?(1[3-9]\d)\d{4}(\d{4})(?!\d)")


def mask(text: str) -> str:
    """a***@example.com, 138****5678: enough to tell records apart, not to contact anyone."""
    text = _EMAIL.sub(lambda m: f"{m.group(1)}***@{m.group(2)}", text)
    return _PHONE.sub(lambda m: f"{m.group(2)}****{m.group(3)}", text)


class MaskFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask(record.getMessage())
        record.args = None
        if record.exc_info:  # a traceback can quote a header value: mask it too
            record.exc_text = mask(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {"time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
                               "level": record.levelname.lower(), "logger": record.name,
                               "message": record.getMessage()}
        if record.exc_info:
            out["error"] = mask(self.formatException(record.exc_info))
        return json.dumps(out, ensure_ascii=False)


def setup_logging(verbose: bool, fmt: str = "text") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(MaskFilter())
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    if not verbose:
        logging.getLogger("alembic").setLevel(logging.WARNING)


class Metrics:
    """Prometheus metrics, or nothing at all when the port is 0."""

    def __init__(self, port: int, address: str = "127.0.0.1") -> None:
        self.enabled = port > 0
        if not self.enabled:
            return
        from prometheus_client import (
            CollectorRegistry,
            Counter,
            Gauge,
            Histogram,
            start_http_server,
        )

        self.registry = CollectorRegistry()
        self.mails = Counter("maild_mails_total", "Mails taken in, by source and outcome",
                             ["source", "action"], registry=self.registry)
        self.sent = Counter("maild_outbox_sent_total", "Outgoing mails delivered to the MTA",
                            ["purpose"], registry=self.registry)
        self.failed = Counter("maild_outbox_failed_total", "Outgoing mails that failed",
                              ["permanent"], registry=self.registry)
        self.ack_latency = Histogram(
            "maild_ack_latency_seconds", "From queuing an acknowledgement to its delivery",
            buckets=(0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300), registry=self.registry)
        self.sla_warnings = Counter("maild_sla_warnings_total", "SLA warnings sent",
                                    registry=self.registry)
        self.outbox_depth = Gauge("maild_outbox_queued", "Outgoing mails waiting",
                                  registry=self.registry)
        start_http_server(port, addr=address, registry=self.registry)

    def delivered(self, purpose: str, queued: datetime, now: datetime, ok: bool,
                  permanent: bool) -> None:
        if not self.enabled:
            return
        if ok:
            self.sent.labels(purpose).inc()
            if purpose == "ack":
                self.ack_latency.observe(max(0.0, (now - queued).total_seconds()))
        elif permanent:
            self.failed.labels("yes").inc()
        else:
            self.failed.labels("no").inc()

    def warned(self, count: int) -> None:
        if self.enabled:
            self.sla_warnings.inc(count)

    def ingested(self, outcomes: list[Any]) -> None:
        if self.enabled:
            for o in outcomes:
                self.mails.labels(o.incoming.source, o.action).inc()
