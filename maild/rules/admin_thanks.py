"""admin-thanks: a thank-you, a compliment, or an administrative request — billing address,
invoice, contract, a new contact person, unsubscribe — with nothing broken asks no support
work: P4, category other (seed: P4 低; 其他). A question about such paperwork ("在哪里修改发票
抬头?") is a consultation, left to question-words."""

from __future__ import annotations

from maild.message import ParsedMessage, RuleHit
from maild.rules import Context, rule
from maild.rules._text import defect, fault, quote, signal, view


@rule("admin-thanks")
def admin_thanks(msg: ParsedMessage, ctx: Context) -> RuleHit | None:
    text = view(msg, ctx)
    said = signal(text, ctx, "thanks")
    if not said and not signal(text, ctx, "question"):
        said = signal(text, ctx, "admin")
    if not said or signal(text, ctx, "complaint"):
        return None
    if fault(text, ctx) or defect(text, ctx) or msg.error_codes or signal(text, ctx, "slow"):
        return None
    return RuleHit("admin-thanks", "priority=P4", f"no support work asked: {quote(said)}")
