"""Triage on realistic support mail: tests/triage/dev_*.jsonl, mails labelled by a support lead
from PRODUCT.md's definitions, written independently of the rules (id, subject, body, from,
priority, category, why). Each record goes through the real parser (real MIME bytes) and the
real rules, as an incoming mail does; priority and category accuracy must not fall below the
level reached. The misses are printed, with the labeller's reason, so a regression is easy to
read."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from email.message import EmailMessage
from functools import cache
from pathlib import Path

import pytest

from maild import parsers
from maild.rules import context_for, evaluate
from maild.rules.words import defaults
from maild.settings import Settings

SETS = sorted((Path(__file__).parent / "triage").glob("dev_*.jsonl"))
NOW = datetime(2026, 9, 15, 2, 0, tzinfo=UTC)
MINIMUM = {"priority": 0.70, "category": 0.75}


def _bytes(record: dict[str, str]) -> bytes:
    m = EmailMessage()
    m["From"] = record["from"]
    m["To"] = "support@example.com"
    m["Subject"] = record["subject"]
    m["Date"] = "Tue, 15 Sep 2026 10:00:00 +0800"
    m["Message-ID"] = f"<{record['id']}@customer.example>"
    m.set_content(record["body"])
    return m.as_bytes()


@cache
def _verdicts() -> list[tuple[dict[str, str], str, str]]:
    ctx = context_for(Settings(), NOW, defaults())
    out = []
    for path in SETS:
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            v = evaluate(parsers.parse(_bytes(record), "zh", 25 << 20), ctx)
            out.append((record, v.priority, v.category))
    return out


def test_the_sets_are_there() -> None:
    assert len(_verdicts()) >= 300


@pytest.mark.parametrize("field", ["priority", "category"])
def test_accuracy_on_the_dev_sets(field: str) -> None:
    verdicts = _verdicts()
    got = 1 if field == "priority" else 2
    misses = [
        f"{r['id']} {r['subject'][:40]!r}: want {r[field]}, got {v[got - 1]} ({r['why'][:60]})"
        for r, *v in verdicts
        if v[got - 1] != r[field]
    ]
    accuracy = 1 - len(misses) / len(verdicts)
    print(f"{field}: {accuracy:.1%} right on {len(verdicts)}; misses:", *misses, sep="\n  ")
    assert accuracy >= MINIMUM[field], "\n".join(misses)
