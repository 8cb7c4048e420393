"""question-words: a question about using or setting up the product, with nothing broken, is
a consultation at P3 (seed: P3 中: 操作疑问; 一般: 咨询类)."""

from __future__ import annotations

from maild.message import ParsedMessage, RuleHit
from maild.rules import Context, rule
from maild.rules._text import fault, quote, signal, view


@rule("question-words")
def question_words(msg: ParsedMessage, ctx: Context) -> RuleHit | None:
    text = view(msg, ctx)
    asked = signal(text, ctx, "question")
    if not asked or msg.error_codes or fault(text, ctx):
        return None
    if signal(text, ctx, "request") or signal(text, ctx, "cosmetic"):
        return None
    return RuleHit("question-words", "priority=P3", f"a question, nothing broken: {quote(asked)}")
