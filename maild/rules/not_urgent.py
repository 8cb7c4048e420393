"""not-urgent: the customer says it can wait ("不着急", "no rush"): one step less urgent,
never below P3. Read on the text before denials are blanked out: here they are the point."""

from __future__ import annotations

from maild.message import ParsedMessage, RuleHit
from maild.rules import Context, rule
from maild.rules._text import quote, raw, signal


@rule("not-urgent")
def not_urgent(msg: ParsedMessage, ctx: Context) -> RuleHit | None:
    if said := signal(raw(msg), ctx, "not_urgent"):
        return RuleHit("not-urgent", "priority-1 min P3", f"the customer can wait: {quote(said)}")
    return None
