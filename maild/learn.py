"""Training the triage model on labelled support mail (`maild triage train`).

A labelled mail is one JSON object per line: `subject`, `body`, `from` and the support lead's
`priority` and `category` (an `id` and a `why` are kept for messages). Each goes through the
real parser, as if it had arrived, so the model learns from exactly the text it will read.
The fitting is scikit-learn's (term weights and a multinomial logistic regression); only
the resulting weights are kept, and maild reads them without scikit-learn. scikit-learn is
needed only here: `pip install 'maild[train]'`.
"""

from __future__ import annotations

import hashlib
import json
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from maild import parsers
from maild.errors import MaildError
from maild.rules import _model
from maild.settings import PRIORITIES

CATEGORIES = (
    "configuration", "functional", "environment", "data",
    "permission", "performance", "consultation", "other",
)
# how strongly the weights may follow the examples: chosen by leave-one-set-out accuracy
STRENGTH = 16.0
MIN_MAILS = 2  # a term must be seen in this many training mails


@dataclass(frozen=True, slots=True)
class Labelled:
    id: str
    text: str  # what the model reads (`_model.model_text` of the parsed mail)
    priority: str
    category: str
    subject: str
    why: str
    source: str  # the file it came from


def mail_bytes(record: dict[str, Any]) -> bytes:
    """A labelled record as the mail it stands for."""
    m = EmailMessage()
    m["From"] = str(record.get("from") or "customer@example.com")
    m["To"] = "support@example.com"
    m["Subject"] = str(record.get("subject", ""))
    m["Message-ID"] = f"<{record.get('id', 'x')}@labelled.invalid>"
    m.set_content(str(record.get("body", "")))
    return m.as_bytes()


def fingerprint(paths: Iterable[Path]) -> str:
    """A hash of the labelled files (names and contents, in name order): the model records
    it, so a model can be told apart from one trained on other or edited mail."""
    h = hashlib.sha256()
    for path in sorted(paths, key=lambda p: p.name):
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def records(path: Path) -> list[dict[str, Any]]:
    """The labelled mails of one file; a malformed line is an error naming file and line."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise MaildError(f"cannot read {path}: {e}") from e
    out = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            priority, category = record["priority"], record["category"]
        except (json.JSONDecodeError, KeyError, TypeError) as e:
            raise MaildError(f"{path}:{n}: not a labelled mail ({e})") from e
        if priority not in PRIORITIES or category not in CATEGORIES:
            raise MaildError(f"{path}:{n}: unknown label {priority!r} / {category!r}")
        record.setdefault("id", f"{path.name}:{n}")
        out.append(record)
    return out


def read(paths: Iterable[Path]) -> list[Labelled]:
    """Every labelled mail of the files, parsed as if it had arrived."""
    out: list[Labelled] = []
    for path in paths:
        for record in records(path):
            msg = parsers.parse(mail_bytes(record), "zh", 25 << 20)
            out.append(Labelled(
                str(record["id"]),
                _model.model_text(msg.subject, msg.text),
                record["priority"],
                record["category"],
                msg.subject,
                str(record.get("why", "")),
                path.name,
            ))
    return out


def fit(mails: Sequence[Labelled], strength: float = STRENGTH) -> dict[str, Any]:
    """Weights learned from `mails`, in the JSON form `_model.from_json` reads."""
    try:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
    except ImportError as e:
        raise MaildError(
            "training needs scikit-learn: pip install 'maild[train]'"
        ) from e
    if len({m.priority for m in mails}) < 2 or len({m.category for m in mails}) < 2:
        raise MaildError("training needs mail of at least two priorities and two categories")
    vectorizer = TfidfVectorizer(
        analyzer=_model.terms, sublinear_tf=True, min_df=min(MIN_MAILS, len(mails))
    )
    x = vectorizer.fit_transform([m.text for m in mails])
    names = list(vectorizer.get_feature_names_out())
    heads = {}
    fitted = {}
    for question in _model.QUESTIONS:
        y = [getattr(m, question) for m in mails]
        lr = LogisticRegression(C=strength, max_iter=5000).fit(x, y)
        labels = tuple(str(c) for c in lr.classes_)
        coef, intercept = lr.coef_, lr.intercept_
        if len(labels) == 2:  # two labels: one row scores the second against the first
            coef = [-coef[0] / 2, coef[0] / 2]
            intercept = [-intercept[0] / 2, intercept[0] / 2]
        heads[question] = _model.Head(
            labels,
            tuple(float(v) for v in intercept),
            tuple(array("d", (float(v) for v in row)) for row in coef),
        )
        fitted[question] = [str(c) for c in lr.predict(x)]
    data = _model.to_json(names, [float(v) for v in vectorizer.idf_], heads, len(mails))
    _same_answers(_model.from_json(data, "trained"), mails, fitted)
    return data


def _same_answers(model: _model.Model, mails: Sequence[Labelled],
                  fitted: dict[str, list[str]]) -> None:
    """maild's own reading of the written weights must give the fitted model's answers (a
    different term split or weighting would silently make another model)."""
    vectors = [_model.vector(model, m.text) for m in mails]  # once per mail, not per question
    for question, answers in fitted.items():
        differ = [
            m.id for m, vec, want in zip(mails, vectors, answers, strict=True)
            if _model.judge(model, question, vec, 0).label != want
        ]
        if len(differ) > len(mails) // 200:  # rounding the weights may tip a near tie
            raise MaildError(f"the written model answers {question} differently from the "
                             f"fitted one on {len(differ)} mails, e.g. {differ[:3]}")


def accuracy(model: _model.Model, mails: Sequence[Labelled]) -> dict[str, float]:
    """The share of `mails` the model labels as the support lead did, per question."""
    right = dict.fromkeys(_model.QUESTIONS, 0)
    for m in mails:
        vec = _model.vector(model, m.text)
        for q in _model.QUESTIONS:
            right[q] += _model.judge(model, q, vec, shown=0).label == getattr(m, q)
    return {q: right[q] / len(mails) if mails else 0.0 for q in _model.QUESTIONS}


def held_out(mails: Sequence[Labelled], strength: float = STRENGTH) -> dict[str, dict[str, float]]:
    """Leave-one-file-out: each file judged by a model trained on the others — the accuracy
    to expect on mail the model has not seen."""
    sources = sorted({m.source for m in mails})
    out = {}
    for source in sources:
        rest = [m for m in mails if m.source != source]
        model = _model.from_json(fit(rest, strength), "held-out")
        out[source] = accuracy(model, [m for m in mails if m.source == source])
    return out
