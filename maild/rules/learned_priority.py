"""learned-priority: the priority the triage model (`rules.model`) reads in the mail, with the
terms that weighed most. When it runs it decides the level; only the steps of
`rules.after_model` (VIP sender, business peak) go on top."""

from __future__ import annotations

from maild.message import ParsedMessage, RuleHit
from maild.rules import Context, rule
from maild.rules._learned import judged


@rule("learned-priority")
def learned_priority(msg: ParsedMessage, ctx: Context) -> RuleHit | None:
    return judged(msg, ctx, "priority")
