"""Missing facts: which parts of the seeds' complete problem record a mail does not give yet,
so the acknowledgement asks for exactly those (seed: 问题发生时间、频率; 操作环境; 现象与错误提示;
影响范围; 客户已尝试的解决步骤).

Input: a ParsedMessage and its category (and priority). Output: `Missing` items with a
stable key — "error", "environment", "time", "impact", "tried" — and a polite question in
Chinese and English. A fact counts as given when the extractor found it (facts of kind
error_code, os, browser, app_version, device, impact, frequency, time, steps, tried) or when
the new text plainly talks about it. A consultation, or a suggestion (other at P4), asks
for nothing. Pure: no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from maild.message import ParsedMessage

KEYS = ("error", "environment", "time", "impact", "tried")
ALL = KEYS
# what each category needs; a category not listed needs everything
NEEDS: dict[str, tuple[str, ...]] = {
    "consultation": (),
    "permission": ("error", "impact"),
    "data": ("error", "time", "impact", "tried"),
}

QUESTIONS: dict[str, tuple[str, str]] = {
    "error": (
        "请提供完整的错误提示或错误码,最好附上截图。",
        "Could you send the exact error message or code? A screenshot helps.",
    ),
    "environment": (
        "请告诉我们您使用的操作系统、浏览器(或App)及其版本,以及产品版本。",
        "Which operating system, browser or app (with versions) and product version do you use?",
    ),
    "time": (
        "问题是从什么时候开始的?每次都出现,还是偶尔出现?",
        "When did this start, and does it happen every time or only sometimes?",
    ),
    "impact": (
        "有多少用户受到影响?对您的业务有什么影响?",
        "How many users are affected, and how does it affect your work?",
    ),
    "tried": (
        "您已经尝试过哪些操作(例如清除缓存、更换浏览器、重新登录)?",
        "What have you tried so far (for example clearing the cache, another browser, "
        "logging in again)?",
    ),
}

_FACT_KINDS: dict[str, frozenset[str]] = {
    "error": frozenset({"error_code", "error_message", "error"}),
    "environment": frozenset({"os", "browser", "app_version", "device", "environment"}),
    "time": frozenset({"time", "frequency", "started"}),
    "impact": frozenset({"impact", "scope", "users_affected"}),
    "tried": frozenset({"tried", "steps"}),
}


def _any(*words: str) -> re.Pattern[str]:
    return re.compile("|".join(words), re.IGNORECASE)


_SAYS: dict[str, re.Pattern[str]] = {
    "error": _any(
        r"(?:提示|报错|显示|弹出|弹窗|错误信息|错误提示|返回)\s*[:]?\s*[\"“”'‘「『]",
        r"(?:error|message|says|said|shows|showing|displays|returns|get|gets|got)\s*:?\s*[\"“'‘]",
        r"没有报错|没报错|无报错|没有任何提示|没有提示|没有错误|没反应|没有反应|无响应|白屏|空白",
        r"\bno error|\bwithout (?:any )?errors?\b|nothing happens|does nothing",
        r"blank (?:page|screen)",
        r"截图|screenshot|attached|错误码|错误代码|错误编号|error code|exception|stack ?trace",
    ),
    "environment": _any(
        r"\b(?:windows|win ?1[01]|win ?7|mac ?os|macos|os x|linux|ubuntu)\b",
        r"\b(?:ios|android|iphone|ipad)\b",
        r"\b(?:chrome|edge|firefox|safari|ie ?11|internet explorer|opera|wps|office)\b",
        r"浏览器|版本|客户端|手机|电脑|平板|小程序|微信|安卓|苹果|鸿蒙|服务器",
        r"\bversion\b|\bv\d+\.\d+|\b\d+\.\d+\.\d+\b|\b(?:app|mobile|desktop|laptop|server)\b",
    ),
    "time": _any(
        r"今天|昨天|前天|今早|上午|下午|早上|中午|晚上|凌晨|刚才|刚刚|最近|这两天|这几天|本周|上周|周[一二三四五六日]",
        r"星期|月\d+日|\d+月|\d+号|从.{0,10}开始|自从|以来|之后|每天|每次|偶尔|偶发|偶现|一直|总是|经常|频繁|有时",
        r"\b(?:today|yesterday|this morning|this afternoon|tonight|last night)\b",
        r"\b(?:since|ago|recently)\b",
        r"\b(?:every ?time|each time|always|sometimes|occasionally|intermittent\w*|daily|often)\b",
        r"\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|after the update)\b",
        r"\d{1,2}[:：]\d{2}|\d{4}-\d{1,2}-\d{1,2}|\d{1,2}\s*点",
    ),
    "impact": _any(
        r"所有|全部|全体|全员|全公司|部分|个别|大家|只有我|仅我|影响|业务|停工|无法工作|没法工作",
        r"\d+\s*(?:名|个|位|家)|[一两二三四五六七八九十几]\s*(?:名|个|位|家)\s*\S{0,4}(?:用户|同事|员工|门店|人)",
        r"\b(?:all|every|everyone|everybody|nobody|no one|some|several|only me|just me)\b",
        r"\b(?:users?|colleagues?|team|staff|employees|customers|blocked|affect\w*|impact\w*)\b",
    ),
    "tried": _any(
        r"已尝试|尝试|试过|试了|清除缓存|清理缓存|清缓存|重启|重新安装|重装|换了|更换|重新登录|刷新|"
        r"问题依旧|还是不行|依然|仍然|照样",
        r"\b(?:tried|trying|restart\w*|reboot\w*|reinstall\w*|cleared|clearing|cache|"
        r"another browser|different browser|still|same result|logged out|re-?login)\b",
    ),
}


@dataclass(frozen=True, slots=True)
class Missing:
    key: str
    zh: str
    en: str

    def question(self, language: str) -> str:
        return self.zh if language == "zh" else self.en


def given(msg: ParsedMessage, key: str) -> bool:
    """Whether the mail already gives the fact `key` (an extracted fact or plain words)."""
    if any(f.kind in _FACT_KINDS[key] for f in msg.facts):
        return True
    text = unicodedata.normalize("NFKC", f"{msg.subject}\n{msg.text}")
    return _SAYS[key].search(text) is not None


def missing(
    msg: ParsedMessage,
    category: str,
    priority: str = "",
    needs: Mapping[str, tuple[str, ...]] | None = None,
) -> tuple[Missing, ...]:
    """The facts still to ask for, in the stable order of KEYS."""
    if category == "other" and priority == "P4":
        return ()
    wanted = (needs if needs is not None else NEEDS).get(category, ALL)
    return tuple(
        Missing(key, *QUESTIONS[key]) for key in KEYS if key in wanted and not given(msg, key)
    )
