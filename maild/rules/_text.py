"""What the rules read of a mail: the subject and the customer's new text, folded (NFKC,
lower case, straight apostrophes), with denied signals ("没有报错", "not urgent") blanked
out; and who is affected (all users, some, one person's own account). Pure helpers shared by
the rules; not a rule itself.

The rules of one mail ask the same questions of the same text (is something broken? who is
hit?); the answers are remembered for the few texts last asked about, per thread, so each is
worked out once per mail. Pure all the same: same text and context, same answer.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Callable
from typing import Any, TypeVar

from maild.message import ParsedMessage
from maild.rules import Context
from maild.rules.words import found, strip

_CN_NUM = {"一": 1, "两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_EN_NUM = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8}
_EN_NUM |= {"nine": 9, "ten": 10, "a few": 3, "several": 5, "a couple of": 2, "one": 1}
_PEOPLE_ZH = re.compile(
    r"(\d+|[一两二三四五六七八九十]+)\s*(?:多\s*)?[名个位]\s*[\u4e00-\u9fff]{0,4}?"
    r"(?:用户|员工|同事|人员|人|账号|会计|收银员|客服|老师|学生|司机|经理|调度员)"
)
_PEOPLE_EN = re.compile(
    r"(?<![a-z0-9])(\d+|two|three|four|five|six|seven|eight|nine|ten|a few|several|a couple of)"
    r"\s+(?:[a-z]+\s+)?(?:users|people|colleagues|employees|staff|accounts|agents|members"
    r"|accountants|cashiers|persons|reps|teachers|students|drivers|managers|operators"
    r"|nurses|clerks|planners)(?![a-z])"
)
BROAD_COUNT = 50  # this many named people is "most users" for a customer company


T = TypeVar("T")
_local = threading.local()
_KEEP = 16  # texts remembered at once (a mail makes a handful)


def _remembered(key: object, ctx: Context, question: object, work: Callable[[], T]) -> T:
    """The answer to `question` about `key` (compared by identity) under `ctx`."""
    store: dict[int, tuple[object, Context, dict[object, Any]]] = \
        _local.__dict__.setdefault("store", {})
    entry = store.get(id(key))
    if entry is None or entry[0] is not key or entry[1] is not ctx:
        if len(store) >= _KEEP:
            store.clear()
        entry = store[id(key)] = (key, ctx, {})
    answers = entry[2]
    if question not in answers:
        answers[question] = work()
    answer: T = answers[question]
    return answer


# what the rules read of the new text: what a support lead reads of it, and a bound on the
# work (the rules cost about a second of CPU per megabyte)
READ = 20_000


def raw(msg: ParsedMessage) -> str:
    text = unicodedata.normalize("NFKC", f"{msg.subject[:READ]}\n{msg.text[:READ]}").lower()
    return text.replace("\u2019", "'").replace("\u2018", "'")


def view(msg: ParsedMessage, ctx: Context) -> str:
    """Subject and new text, folded, with the customer's denials blanked out."""
    return _remembered(msg, ctx, "view",
                       lambda: strip(raw(msg), lists(ctx, "signal").get("negation", ())))


def lists(ctx: Context, section: str) -> dict[str, tuple[str, ...]]:
    return ctx.words.get(section, {})


def signal(text: str, ctx: Context, name: str) -> list[str]:
    return list(_remembered(text, ctx, name,
                            lambda: found(text, lists(ctx, "signal").get(name, ()))))


def failing(text: str, ctx: Context) -> list[str]:
    """Failure words, once question forms ("能不能", "can't find") are taken out."""
    return signal(_plain(text, ctx), ctx, "breakage")


def _plain(text: str, ctx: Context) -> str:
    """`text` without question forms that look like failures."""
    return _remembered(text, ctx, "plain",
                       lambda: strip(text, lists(ctx, "signal").get("neutral", ())))


def _count(word: str) -> int:
    if word.isdigit():
        return int(word)
    if word in _EN_NUM:
        return _EN_NUM[word]
    if word.startswith("十"):
        return 10 + _CN_NUM.get(word[1:], 0)
    if "十" in word:
        tens, _, ones = word.partition("十")
        return _CN_NUM.get(tens, 1) * 10 + _CN_NUM.get(ones, 0)
    return _CN_NUM.get(word, 0)


def scope(text: str, ctx: Context) -> tuple[str, str] | None:
    return _remembered(text, ctx, "scope", lambda: _scope(text, ctx))


def _scope(text: str, ctx: Context) -> tuple[str, str] | None:
    """Who is affected: ("broad" | "some" | "single", the words that say so), or None.

    "All users" is broad; a number of people says more than a vague "nobody": "12 managers
    ... nobody can approve" is some users. "Everyone else is fine" limits the scope: never
    broad, at most some."""
    words = lists(ctx, "scope")
    limited = found(text, words.get("others_fine", ()))
    if limited:
        text = strip(text, limited)
    if not limited and (hit := found(text, words.get("broad", ()))):
        return "broad", hit[0]
    counts = [
        (_count(m.group(1)), m.group(0))
        for m in (*_PEOPLE_ZH.finditer(text), *_PEOPLE_EN.finditer(text))
    ]
    counts = [(n, said) for n, said in counts if n >= 1]
    if counts:
        n, said = max(counts)
        if n >= BROAD_COUNT and not limited:
            return "broad", said
        return ("single" if n == 1 else "some"), said
    if not limited and (hit := found(text, words.get("none", ()))):
        return "broad", hit[0]
    if hit := found(text, words.get("single", ())):
        return "single", hit[0]
    if hit := found(text, words.get("some", ())):
        return "some", hit[0]
    if limited:
        return "some", limited[0]
    return None


def quote(words: list[str], n: int = 3) -> str:
    return ", ".join(repr(w) for w in words[:n])


def fault(text: str, ctx: Context) -> list[str]:
    """Failure words, unless the mail is a suggestion or about looks: "目前无法批量删除,
    希望增加" describes today's product, "按钮颜色不对" is cosmetic; neither is a fault."""
    if signal(text, ctx, "request") or signal(text, ctx, "cosmetic"):
        return []
    return failing(text, ctx)


def defect(text: str, ctx: Context) -> list[str]:
    """Words of something wrong that does not stop the work ("金额不对", "missing", "乱码"),
    with the same exceptions as `fault`."""
    if signal(text, ctx, "request") or signal(text, ctx, "cosmetic"):
        return []
    return signal(_plain(text, ctx), ctx, "defect")


def limited(who: tuple[str, str] | None) -> bool:
    """The customer says only some users, or one, are hit."""
    return who is not None and who[0] != "broad"
