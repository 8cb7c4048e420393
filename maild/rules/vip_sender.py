"""vip-sender: a VIP or paying customer (sender glob in `rules.vip_senders`) is raised one
priority step (seed: VIP customers are served first)."""

from __future__ import annotations

from fnmatch import fnmatchcase

from maild.message import ParsedMessage, RuleHit
from maild.rules import Context, rule


@rule("vip-sender")
def vip_sender(msg: ParsedMessage, ctx: Context) -> RuleHit | None:
    sender = msg.sender.address.lower()
    for pattern in ctx.rules.vip_senders:
        if fnmatchcase(sender, pattern.lower()):
            return RuleHit("vip-sender", "priority+1", f"VIP sender (matches {pattern})")
    return None
