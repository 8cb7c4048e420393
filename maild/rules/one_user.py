"""one-user: a fault that hits one person or one device — "只有我的电脑", "one workstation",
"nobody else is affected" with one user named — is one step less urgent, never below P3
(seed: P3 中: 个别用户, 有替代方案). Not when all users are hit."""

from __future__ import annotations

from maild.message import ParsedMessage, RuleHit
from maild.rules import Context, rule
from maild.rules._text import scope, view


@rule("one-user")
def one_user(msg: ParsedMessage, ctx: Context) -> RuleHit | None:
    who = scope(view(msg, ctx), ctx)
    if who is None or who[0] != "single":
        return None
    return RuleHit("one-user", "priority-1 min P3", f"one person or one device: {who[1]!r}")
