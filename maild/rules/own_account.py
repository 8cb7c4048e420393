"""own-account: one person's own account — a forgotten password, a locked account, a new
colleague without the right permission — is a quick fix for one user: one step less urgent,
never below P3. Not when all users are locked out."""

from __future__ import annotations

from maild.message import ParsedMessage, RuleHit
from maild.rules import Context, rule
from maild.rules._text import lists, quote, scope, signal, view
from maild.rules.words import found


@rule("own-account")
def own_account(msg: ParsedMessage, ctx: Context) -> RuleHit | None:
    text = view(msg, ctx)
    who = scope(text, ctx)
    if who and who[0] == "broad":
        return None
    if account := signal(text, ctx, "account"):
        return RuleHit(
            "own-account", "priority-1 min P3", f"one person's account: {quote(account)}"
        )
    if who and who[0] == "single":
        if rights := found(text, lists(ctx, "category").get("permission", ())):
            return RuleHit(
                "own-account",
                "priority-1 min P3",
                f"one person's permission ({who[1]!r}): {quote(rights)}",
            )
    return None
