"""category-words: the category whose words occur most often in the subject and new text.

Ties go to the order of the seed's list (configuration, functional, environment, data,
permission, performance, consultation). A mail with an error code and no words is
functional; a mail with neither stays "other".
"""

from __future__ import annotations

from maild.message import ParsedMessage, RuleHit
from maild.rules import Context, rule
from maild.rules.words import found

ORDER = (
    "permission",
    "performance",
    "data",
    "environment",
    "configuration",
    "functional",
    "consultation",
)


@rule("category-words")
def category_words(msg: ParsedMessage, ctx: Context) -> RuleHit | None:
    text = f"{msg.subject}\n{msg.text}".lower()
    lists = ctx.words.get("category", {})
    scored = [
        (len(hits), -ORDER.index(name), name, hits)
        for name in ORDER
        if (hits := found(text, lists.get(name, ())))
    ]
    if scored:
        _, _, name, hits = max(scored)
        shown = ", ".join(repr(w) for w in hits[:3])
        return RuleHit("category-words", f"category={name}", f"{name} words: {shown}")
    if msg.error_codes:
        return RuleHit(
            "category-words",
            "category=functional",
            f"error code {msg.error_codes[0]} and no other clue",
        )
    return None
