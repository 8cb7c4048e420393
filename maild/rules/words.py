"""Loads the shipped word lists (`config/rules.toml`) once; rules read them via the Context."""

from __future__ import annotations

import tomllib
from functools import cache

from maild.paths import defaults_dir

Words = dict[str, dict[str, tuple[str, ...]]]


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


def found(text: str, words: tuple[str, ...]) -> list[str]:
    """The words of the list that occur in `text` (already lower-cased)."""
    return [w for w in words if w in text]
