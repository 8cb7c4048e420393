"""category-words: the category (seed: 配置类 / 功能类 / 环境类 / 数据类 / 权限 / 性能 / 咨询 /
其他) from the words of the subject and new text, and the facts.

A question with nothing broken is a consultation; a suggestion with nothing broken is
"other". Otherwise the category whose words occur most wins, ties in the order below; with
no such words a failure, an error code or a cosmetic fault is functional.
"""

from __future__ import annotations

from maild.message import ParsedMessage, RuleHit
from maild.rules import Context, rule
from maild.rules._text import fault, lists, quote, signal, view
from maild.rules.words import found

ORDER = ("permission", "performance", "environment", "data", "configuration", "functional")


def _hit(category: str, why: str) -> RuleHit:
    return RuleHit("category-words", f"category={category}", why)


@rule("category-words")
def category_words(msg: ParsedMessage, ctx: Context) -> RuleHit | None:
    text = view(msg, ctx)
    broken = fault(text, ctx) or signal(text, ctx, "outage") or signal(text, ctx, "core")
    codes = msg.error_codes
    slow = signal(text, ctx, "slow")
    if not broken and not codes and not slow:
        if wish := signal(text, ctx, "request"):
            return _hit("other", f"a suggestion, nothing broken: {quote(wish)}")
        if looks := signal(text, ctx, "cosmetic"):
            return _hit("functional", f"a cosmetic fault: {quote(looks)}")
        if asked := signal(text, ctx, "question"):
            return _hit("consultation", f"a question, nothing broken: {quote(asked)}")
    words = lists(ctx, "category")
    scored = [
        (len(hits), -ORDER.index(name), name, hits)
        for name in ORDER
        if (hits := found(text, words.get(name, ())))
    ]
    if scored:
        _, _, name, hits = max(scored)
        return _hit(name, f"{name} words: {quote(hits)}")
    if codes:
        return _hit("functional", f"error code {codes[0]} and no other clue")
    if broken:
        return _hit("functional", f"something fails: {quote(broken)}")
    if asked := signal(text, ctx, "question"):
        return _hit("consultation", f"a question: {quote(asked)}")
    return None
