"""The golden corpus: every tests/corpus/NAME.eml is parsed and checked against NAME.json.

Expectation format (each key optional; a key that is absent is not checked):

    "from":        {"address": ..., "name": ...}      each given key equal
    "subject":     "..."                              equal
    "language":    "zh" | "en" | "other"              equal
    "kind":        "new" | "reply" | ...              maild.classify.kind_of with our address
    "text":        "exact text"                       equal to the new text
                   or {"contains": [...], "excludes": [...]}  substrings present / absent
    "quoted":      same two forms, for the quoted history
    "attachments": ["safe name", ...]                 safe names, in order
    "original_filenames": [...]                       names as the sender wrote them, in order
    "inline":      [true, false, ...]                 the inline flag of each attachment
    "error_codes": [...]                              the same set of codes, none doubled
    "environment": {"os": ..., "browser": ..., ...}   each given key equal (null = not found)
    "facts":       [{"kind": ..., "value": ..., "source": ...}]
                   each item matches at least one fact on every key it gives
    "defects":     {"contains": [...]}                each substring in some defect

Given a mail, when it is parsed, then what a support engineer needs is right.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from maild.classify import kind_of
from maild.message import ParsedMessage
from maild.parsers import parse

CORPUS = Path(__file__).parent / "corpus"
OUR_ADDRESS = "support@example.com"
MAILS = sorted(CORPUS.glob("*.eml"))


def test_corpus_is_large_and_paired() -> None:
    assert len(MAILS) >= 60
    missing = [p.name for p in MAILS if not p.with_suffix(".json").exists()]
    assert not missing, f"no expectation for {missing}"


def _check_text(actual: str, expected: Any, what: str) -> None:
    if isinstance(expected, str):
        assert actual.strip() == expected.strip(), f"{what}: {actual!r}"
        return
    for needle in expected.get("contains", []):
        assert needle in actual, f"{what} lacks {needle!r}: {actual[:600]!r}"
    for needle in expected.get("excludes", []):
        assert needle not in actual, f"{what} has {needle!r}: {actual[:600]!r}"


def _check(msg: ParsedMessage, exp: dict[str, Any]) -> None:
    for key, value in exp.get("from", {}).items():
        assert getattr(msg.sender, key) == value, f"from.{key}: {msg.sender}"
    if "subject" in exp:
        assert msg.subject == exp["subject"]
    if "language" in exp:
        assert msg.language == exp["language"], f"language of {msg.text[:200]!r}"
    if "kind" in exp:
        assert kind_of(msg, OUR_ADDRESS)[0] == exp["kind"]
    if "text" in exp:
        _check_text(msg.text, exp["text"], "text")
    if "quoted" in exp:
        _check_text(msg.quoted, exp["quoted"], "quoted")
    if "attachments" in exp:
        assert [a.safe_name for a in msg.attachments] == exp["attachments"]
    if "original_filenames" in exp:
        assert [a.filename for a in msg.attachments] == exp["original_filenames"]
    if "inline" in exp:
        assert [a.inline for a in msg.attachments] == exp["inline"]
    if "error_codes" in exp:
        codes = list(msg.error_codes)
        assert len(codes) == len(set(codes))
        assert set(codes) == set(exp["error_codes"]), f"error codes {codes}"
    env = msg.environment()
    for key, value in exp.get("environment", {}).items():
        assert env[key] == value, f"environment.{key}: {env}"
    facts = [{"kind": f.kind, "value": f.value, "source": f.source} for f in msg.facts]
    for wanted in exp.get("facts", []):
        assert any(all(f[k] == v for k, v in wanted.items()) for f in facts), (
            f"no fact {wanted} in {facts}"
        )
    for needle in exp.get("defects", {}).get("contains", []):
        assert any(needle in d for d in msg.defects), f"no defect {needle!r} in {msg.defects}"


@pytest.mark.parametrize("path", MAILS, ids=[p.stem for p in MAILS])
def test_corpus_mail(path: Path) -> None:
    expected = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    msg = parse(path.read_bytes(), "zh")
    _check(msg, expected)
