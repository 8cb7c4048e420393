"""Knowledge hints: which `[[knowledge]]` entries fit a mail, for the self-help links of the
acknowledgement (seed: 提供知识库文章、操作视频、FAQ文档).

Input: a ParsedMessage and the configured entries. Output: the matching entries, best first,
each with the reason it matched. An error code of the entry matches the mail's extracted
codes (case-insensitive; `*` and `?` globs such as "ORA-*"; a bare "500" matches "HTTP 500")
or the same code written in the subject or new text; a keyword matches the subject or new
text (Latin keywords as whole words). A code match outranks keywords. Pure: no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase

from maild.message import ParsedMessage
from maild.rules.words import pattern
from maild.settings import KnowledgeEntry

CODE_WEIGHT = 10


@dataclass(frozen=True, slots=True)
class KnowledgeMatch:
    entry: KnowledgeEntry
    reason: str
    score: int


def _text(msg: ParsedMessage) -> str:
    return unicodedata.normalize("NFKC", f"{msg.subject}\n{msg.text}").lower()


def _code_hits(code: str, codes: Sequence[str], text: str) -> bool:
    want = code.strip().lower()
    if not want:
        return False
    for have in (c.lower() for c in codes):
        if fnmatchcase(have, want) or (want.isdigit() and have == f"http {want}"):
            return True
    if any(ch in want for ch in "*?["):
        return False
    bounded = rf"(?<![\w-]){re.escape(want)}(?![\w-])"
    return not want.isdigit() and re.search(bounded, text) is not None


def match(
    msg: ParsedMessage, entries: Sequence[KnowledgeEntry], limit: int = 3
) -> list[KnowledgeMatch]:
    """The entries that fit `msg`, best first (code matches, then most keywords), at most
    `limit` of them; entries of equal weight keep their configured order."""
    text = _text(msg)
    codes = msg.error_codes
    scored: list[tuple[int, int, KnowledgeMatch]] = []
    for order, entry in enumerate(entries):
        hit_codes = [c for c in entry.codes if _code_hits(c, codes, text)]
        hit_words = [k for k in entry.keywords if k.strip() and pattern(k).search(text)]
        if not hit_codes and not hit_words:
            continue
        parts = []
        if hit_codes:
            parts.append("error code " + ", ".join(hit_codes))
        if hit_words:
            parts.append("keywords " + ", ".join(repr(k) for k in hit_words))
        score = CODE_WEIGHT * len(hit_codes) + len(hit_words)
        scored.append((-score, order, KnowledgeMatch(entry, "; ".join(parts), score)))
    return [m for _, _, m in sorted(scored, key=lambda t: (t[0], t[1]))][:limit]
