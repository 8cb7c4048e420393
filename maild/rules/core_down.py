"""core-down: a core function fails — log in, submit, place an order, pay (seed: 核心业务中断,
如系统无法登录、数据无法提交). P1 when all users, or no one says otherwise; P2 when the
customer says only some users or one person's own account are hit."""

from __future__ import annotations

from maild.message import ParsedMessage, RuleHit
from maild.rules import Context, rule
from maild.rules._text import quote, scope, signal, view


@rule("core-down")
def core_down(msg: ParsedMessage, ctx: Context) -> RuleHit | None:
    text = view(msg, ctx)
    core = signal(text, ctx, "core")
    if not core:
        return None
    who = scope(text, ctx)
    if who and who[0] != "broad":
        return RuleHit(
            "core-down",
            "priority=P2",
            f"core function failing ({quote(core)}) but only for {who[1]!r}",
        )
    if who is None and signal(text, ctx, "account"):
        return RuleHit(
            "core-down", "priority=P2", f"core function failing ({quote(core)}) for one account"
        )
    whom = f"affects {who[1]!r}" if who else "no sign that only some users are hit"
    return RuleHit("core-down", "priority=P1", f"core function down: {quote(core)}; {whom}")
