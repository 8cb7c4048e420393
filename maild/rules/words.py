"""Word lists for the triage rules: the shipped defaults (`config/rules.toml`), admin
overrides merged on top, and the matcher every rule uses.

A list entry matches case-insensitively; an entry that begins or ends with a Latin letter or
digit matches whole words only; a trailing `*` matches any ending; `…` stands for a few
characters of the same sentence. Loading reads the file once; matching is pure.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from functools import cache, lru_cache

from maild.paths import defaults_dir

Words = dict[str, dict[str, tuple[str, ...]]]
# between the parts of "a…b": a few characters, never past the end of a sentence
_GAP = r"[^\n.!?;。！？；]{0,12}?"


@cache
def defaults() -> Words:
    data = tomllib.loads((defaults_dir() / "rules.toml").read_text(encoding="utf-8"))
    return {
        section: {
            name: tuple(w.lower() for w in table.get("words", ()))
            for name, table in entries.items()
        }
        for section, entries in data.items()
    }


def merged(
    base: Words, overrides: Mapping[str, Mapping[str, Mapping[str, Sequence[str]]]]
) -> Words:
    """`base` with admin changes: {section: {name: {"words": [...]} | {"add": [...],
    "remove": [...]}}}; "words" replaces a list, "add"/"remove" edit it."""
    out = {section: dict(lists) for section, lists in base.items()}
    for section, lists in overrides.items():
        for name, change in lists.items():
            current = list(change.get("words", out.get(section, {}).get(name, ())))
            current += [w for w in change.get("add", ()) if w not in current]
            drop = {w.lower() for w in change.get("remove", ())}
            out.setdefault(section, {})[name] = tuple(
                w.lower() for w in current if w.lower() not in drop
            )
    return out


@lru_cache(maxsize=8192)
def pattern(word: str) -> re.Pattern[str]:
    """The regular expression for one list entry (see the module docstring)."""
    word = word.lower().strip()
    prefix = word.endswith("*")
    word = word.rstrip("*")
    parts = [re.escape(p.strip()).replace(r"\ ", r"\s+") for p in word.split("…")]
    body = _GAP.join(parts)
    if word[:1].isascii() and word[:1].isalnum():
        body = r"(?<![a-z0-9_])" + body
    if not prefix and word[-1:].isascii() and word[-1:].isalnum():
        body += r"(?![a-z0-9_])"
    return re.compile(body)


def found(text: str, words: Sequence[str]) -> list[str]:
    """The words of the list that occur in `text` (already lower-cased). A plain substring
    test on the word's longest literal piece runs first: most words are absent from most
    mail, and `in` is far cheaper than a regular-expression search."""
    return [w for lit, w in _pieces(words) if lit in text and pattern(w).search(text)]


_PIECES: dict[int, tuple[Sequence[str], tuple[tuple[str, str], ...]]] = {}


def _pieces(words: Sequence[str]) -> tuple[tuple[str, str], ...]:
    """(literal piece, word) of a list, worked out once per list (lists are tuples made
    once at load; a list of another type is worked out each time)."""
    if not isinstance(words, tuple):
        return tuple((literal(w), w) for w in words if w)
    hit = _PIECES.get(id(words))
    if hit is None or hit[0] is not words:
        if len(_PIECES) >= 4096:  # lists made per mail (admin overrides) must not pile up
            _PIECES.clear()
        hit = _PIECES[id(words)] = (words, tuple((literal(w), w) for w in words if w))
    return hit[1]


@cache
def literal(word: str) -> str:
    """A piece of `word` that any match must contain verbatim."""
    pieces = re.split(r"\s+|…", word.lower().strip().rstrip("*"))
    return max(pieces, key=len) if pieces else ""


def strip(text: str, words: Sequence[str]) -> str:
    """`text` with every occurrence of the words blanked out (kept as sentence breaks)."""
    for w in words:
        if w and literal(w) in text:
            text = pattern(w).sub(" | ", text)
    return text
