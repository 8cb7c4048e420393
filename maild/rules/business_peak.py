"""business-peak: a mail that arrives in one of the customer's business-peak windows
(month-end closing, a sales festival; `Context.peaks`) is raised one step (seed: 业务高峰期
综合判断)."""

from __future__ import annotations

from maild.message import ParsedMessage, RuleHit
from maild.peaks import active
from maild.rules import Context, rule


@rule("business-peak")
def business_peak(msg: ParsedMessage, ctx: Context) -> RuleHit | None:
    peak = active(ctx.peaks, ctx.now, ctx.timezone)
    if peak is None:
        return None
    return RuleHit("business-peak", "priority+1", f"arrived in a business peak ({peak.text})")
