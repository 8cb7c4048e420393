"""work-stopped: the customer says their work has stopped because of the fault — the warehouse
cannot ship, the stores cannot sell, "财务部全部没法工作" (seed: 核心业务中断). That is P1
whatever function fails, unless the customer says only some users are hit (then P2).

Needs a fault, a wrong value, an error code or slowness too: "会不会影响出库" asked before a
change stops nothing."""

from __future__ import annotations

from maild.message import ParsedMessage, RuleHit
from maild.rules import Context, rule
from maild.rules._text import defect, fault, limited, quote, scope, signal, view
from maild.rules.words import strip


@rule("work-stopped")
def work_stopped(msg: ParsedMessage, ctx: Context) -> RuleHit | None:
    text = view(msg, ctx)
    stopped = signal(text, ctx, "halted")
    if not stopped:
        return None
    rest = strip(text, stopped)  # "cannot ship" is the halt, not also its cause
    cause = (
        fault(rest, ctx)
        or defect(rest, ctx)
        or list(msg.error_codes)
        or signal(rest, ctx, "slow")
        or signal(rest, ctx, "outage")
    )
    if not cause:
        return None
    who = scope(text, ctx)
    if limited(who):
        assert who is not None
        return RuleHit(
            "work-stopped", "priority=P2", f"work stopped ({quote(stopped)}) for {who[1]!r} only"
        )
    return RuleHit("work-stopped", "priority=P1", f"work has stopped: {quote(stopped)}")
