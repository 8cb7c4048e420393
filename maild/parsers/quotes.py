"""Split a reply into the new text, the quoted history and the signature.

Input: body text. Output: (new, quoted) — quoted holds the history and signature, kept, never
thrown away. Recognises the shapes of the clients customers use: Outlook header blocks in
English and Chinese, "-----Original Message-----", "-----原始邮件-----", QQ/Foxmail
separators, Gmail "On … wrote:" / "在 … 写道：", mutt/Thunderbird `>` quoting, "-- "
signatures and mobile footers ("Sent from my iPhone", "发自我的iPhone").
"""

from __future__ import annotations

import re

_SEPARATOR = re.compile(
    r"^\s*(-{2,}\s*(original message|原始邮件|原始郵件|forwarded message|转发邮件|轉寄郵件)\s*-{2,}"
    r"|-{5,}\s*(原始邮件|original)\b.*"
    r"|_{20,}"
    r"|-{3,}\s*(reply|回复)\s*above.*"
    r"|\*?(from|发件人|寄件者|發件人)\s*[:：].*\s*(sent|date|发送时间|日期|時間)\s*[:：].*)\s*$",
    re.IGNORECASE,
)
_WROTE = re.compile(
    r"^\s*(on\b.{3,200}\bwrote\s*:|.{0,200}(在|于|於).{3,200}(写道|寫道)\s*[:：]"
    r"|am\b.{3,200}schrieb.*:|le\b.{3,200}a écrit\s*:|.{3,200}<[^>]+@[^>]+>\s*wrote\s*:)\s*$",
    re.IGNORECASE,
)
_HEADER_LINE = re.compile(
    r"^\s*\*?(from|sent|date|to|cc|subject|发件人|发送时间|日期|收件人|抄送|主题|寄件者|寄件日期|"
    r"收件者|主旨|時間)\s*\*?\s*[:：]",
    re.IGNORECASE,
)
_FROM_LINE = re.compile(r"^\s*\*?(from|发件人|寄件者|發件人)\s*\*?\s*[:：]", re.IGNORECASE)
_SIGNATURE = re.compile(
    r"^\s*(--\s?|—{2}|sent from my \w+.*|发自我的\s*\w+.*|发自\s*\w*(邮箱|邮件|mail).*|"
    r"get outlook for \w+.*|sent from (mail|outlook|yahoo mail) for .*|"
    r"从我的\s*\w+\s*发送|来自\s*\w+\s*客户端)\s*$",
    re.IGNORECASE,
)


def split(text: str) -> tuple[str, str]:
    lines = text.split("\n")
    cut = _quote_start(lines)
    head, tail = lines[:cut], lines[cut:]
    sig = _signature_start(head)
    if sig is not None:
        tail = head[sig:] + tail
        head = head[:sig]
    new, quoted_inline = _drop_angle_quotes(head)
    quoted = "\n".join(quoted_inline + tail).strip("\n")
    new_text = "\n".join(new).strip()
    if not new_text and quoted and cut == 0:
        return text.strip(), ""  # nothing but a "quote": a forwarded mail is the content
    return new_text, quoted


def _quote_start(lines: list[str]) -> int:
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        if _SEPARATOR.match(line):
            return i
        if _WROTE.match(line):
            return i
        # "On Mon, 1 Jan 2026, Name <a@b>" + "wrote:" on the next line (Gmail wraps it)
        if (
            re.match(r"^\s*on\b", line, re.IGNORECASE)
            and i + 1 < len(lines)
            and re.match(r"^.{0,120}wrote\s*:\s*$", lines[i + 1], re.IGNORECASE)
        ):
            return i
        if _FROM_LINE.match(line) and _header_block(lines, i):
            return i
    return len(lines)


def _header_block(lines: list[str], i: int) -> bool:
    """An Outlook-style block: From: then at least two more header lines right below."""
    hits = 0
    for line in lines[i + 1 : i + 7]:
        if not line.strip():
            continue
        if _HEADER_LINE.match(line):
            hits += 1
        else:
            break
    return hits >= 2


def _signature_start(lines: list[str]) -> int | None:
    for i, line in enumerate(lines):
        if i > 0 and _SIGNATURE.match(line) and _nonblank(lines[:i]):
            return i
    return None


def _nonblank(lines: list[str]) -> bool:
    return any(line.strip() for line in lines)


def _drop_angle_quotes(lines: list[str]) -> tuple[list[str], list[str]]:
    quoted = [line for line in lines if line.lstrip().startswith(">")]
    if not quoted or len(quoted) == len([line for line in lines if line.strip()]):
        return lines, []
    return [line for line in lines if not line.lstrip().startswith(">")], quoted
