"""urgency-words: the customer's own "紧急", "URGENT", "ASAP" is a weak signal: it lifts P4
to P3 or P3 to P2, never to P1 by itself (impact decides P1, not tone). "不紧急" and
"not urgent" are denials, not urgency."""

from __future__ import annotations

from maild.message import ParsedMessage, RuleHit
from maild.rules import Context, rule
from maild.rules._text import quote, signal, view


@rule("urgency-words")
def urgency_words(msg: ParsedMessage, ctx: Context) -> RuleHit | None:
    if said := signal(view(msg, ctx), ctx, "urgency"):
        return RuleHit(
            "urgency-words", "priority+1 max P2", f"the customer asks for speed: {quote(said)}"
        )
    return None
