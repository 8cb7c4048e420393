"""The learned part of triage: a linear model over the terms of a mail, trained on labelled
support mail (`maild triage train`), that answers "which priority?" and "which category?"
with the terms that weighed most — so its judgement is explained like any rule's.

Terms are what a reader of mixed Chinese and English mail goes by: Chinese runs as
characters and their pairs and triples (无 / 无法 / 无法登), Latin words and word pairs
(cannot / cannot log). Each term counts 1 + log(times seen) times how rare it was in the
training mail, the vector is scaled to length one, and each label scores the dot product of
its weights plus an intercept; the softmax of the scores is how sure the model is.

Pure: loading reads a file once (at start-up, passed in through the Context); judging reads
nothing but the text and the weights."""

from __future__ import annotations

import base64
import binascii
import gzip
import json
import math
import re
import sys
import unicodedata
from array import array
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from maild.errors import ConfigError
from maild.paths import defaults_dir

FORMAT = "maild-triage-model/1"
SHIPPED = "triage-model.json.gz"  # in config/, trained on data/triage/*.jsonl
NONE = "none"
# what the model reads of the new text: the opening of a mail says what it is about, and
# the work stays bounded (a few hundred microseconds a mail)
READ = 4000
QUESTIONS = ("priority", "category")

_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+|[a-z0-9][a-z0-9_'\-.]*")
_WORD = re.compile(r"[a-z][a-z']+")
_TRIM = "._-'"


def model_text(subject: str, text: str) -> str:
    """What the model reads: the subject twice (it is the customer's summary) and the
    opening of the new text, folded like the rules fold it."""
    folded = unicodedata.normalize("NFKC", f"{subject}\n{subject}\n{text[:READ]}").lower()
    return folded.replace("\u2019", "'").replace("\u2018", "'")


def terms(text: str) -> list[str]:
    """The terms of a folded text (see the module docstring)."""
    out: list[str] = []
    for run in _RUN.findall(text):
        if run[0] >= "\u3400":
            n = len(run)
            out.extend(run)
            out.extend(run[i : i + 2] for i in range(n - 1))
            out.extend(run[i : i + 3] for i in range(n - 2))
        elif word := run.strip(_TRIM):
            out.append(word)
    words = _WORD.findall(text)
    out.extend(f"{a} {b}" for a, b in zip(words, words[1:], strict=False))
    return out


@dataclass(frozen=True, slots=True)
class Head:
    """One question the model answers: its labels, an intercept and a weight row each."""

    labels: tuple[str, ...]
    intercept: tuple[float, ...]
    weights: tuple[array[float], ...]


@dataclass(frozen=True, slots=True)
class Model:
    index: Mapping[str, int]  # term -> column
    names: tuple[str, ...]  # column -> term
    idf: array[float]
    heads: Mapping[str, Head]
    trained_on: int  # labelled mails behind the weights
    source: str  # the file it was read from, for messages
    labelled: str = ""  # the fingerprint of the labelled files it was trained on
    trained_files: frozenset[str] = frozenset()  # the fingerprint of each of them


@dataclass(frozen=True, slots=True)
class Judgement:
    label: str
    sure: float  # the softmax share of the label, 0..1
    because: tuple[str, ...]  # the mail's terms that weighed most for it


def vector(model: Model, text: str) -> dict[int, float]:
    """The mail's weighted, unit-length term vector (terms the model never saw drop out)."""
    counts = Counter(terms(text))
    vec: dict[int, float] = {}
    for term, n in counts.items():
        col = model.index.get(term)
        if col is not None:
            vec[col] = (1.0 + math.log(n)) * model.idf[col]
    norm = math.sqrt(sum(v * v for v in vec.values()))
    if norm:
        for col in vec:
            vec[col] /= norm
    return vec


def judge(model: Model, question: str, vec: Mapping[int, float], shown: int = 3) -> Judgement:
    """The label the model gives `question`, how sure it is, and the terms behind it."""
    head = model.heads[question]
    scores = [
        b + sum(x * w[col] for col, x in vec.items())
        for b, w in zip(head.intercept, head.weights, strict=True)
    ]
    best = max(range(len(scores)), key=scores.__getitem__)
    top = scores[best]
    sure = 1.0 / sum(math.exp(s - top) for s in scores)
    if not shown:
        return Judgement(head.labels[best], sure, ())
    mean = [sum(w[col] for w in head.weights) / len(head.weights) for col in vec]
    pull = sorted(
        ((x * (head.weights[best][col] - m), col)
         for (col, x), m in zip(vec.items(), mean, strict=True)),
        reverse=True,
    )
    # single characters weigh in but explain little: name longer terms first
    named = [model.names[col] for p, col in pull[:10] if p > 0]
    because = tuple(([t for t in named if len(t) > 1] + [t for t in named if len(t) == 1])
                    [:shown])
    return Judgement(head.labels[best], sure, because)


def to_json(index: Sequence[str], idf: Sequence[float], heads: Mapping[str, Head],
            trained_on: int) -> dict[str, Any]:
    """The file form: terms one per line, numbers packed (idf as float32, each weight row as
    int16 steps of its own scale), so a model of tens of thousands of terms loads in a
    fraction of a second without a float object per weight."""
    return {
        "format": FORMAT,
        "trained_on": trained_on,
        "terms": "\n".join(index),
        "idf": _pack_float(idf),
        "heads": {
            q: {
                "labels": list(h.labels),
                "intercept": list(h.intercept),
                "weights": [_pack_steps(row) for row in h.weights],
            }
            for q, h in heads.items()
        },
    }


def _pack_float(values: Sequence[float]) -> str:
    a = array("f", values)
    if sys.byteorder != "little":
        a.byteswap()
    return base64.b64encode(a.tobytes()).decode("ascii")


def _unpack_float(text: str) -> array[float]:
    a = array("f")
    a.frombytes(base64.b64decode(text, validate=True))
    if sys.byteorder != "little":
        a.byteswap()
    return a


def _pack_steps(values: Sequence[float]) -> dict[str, Any]:
    top = max((abs(v) for v in values), default=0.0)
    scale = top / 32767 if top else 1.0
    a = array("h", (round(v / scale) for v in values))
    if sys.byteorder != "little":
        a.byteswap()
    return {"scale": scale, "int16": base64.b64encode(a.tobytes()).decode("ascii")}


def _unpack_steps(packed: Mapping[str, Any]) -> array[float]:
    a = array("h")
    a.frombytes(base64.b64decode(packed["int16"], validate=True))
    if sys.byteorder != "little":
        a.byteswap()
    scale = float(packed["scale"])
    return array("f", (v * scale for v in a))


def from_json(data: Any, source: str) -> Model:
    """A Model from its file form; anything malformed is a ConfigError naming the file."""
    try:
        if data.get("format") != FORMAT:
            raise ValueError(f"format is {data.get('format')!r}, expected {FORMAT!r}")
        names = str(data["terms"]).split("\n")
        idf = _unpack_float(data["idf"])
        if len(idf) != len(names) or len(set(names)) != len(names):
            raise ValueError("terms and idf do not match")
        heads = {}
        for q in QUESTIONS:
            h = data["heads"][q]
            labels = tuple(str(x) for x in h["labels"])
            rows = tuple(_unpack_steps(row) for row in h["weights"])
            intercept = tuple(float(v) for v in h["intercept"])
            if not labels or len(rows) != len(labels) or len(intercept) != len(labels):
                raise ValueError(f"head {q!r} has mismatched labels and weights")
            if any(len(r) != len(names) for r in rows):
                raise ValueError(f"head {q!r} has weight rows of the wrong length")
            heads[q] = Head(labels, intercept, rows)
        return Model({t: i for i, t in enumerate(names)}, tuple(names), idf, heads,
                     int(data["trained_on"]), source,
                     str((data.get("labelled") or {}).get("sha256", "")),
                     frozenset(str(h) for h in (data.get("labelled") or {}).get("each", ())))
    except (AttributeError, KeyError, TypeError, ValueError, binascii.Error) as e:
        raise ConfigError(source, [f"rules.model: not a triage model: {e}"]) from e


def load(path: Path) -> Model:
    """Read a model file (JSON, gzip-compressed when the name ends in .gz)."""
    try:
        raw = path.read_bytes()
        if path.name.endswith(".gz"):
            raw = gzip.decompress(raw)
        data = json.loads(raw)
    except (OSError, EOFError, gzip.BadGzipFile, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ConfigError(str(path), [f"rules.model: cannot read the triage model: {e}"]) from e
    return from_json(data, str(path))


def configured(setting: str) -> Model | None:
    """The model `rules.model` names: the shipped one for "", none for "none", else the
    file. Read once per process and file version: retrained in place, a reload (SIGHUP)
    reads it again."""
    if setting.strip().lower() == NONE:
        return None
    path = Path(setting) if setting else defaults_dir() / SHIPPED
    try:
        st = path.stat()
    except OSError as e:
        raise ConfigError(str(path), [f"rules.model: cannot read the triage model: {e}"]) from e
    return _read(path, st.st_mtime_ns, st.st_size)


@lru_cache(maxsize=4)
def _read(path: Path, mtime_ns: int, size: int) -> Model:
    return load(path)
