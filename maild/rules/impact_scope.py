"""impact-scope: how many users are hit (seed: 影响所有或多数用户 / 影响部分用户).

A failure for all or most users ("所有用户", "whole team", "200名员工") is P1, unless only a
non-core function fails (a report, an export: P2), or only values look wrong with nothing
stopped (P2), or things are only slow (P2). A failure, a wrong value or slowness that hits
some users only ("3名财务人员", "a few users") is P2. One person is left to one-user.
"""

from __future__ import annotations

from maild.message import ParsedMessage, RuleHit
from maild.rules import Context, rule
from maild.rules._text import defect, fault, quote, scope, signal, view


@rule("impact-scope")
def impact_scope(msg: ParsedMessage, ctx: Context) -> RuleHit | None:
    text = view(msg, ctx)
    who = scope(text, ctx)
    if who is None or who[0] == "single":
        return None
    kind, words = who
    broken = fault(text, ctx) or list(msg.error_codes)
    wrong = defect(text, ctx)
    slow = signal(text, ctx, "slow")
    if kind == "broad":
        if broken:
            if noncore := signal(text, ctx, "noncore"):
                return RuleHit(
                    "impact-scope",
                    "priority=P2",
                    f"{words!r} affected, but in a non-core function: {quote(noncore)}",
                )
            return RuleHit("impact-scope", "priority=P1", f"{words!r} affected: {quote(broken)}")
        if wrong:
            why = f"wrong for {words!r}, nothing stopped: {quote(wrong)}"
            return RuleHit("impact-scope", "priority=P2", why)
        if slow:
            return RuleHit("impact-scope", "priority=P2", f"slow for {words!r}: {quote(slow)}")
        return None
    if broken or wrong or slow:
        return RuleHit("impact-scope", "priority=P2", f"only {words!r} affected")
    return None
