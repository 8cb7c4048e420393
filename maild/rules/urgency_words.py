"""urgency-words: the customer's own "紧急", "URGENT", "ASAP" is a weak signal: it lifts a
fault one step, never above P2 (impact decides P1, not tone). It lifts nothing that is not
a fault — a question, a suggestion, a cosmetic wish — nor one person's own problem: those
are urgent to the writer, not to the business. "不紧急" and "not urgent" are denials."""

from __future__ import annotations

from maild.message import ParsedMessage, RuleHit
from maild.rules import Context, rule
from maild.rules._text import defect, fault, quote, scope, signal, view


@rule("urgency-words")
def urgency_words(msg: ParsedMessage, ctx: Context) -> RuleHit | None:
    text = view(msg, ctx)
    said = signal(text, ctx, "urgency")
    if not said:
        return None
    if not (fault(text, ctx) or defect(text, ctx) or msg.error_codes or signal(text, ctx, "slow")):
        return None
    who = scope(text, ctx)
    if (who and who[0] == "single") or signal(text, ctx, "account"):
        return None
    return RuleHit(
        "urgency-words", "priority+1 max P2", f"the customer asks for speed: {quote(said)}"
    )
