"""learned-category: the category the triage model (`rules.model`) reads in the mail, with the
terms that weighed most. When it runs its category stands over the word lists'."""

from __future__ import annotations

from maild.message import ParsedMessage, RuleHit
from maild.rules import Context, rule
from maild.rules._learned import judged


@rule("learned-category")
def learned_category(msg: ParsedMessage, ctx: Context) -> RuleHit | None:
    return judged(msg, ctx, "category")
