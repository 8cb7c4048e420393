"""What happened around the fault: impact, frequency, time, steps, what was tried, phone.

Place: fact extraction (extract.py calls `facts` per text). Input: the lines of one text.
Output: (kind, value, line number) with kinds impact ("3名财务人员", "all users"), frequency
("每天上午9点必现", "intermittently"), time ("今天上午9点", "since 8:50"), steps (the steps to
reproduce, joined), tried (what the customer already did) and phone (contact numbers).
Values are the customer's own words, trimmed; nothing is invented. Pure.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

_NUM = r"(?:\d+|[一二两兩三四五六七八九十几幾数數百千]+)"
_WHO = r"用户|用戶|人员|人員|同事|员工|員工|客户|客戶|门店|門店|门市|門市|部门|部門|分店|人"
_IMPACT = re.compile(
    rf"((?:全部|所有|全体|全體|整个|整個|全公司|全部门|多个|多個|部分|大部分|少数|个别|個別|仅|僅|只有)"
    rf"(?:的)?(?:{_NUM}\s*[名个位])?[\u4e00-\u9fff]{{0,6}}(?:{_WHO})"
    rf"|{_NUM}\s*(?:名|个|個|位|家|台)[\u4e00-\u9fff]{{0,6}}(?:{_WHO}|账号|帳號|电脑|電腦)"
    rf"|全公司|全部门|所有人|整个(?:团队|部门|公司)"
    r"|\b(?:all|every|most|many|several|some|only\s+(?:one|a\s+few|some)|a\s+few|about\s+\d+|"
    r"(?<![\d:.,])(?<!windows )(?<!win)(?<!ios )(?<!android )\d+)"
    r"\s+(?:of\s+(?:our|the)\s+)?(?:\w+\s+)?(?:users?|customers?|employees?|colleagues?|people|"
    r"staff|accounts?|stores?|agents?|clients?|sites?|machines?|pcs?|devices?|offices?)\b"
    r"|\b(?:the\s+)?(?:whole|entire)\s+(?:team|company|department|office|organi[sz]ation)\b"
    r"|\b(?:nobody|no\s*one|everyone|everybody)\b(?=.{0,40}\b(?:can|could|is|are|has|have|gets?)\b)"
    r"|\bonly\s+(?:me|my\s+account|one\s+user)\b)",
    re.IGNORECASE | re.ASCII,
)
_FREQUENCY = re.compile(
    r"((?:每天|每日|每周|每次|每当|每隔[\d一二三四五六七八九十]+\s*\S{1,3})[^，,。.;；!！]{0,14}?"
    r"(?:必现|出现|发生|报错|都会|复现|失败|卡|这样|如此)"
    r"|必现|偶现|偶尔|偶发|间歇性|时好时坏|频繁|经常|总是|一直(?:都)?(?:这样|报错|失败|出现)|"
    r"持续(?:出现|报错|失败)?|反复|随机(?:出现)?|百分之百|100%\s*(?:复现|reproducible)|稳定复现|"
    r"\b(?:intermittent(?:ly)?|sporadic(?:ally)?|occasionally|sometimes|randomly|"
    r"every\s+(?:time|day|morning|night|hour|\d+\s+minutes|other\s+day)|each\s+time|always|"
    r"constantly|consistently|(?:several|many|a\s+few)\s+times\s+(?:a|per)\s+(?:day|week|hour)|"
    r"(?:once|twice)\s+(?:a|per)\s+(?:day|week|hour)|100%\s+of\s+the\s+time|reproducible|"
    r"on\s+and\s+off|from\s+time\s+to\s+time)\b)",
    re.IGNORECASE | re.ASCII,
)
_TIME = re.compile(
    r"((?:从|自|自从|于)?(?:(?:20\d\d|19\d\d)\s*[年/-]\s*)?\d{1,2}\s*[月/-]\s*\d{1,2}\s*[日号]?"
    r"(?:\s*(?:上午|下午|晚上|凌晨|中午)?\s*\d{1,2}\s*[:：点]\s*\d{0,2}\s*分?)?"
    r"(?:\s*(?:左右|前后))?(?:\s*(?:开始|起|以来))?"
    r"|(?:从|自|從)?(?:今天|昨天|前天|今早|今晚|昨晚|本周[一二三四五六日]?|上周[一二三四五六日]?|"
    r"周[一二三四五六日]|星期[一二三四五六日天])(?:上午|下午|晚上|早上|凌晨|中午)?"
    r"(?:\s*(?:\d{1,2}|[一二两兩三四五六七八九十]{1,3})\s*[:：点點]\s*\d{0,2}\s*分?)?"
    r"(?:\s*(?:左右|前后|前後))?(?:\s*(?:开始|開始|起|以来|以來))?"
    r"|(?:从|自)?(?:上午|下午|晚上|早上|凌晨)\s*\d{1,2}\s*[:：点]\s*\d{0,2}\s*分?(?:左右)?"
    r"(?:\s*(?:开始|起))?"
    r"|\bsince\s+(?:(?:about|around)\s+)?(?:\d{1,2}[:.]\d{2}\s*(?:am|pm)?|\d{1,2}\s*(?:am|pm)|"
    r"yesterday|this\s+morning|last\s+\w+|monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    r"(?:the\s+)?(?:update|upgrade|release|deployment|\d{4}-\d\d-\d\d))\b"
    r"|\b(?:this|yesterday)\s+(?:morning|afternoon|evening)(?:\s+(?:at|around)\s+\d{1,2}(?:[:.]\d\d)?"
    r"\s*(?:am|pm)?)?"
    r"|\b(?:today|yesterday)\s+(?:at|around)\s+\d{1,2}(?:[:.]\d\d)?\s*(?:am|pm)?"
    r"|\b(?:at|around)\s+\d{1,2}[:.]\d{2}\s*(?:am|pm)?(?:\s*(?:UTC|GMT|CET|CST|[A-Z]{3}))?"
    r"|\b20\d\d-\d\d-\d\d[ T]\d{1,2}:\d\d(?::\d\d)?)",
    re.IGNORECASE | re.ASCII,
)
_TIME_CONTEXT = re.compile(
    r"开始|開始|起|以来|以來|出现|出現|发生|發生|报错|報錯|失败|失敗|无法|無法|不能|之后|以后|後|后|时|時|since|started|began|happened|occurred|"
    r"fail|error|broke|stopped|down|cannot|can't|could not|couldn't|at|around|when",
    re.IGNORECASE | re.ASCII,
)
_QUOTE_HEADER = re.compile(
    r"^\s*[>*]*\s*(?:date|sent|发送时间|發送時間|寄件日期|送信日時|gesendet)\s*\*?\s*[:：]"
    r"|(?:wrote|写道|寫道)\s*[:：]\s*$",
    re.IGNORECASE,
)
_STEPS_LABEL = re.compile(
    r"^\s*(?:复现步骤|重现步骤|操作步骤|复现方法|重现方法|复现路径|操作路径|steps?\s+to\s+reproduce|"
    r"reproduction\s+steps|repro(?:duction)?\s+steps|how\s+to\s+reproduce|steps)\s*[:：]?\s*(.*)$",
    re.IGNORECASE | re.ASCII,
)
_STEP_LINE = re.compile(
    r"^\s*(?:\d{1,2}\s*[.)、．:：]|[(（]\d{1,2}[)）]|[-*•]\s|第[一二三四五六七八九十\d]+步)"
)
_TRIED = re.compile(
    r"((?:客户|客戶)?(?:已经|已經|已|也|都)?(?:尝试|嘗試|试过|試過|试了|試了|试着|尝试了)(?:过|了)?(?:的)?(?:操作|方法|步骤)?[:：]?\s*"
    r"[^。.!！?？]{2,120}"
    r"|(?:已经|已經|已)(?:清除|清理|重启|重啟|重新启动|重新啟動|重装|重裝|更换|更換|换了|換了|升级|升級|"
    r"卸载|卸載|重新安装|重新安裝|重置|刷新)[^。.!！?？]{1,120}"
    r"|\b(?:i|we|they|he|she|the\s+user|the\s+customer)\s+(?:have\s+|has\s+|had\s+)?(?:already\s+)?"
    r"(?:tried|attempted|cleared|restarted|rebooted|reinstalled|re-installed|updated|upgraded|"
    r"reset|switched|rolled\s+back|disabled|checked)\b[^.!?\n]{2,160}"
    r"|\b(?:already\s+tried|tried\s+(?:to|restarting|clearing|reinstalling|another|a\s+different|"
    r"with|using|on))\b[^.!?\n]{2,160}"
    r"|\bwhat\s+(?:i|we)(?:'ve|\s+have)\s+tried\s*:?[^.!?\n]{0,160})",
    re.IGNORECASE | re.ASCII,
)
_PHONE = re.compile(
    r"(?<![\d\w])(\+?86[- ]?1[3-9]\d[- ]?\d{4}[- ]?\d{4}|1[3-9]\d[- ]?\d{4}[- ]?\d{4}"
    r"|(?:\(0\d{2,3}\)|0\d{2,3})[- ]?\d{7,8}(?:-\d{1,5})?|400[- ]?\d{3}[- ]?\d{4})(?![\d])"
)
_PHONE_LABELLED = re.compile(
    r"(?:电话|手机|联系方式|联系电话|座机|tel|phone|mobile|cell|fax|call\s+me\s+(?:at|on))"
    r"\.?\s*(?:no\.?|number|号码)?\s*[:：]?\s*(\+?\d[\d\s().-]{6,20}\d)",
    re.IGNORECASE | re.ASCII,
)
_PHONE_CONTEXT_NOT = re.compile(
    r"(订单|单号|order|invoice|tracking|编号|account|ticket)[\s\w#:：]{0,8}$", re.I | re.A
)


def facts(lines: list[str]) -> Iterator[tuple[str, str, int]]:
    i = 0
    while i < len(lines):
        line = lines[i]
        lineno = i + 1
        i += 1
        if not line.strip() or len(line) > 2000:
            continue
        if _QUOTE_HEADER.search(line):
            continue  # "Date: …" of a forwarded mail, "On … wrote:": not the customer's words
        if m := _STEPS_LABEL.match(line):
            steps, used = _steps(m.group(1), lines[i : i + 12])
            if steps:
                yield "steps", steps, lineno
                i += used
                continue
        if m := _IMPACT.search(line):
            yield "impact", _trim(m.group(1)), lineno
        if m := _FREQUENCY.search(line):
            yield "frequency", _trim(m.group(1)), lineno
        for m in _TIME.finditer(line):
            window = line[max(0, m.start() - 12) : m.end() + 16]
            if _TIME_CONTEXT.search(window):
                yield "time", _trim(m.group(1)), lineno
                break
        if m := _TRIED.search(line):
            yield "tried", _trim(m.group(1)), lineno
        yield from ((k, v, lineno) for k, v in phones(line))


def phones(line: str) -> Iterator[tuple[str, str]]:
    seen: set[str] = set()
    for m in _PHONE_LABELLED.finditer(line):
        number = _trim(m.group(1))
        if sum(c.isdigit() for c in number) >= 7:
            seen.add(re.sub(r"\D", "", number))
            yield "phone", number
    for m in _PHONE.finditer(line):
        if _PHONE_CONTEXT_NOT.search(line[max(0, m.start() - 20) : m.start()]):
            continue
        if re.sub(r"\D", "", m.group(1)) not in seen:
            seen.add(re.sub(r"\D", "", m.group(1)))
            yield "phone", m.group(1)


def _steps(inline: str, following: list[str]) -> tuple[str, int]:
    """The steps after a label: on the label line itself, or numbered lines below it."""
    parts = [inline.strip()] if inline.strip() else []
    used = 0
    for line in following:
        if not line.strip():
            if parts and used:
                break
            used += 1
            continue
        if _STEP_LINE.match(line) or (not parts and used == 0):
            parts.append(line.strip())
            used += 1
        else:
            break
    return _trim("; ".join(parts), 500), used


def _trim(value: str, limit: int = 160) -> str:
    value = re.sub(r"\s+", " ", value).strip(" ,，;；:：")
    return value if len(value) <= limit else value[: limit - 1] + "…"
