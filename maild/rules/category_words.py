"""category-words: the category (seed: 配置类 / 功能类 / 环境类 / 数据类 / 权限 / 性能 / 咨询 /
其他) from the words of the subject and new text, and the facts.

A complaint about our service is "other" (said in the subject when something is broken too:
"投诉很多" in a fault report is the customer's customers complaining). With nothing broken,
wrong or slow: thanks and paperwork are "other", a cosmetic fault functional, a request to
change one of the customer's settings configuration, a suggestion "other", training and
roadmap questions a consultation, any other question a consultation (a question about
paperwork or access rights too: "how do I add a user?"), an access request permission.

Otherwise the category with the highest score wins — a word in the subject counts three
times, the subject says what the mail is about; a fault that follows a change the customer
made on their side ("we rotated the credentials") leans to configuration, an exception in
the mail to functional; ties go in the order below. With no category words a failure or an
error code is functional, wrong values or records data, slowness performance.
"""

from __future__ import annotations

import re
import unicodedata

from maild.message import ParsedMessage, RuleHit
from maild.rules import Context, rule
from maild.rules._text import defect, fault, lists, quote, signal, view
from maild.rules.words import found, strip

ORDER = ("permission", "performance", "environment", "data", "configuration", "functional")
SUBJECT_WEIGHT = 2  # extra counts for a word that is also in the subject
LEAN = 2  # what the customer changed, or a stack trace, says more than one more word
_EXCEPTION = re.compile(r"(?:Exception|Error)$")


def _hit(category: str, why: str) -> RuleHit:
    return RuleHit("category-words", f"category={category}", why)


def _quiet(msg: ParsedMessage, ctx: Context, text: str) -> RuleHit | None:
    """The category of a mail in which nothing is broken, wrong or slow, if it says one."""
    asked = signal(text, ctx, "question")
    kinds = [("thanks", "other", "thanks, nothing broken")]
    if not asked:
        kinds.append(("admin", "other", "paperwork, nothing broken"))
    kinds += [
        ("cosmetic", "functional", "a cosmetic fault"),
        ("change", "configuration", "a change to the customer's own settings"),
        ("request", "other", "a suggestion, nothing broken"),
        ("plans", "consultation", "asked ahead of time, nothing broken"),
    ]
    for name, category, why in kinds:
        if said := signal(text, ctx, name):
            return _hit(category, f"{why}: {quote(said)}")
    if asked:
        return _hit("consultation", f"a question, nothing broken: {quote(asked)}")
    if rights := found(text, lists(ctx, "category").get("permission", ())):
        return _hit("permission", f"an access request: {quote(rights)}")
    return None


@rule("category-words")
def category_words(msg: ParsedMessage, ctx: Context) -> RuleHit | None:
    text = view(msg, ctx)
    subject = unicodedata.normalize("NFKC", msg.subject).lower()
    subject = strip(subject, lists(ctx, "signal").get("negation", ()))
    broken = (
        fault(text, ctx)
        or defect(text, ctx)
        or signal(text, ctx, "outage")
        or signal(text, ctx, "core")
    )
    codes = msg.error_codes
    slow = signal(text, ctx, "slow")
    if said := signal(subject if broken else text, ctx, "complaint"):
        return _hit("other", f"a complaint about our service: {quote(said)}")
    if not broken and not codes and not slow and (quiet := _quiet(msg, ctx, text)):
        return quiet
    words = lists(ctx, "category")
    lean = ""
    if signal(text, ctx, "own_change"):
        lean = "configuration"
    elif any(_EXCEPTION.search(c) for c in codes):
        lean = "functional"
    scored = []
    for name in ORDER:
        if hits := found(text, words.get(name, ())):
            score = len(hits) + SUBJECT_WEIGHT * len(found(subject, words.get(name, ())))
            score += LEAN * (name == lean)
            scored.append((score, -ORDER.index(name), name, hits))
    if scored:
        score, _, name, hits = max(scored)
        return _hit(name, f"{name} words: {quote(hits)}")
    if codes:
        return _hit("functional", f"error code {codes[0]} and no other clue")
    if fault(text, ctx) or signal(text, ctx, "outage") or signal(text, ctx, "core"):
        return _hit("functional", f"something fails: {quote(broken)}")
    if broken:
        return _hit("data", f"values or records are wrong: {quote(broken)}")
    if slow:
        return _hit("performance", f"slow: {quote(slow)}")
    if asked := signal(text, ctx, "question"):
        return _hit("consultation", f"a question: {quote(asked)}")
    return None
