"""workaround: a fault with a workaround, or a minor or occasional one, is one step less
urgent, never below P3 (seed: 中: 影响非核心功能或有替代方案)."""

from __future__ import annotations

from maild.message import ParsedMessage, RuleHit
from maild.rules import Context, rule
from maild.rules._text import quote, signal, view


@rule("workaround")
def workaround(msg: ParsedMessage, ctx: Context) -> RuleHit | None:
    if found := signal(view(msg, ctx), ctx, "workaround"):
        return RuleHit("workaround", "priority-1 min P3", f"workaround or minor: {quote(found)}")
    return None
