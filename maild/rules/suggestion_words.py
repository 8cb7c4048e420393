"""suggestion-words: suggestions, long-term requests, training or roadmap questions and
cosmetic wishes are P4 (seed: P4 低: 个性化需求或长期优化项; 界面优化). A real fault found by
another rule still wins; a complaint about our service is not a suggestion."""

from __future__ import annotations

from maild.message import ParsedMessage, RuleHit
from maild.rules import Context, rule
from maild.rules._text import quote, signal, view


@rule("suggestion-words")
def suggestion_words(msg: ParsedMessage, ctx: Context) -> RuleHit | None:
    text = view(msg, ctx)
    if signal(text, ctx, "complaint"):
        return None
    if wish := signal(text, ctx, "request"):
        return RuleHit("suggestion-words", "priority=P4", f"a suggestion or request: {quote(wish)}")
    if looks := signal(text, ctx, "cosmetic"):
        return RuleHit("suggestion-words", "priority=P4", f"cosmetic: {quote(looks)}")
    if later := signal(text, ctx, "plans"):
        return RuleHit("suggestion-words", "priority=P4", f"asked ahead of time: {quote(later)}")
    return None
