"""impact-words: the business impact the customer describes sets the priority.

P1 words (core business down, everyone blocked) beat P2 (a function broken) beat P4
(suggestions, cosmetics); a mail with none of them stays at the default P3. Only the new
text and subject count, never the quoted history.
"""

from __future__ import annotations

from maild.message import ParsedMessage, RuleHit
from maild.rules import Context, rule
from maild.rules.words import found


@rule("impact-words")
def impact_words(msg: ParsedMessage, ctx: Context) -> RuleHit | None:
    text = f"{msg.subject}\n{msg.text}".lower()
    for level in ("P1", "P2", "P4"):
        hits = found(text, ctx.words.get("priority", {}).get(level, ()))
        if hits:
            shown = ", ".join(repr(w) for w in hits[:3])
            return RuleHit(
                "impact-words", f"priority={level}", f"impact words for {level}: {shown}"
            )
    return None
