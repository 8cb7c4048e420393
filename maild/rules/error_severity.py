"""error-severity: a server error (HTTP 5xx) on a core path — log in, payment, checkout,
submit — means the core business is down: P1 (P2 when only some users get it). A server
error elsewhere is P2."""

from __future__ import annotations

import re

from maild.message import ParsedMessage, RuleHit
from maild.rules import Context, rule
from maild.rules._text import quote, scope, signal, view

_SERVER = re.compile(r"HTTP 5\d\d")


@rule("error-severity")
def error_severity(msg: ParsedMessage, ctx: Context) -> RuleHit | None:
    codes = [c for c in msg.error_codes if _SERVER.fullmatch(c)]
    if not codes:
        return None
    text = view(msg, ctx)
    path = signal(text, ctx, "core_path")
    who = scope(text, ctx)
    if path and not (who and who[0] != "broad"):
        return RuleHit(
            "error-severity",
            "priority=P1",
            f"server error {codes[0]} on a core path: {quote(path)}",
        )
    where = f" for {who[1]!r} only" if path and who else ""
    return RuleHit("error-severity", "priority=P2", f"server error {codes[0]}{where}")
