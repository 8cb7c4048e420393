"""impact-words: the business impact the customer describes sets the priority.

Core business down ("宕机", "核心业务中断", "outage") and a security or privacy breach
("越权", "data leak") are P1 whoever is affected. Users who see data their rights should
hide ("能看到其他区域的客户") are P2: the access rights are wrong but the business runs. A
broken function ("报错", "无法导出", "not working") is P2, and so is a wrong result ("金额不对",
"missing"): a function that gives wrong results is broken too, but even with everyone hit it
is not P1 unless the work stops (impact-scope, work-stopped). Words of a suggestion or a
cosmetic wish mean the failure words describe today's product, not a fault. Only the subject
and the new text count, never the quoted history; denied words ("没有报错") do not count.
"""

from __future__ import annotations

from maild.message import ParsedMessage, RuleHit
from maild.rules import Context, rule
from maild.rules._text import defect, fault, quote, signal, view


@rule("impact-words")
def impact_words(msg: ParsedMessage, ctx: Context) -> RuleHit | None:
    text = view(msg, ctx)
    if down := signal(text, ctx, "outage"):
        return RuleHit("impact-words", "priority=P1", f"core business down: {quote(down)}")
    if breach := signal(text, ctx, "breach"):
        return RuleHit("impact-words", "priority=P1", f"security or privacy: {quote(breach)}")
    if seen := signal(text, ctx, "exposed"):
        return RuleHit(
            "impact-words", "priority=P2", f"users see what they must not: {quote(seen)}"
        )
    if broken := fault(text, ctx):
        return RuleHit("impact-words", "priority=P2", f"a function is broken: {quote(broken)}")
    if wrong := defect(text, ctx):
        return RuleHit(
            "impact-words", "priority=P2", f"a function gives wrong results: {quote(wrong)}"
        )
    return None
