"""error-code: a concrete error code or exception means something is broken: at least P2,
functional unless another rule knows the category better."""

from __future__ import annotations

from maild.message import ParsedMessage, RuleHit
from maild.rules import Context, rule


@rule("error-code")
def error_code(msg: ParsedMessage, ctx: Context) -> RuleHit | None:
    codes = msg.error_codes
    if not codes:
        return None
    return RuleHit("error-code", "priority=P2", f"error code reported: {', '.join(codes[:3])}")
