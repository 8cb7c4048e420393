"""workaround: a fault with a workaround, or a minor or occasional one, is one step less
urgent, never below P3 (seed: 中: 影响非核心功能或有替代方案). Not when a group of users
is hit: a whole team typing by hand is still a fault that costs the business."""

from __future__ import annotations

from maild.message import ParsedMessage, RuleHit
from maild.rules import Context, rule
from maild.rules._text import quote, scope, signal, view


@rule("workaround")
def workaround(msg: ParsedMessage, ctx: Context) -> RuleHit | None:
    text = view(msg, ctx)
    who = scope(text, ctx)
    if who and who[0] != "single":
        return None
    if found := signal(text, ctx, "workaround"):
        return RuleHit("workaround", "priority-1 min P3", f"workaround or minor: {quote(found)}")
    return None
