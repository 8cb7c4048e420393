"""Split a mail body into the new text, the quoted history (signature included) and forwards.

Place: parse stage, after the body is text. Input: body text (HTML already turned to text,
reply containers marked with a CUT line) and whether the subject says "forwarded". Output:
`Split` — the new text, the quoted part, kept whole (history and signature are never thrown
away) and whether the quoted part is a forwarded mail rather than history.

The history starts at the first of: a CUT line; a separator ("-----Original Message-----",
"-----原始邮件-----", QQ/Foxmail "------------------ 原始邮件 ------------------", NetEase
"---- 回复的原邮件 ----", "Begin forwarded message:"); an Outlook-style header block in any
client language ("From:/Sent:/To:/Subject:", "发件人:/发送时间:/收件人:/主题:"); an
attribution ("On … wrote:", also wrapped over lines, "在 … 写道：", "Am … schrieb …:") that
opens a quote running to the end; or a trailing block of `>` lines. Quotes with new text
after them (inline answers) stay in the new text, as reply parsers conventionally keep them.
A signature ("-- ", "Sent from my iPhone", "发自我的iPhone", …) moves to the quoted part.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from maild.parsers.html import CUT

MAX_LINES = 20_000
_INVISIBLE = re.compile(r"[\u200b-\u200f\u2060\ufeff\u00ad]")
_FORWARD = re.compile(
    r"forwarded message|begin forwarded message|转发邮件|轉寄郵件|转发的(原)?邮件|轉寄的郵件|"
    r"weitergeleitete nachricht|message transféré|mensaje reenviado|转发信息",
    re.IGNORECASE,
)
_SEPARATOR = re.compile(
    r"^[-=_*\s]*(original message|原始邮件|原始郵件|原邮件|原郵件|原始信息|回复的原邮件|"
    r"转发的原邮件|replied message|original|forwarded message|转发邮件信息|转发邮件|轉寄郵件|"
    r"message d'origine|ursprüngliche nachricht|weitergeleitete nachricht|mensaje original|"
    r"message transféré|исходное сообщение)[-=_*\s]*$"
    r"|^\s*begin forwarded message\s*:?\s*$"
    r"|^[-#=\s]*(please\s+)?(type|write|reply|respond)\s+(your\s+reply\s+)?above\s+this\s+line[-#=\s]*$"
    r"|^[-#=\s]*请在此行(之上|以上)回复.*$"
    r"|^\s*-{2,}\s*on\b.{3,200}\bwrote\s*-{2,}\s*$"
    r"|^\s*-{2,}\s*(forwarded|original) message\b.*$",
    re.IGNORECASE,
)
_HEADER_NAMES = (
    r"from|sent|date|to|cc|bcc|subject|reply-to|发件人|發件人|发送时间|發送時間|日期|时间|時間|收件人|"
    r"抄送|主题|主題|寄件者|寄件日期|收件者|副本|主旨|差出人|送信日時|宛先|件名|von|gesendet|an|"
    r"betreff|de|envoyé|à|objet|para|enviado(?: el)?|asunto|от|отправлено|кому|тема"
)
_HEADER_LINE = re.compile(rf"^[*\s]*(?:{_HEADER_NAMES})[*\s]*[:：]", re.IGNORECASE)
_FROM_LINE = re.compile(
    r"^[*\s]*(?:from|发件人|發件人|寄件者|差出人|von|de|от)[*\s]*[:：]", re.IGNORECASE
)
_FLAT_HEADERS = re.compile(
    r"^[*\s]*(from|发件人|寄件者)\s*[:：].{1,300}?(sent|date|发送时间|寄件日期|日期)\s*[:：].{1,200}?"
    r"(to|收件人|收件者|subject|主题|主旨)\s*[:：]",
    re.IGNORECASE,
)
_WROTE_END = re.compile(
    r"(\bwrote|\bwrites|写道|寫道|schrieb|a écrit|escribió|ha escrito|ha scritto|schreef|"
    r"geschreven|skrev|pisze|napisał[a]?|napsal[a]?|escreveu|написал[аи]?|kirjoitti|yazdı)\s*[^\w\s]{0,3}\s*[:：]\s*$",
    re.IGNORECASE,
)
_WROTE_START = re.compile(
    r"^\s*((on|le|am|el|il|op|den|w dniu|em|в)\b|在|于|於|\d{4}[-/年.]"
    r"|\d{1,2}[-/.]\d{1,2}[-/.]\d{2})",
    re.IGNORECASE,
)
_QUOTING = re.compile(r"^\s*(quoting|zitat von|citando)\b.{1,200}:\s*$", re.IGNORECASE)
_RULE = re.compile(r"^[-_=*~]{3,}$")
_FOOTER_RULE = re.compile(r"^(_{30,}|-{30,}|={30,})$")
_SIGNATURE = re.compile(r"^(--|-- |__|—{2})$")
_MOBILE = re.compile(
    r"^\s*(sent from my \S[^,;]{0,40}|sent from (mail|outlook|yahoo mail|my mobile)\b.{0,40}|"
    r"get outlook for \w+.{0,20}|sent (from|with) (proton ?mail|fastmail|samsung).{0,40}|"
    r"sent via .{1,40}|envoyé de mon .{1,30}|von meinem .{1,30} gesendet|enviado desde mi .{1,30}|"
    r"发自我的\s*\S.{0,20}|发自\s*\S{0,10}(邮箱|邮件|mail|Mail|客户端).{0,20}|從我的\s*\S.{0,20}傳送|"
    r"从我的\s*\S.{0,20}发送|来自\s*\S{0,12}(邮箱|客户端|手机|mail|Mail).{0,10}|"
    r"iPhoneから送信|发自网易邮箱.{0,10}|发自\s*WPS.{0,10})\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Split:
    new: str
    quoted: str
    forward: bool = False


def split(text: str, forwarded_subject: bool = False) -> Split:
    lines = text.split("\n")
    if len(lines) > MAX_LINES:  # a huge body: look for the history in its head only
        first = split("\n".join(lines[:MAX_LINES]), forwarded_subject)
        rest = "\n".join(lines[MAX_LINES:])
        if first.quoted:
            return Split(first.new, f"{first.quoted}\n{rest}", first.forward)
        return Split(f"{first.new}\n{rest}".strip(), "", False)
    norm = [_norm(line) for line in lines]
    cut, forward = _history_start(norm, forwarded_subject)
    while cut > 0 and (not norm[cut - 1] or _RULE.match(norm[cut - 1])) and cut < len(norm):
        cut -= 1  # the rule Outlook draws above its header block belongs to the history
    head = lines[:cut]
    tail = lines[cut:]
    if tail and norm[cut] == CUT:
        tail = tail[1:]
    hnorm = norm[:cut]
    start = _trailing_quote(hnorm)
    if start is not None:
        tail = head[start:] + tail
        head, hnorm = head[:start], hnorm[:start]
    lone = _lone_quote(hnorm)
    if lone is not None:  # one quote block with the answer below it (bottom-posting)
        a, b = lone
        tail = head[a:b] + tail
        left, right = head[:a], head[b:]
        while left and not left[-1].strip():
            left.pop()
        while right and not right[0].strip():
            right.pop(0)
        head = left + [""] + right if left else right
        hnorm = [_norm(line) for line in head]
    sig = _signature_start(hnorm)
    if sig is not None:
        tail = head[sig:] + tail
        head = head[:sig]
    new = _tidy(head, strip=True)
    quoted = _tidy(tail, strip=False)  # the history as it came, trailing spaces of "-- " too
    return Split(new, quoted, forward and bool(quoted))


def _norm(line: str) -> str:
    return _INVISIBLE.sub("", line).replace("\xa0", " ").strip()


def _tidy(lines: list[str], strip: bool) -> str:
    kept = (line.rstrip() if strip else line for line in lines if line.strip() != CUT)
    return "\n".join(kept).strip("\n")


def _history_start(norm: list[str], forwarded_subject: bool) -> tuple[int, bool]:
    """Index of the first line of the history, and whether it is a forward."""
    for i, line in enumerate(norm):
        if not line:
            continue
        if line == CUT:
            return i, _is_forward(norm, i, forwarded_subject)
        if len(line) > 400:
            continue
        if _SEPARATOR.match(line) or _FLAT_HEADERS.match(line):
            return i, _is_forward(norm, i, forwarded_subject)
        if _FROM_LINE.match(line) and _header_block(norm, i):
            return i, _is_forward(norm, i, forwarded_subject)
        end = _attribution_end(norm, i)
        if end is not None and _quote_runs_to_end(norm, end + 1):
            return i, False
    return len(norm), False


def _is_forward(norm: list[str], i: int, forwarded_subject: bool) -> bool:
    window = " ".join(norm[i : i + 3])
    return bool(_FORWARD.search(window)) or (
        forwarded_subject and not _WROTE_END.search(window)
    )


def _attribution_end(norm: list[str], i: int) -> int | None:
    """The last line of an attribution starting at line i ("On … wrote:" over 1-3 lines)."""
    line = norm[i]
    if line.startswith(">"):
        line = line.lstrip("> ")
        if not (_WROTE_START.match(line) and _WROTE_END.search(line)):
            return None  # a quoted attribution counts only when whole ("> On … wrote:")
        return i
    if _QUOTING.match(line):
        return i
    if _WROTE_END.search(line) and (_WROTE_START.match(line) or "@" in line or len(line) < 120):
        return i
    if not _WROTE_START.match(line):
        return None
    joined = line
    for j in range(i + 1, min(i + 3, len(norm))):
        if not norm[j] or norm[j].startswith(">"):
            return None
        joined += " " + norm[j]
        if _WROTE_END.search(norm[j]) and len(joined) < 400:
            return j
    return None


def _quote_runs_to_end(norm: list[str], start: int) -> bool:
    """After an attribution: history unless new, unquoted text follows the quote."""
    seen_quote = False
    for k in range(start, len(norm)):
        line = norm[k]
        if not line or line == CUT:
            continue
        if line.startswith(">"):
            seen_quote = True
            continue
        if not seen_quote:
            return True  # attribution then unquoted history (HTML mail turned to text)
        if _SIGNATURE.match(line) or _MOBILE.match(line):
            return True
        return False  # text after the quote: an inline or bottom-posted answer
    return True


def _header_block(norm: list[str], i: int) -> bool:
    """From: then at least two more header lines right below (blank lines allowed)."""
    hits = 0
    for line in norm[i + 1 : i + 12]:
        if not line:
            continue
        if _HEADER_LINE.match(line):
            hits += 1
            if hits >= 2:
                return True
        elif hits == 0 and len(line) < 100 and "@" in line:
            continue  # a From: value wrapped onto the next line
        else:
            break
    return hits >= 2


def _trailing_quote(norm: list[str]) -> int | None:
    """Start of a block of `>` lines (with its attribution) that runs to the end."""
    k = len(norm) - 1
    while k >= 0 and (not norm[k] or _MOBILE.match(norm[k])):
        k -= 1
    if k < 0 or not norm[k].startswith(">"):
        return None
    start = k
    while start > 0 and (not norm[start - 1] or norm[start - 1].startswith(">")):
        start -= 1
    while start < len(norm) and not norm[start]:
        start += 1
    prev = start - 1
    while prev >= 0 and not norm[prev]:
        prev -= 1
    if prev >= 0 and norm[prev].endswith((":", "：")) and len(norm[prev]) < 300:
        if _WROTE_END.search(norm[prev]) or _QUOTING.match(norm[prev]) or "@" in norm[prev]:
            return prev
        if prev >= 1 and _attribution_end(norm, prev - 1) == prev:
            return prev - 1
    return start


def _lone_quote(norm: list[str]) -> tuple[int, int] | None:
    """(start, end) of the only `>` block, with its attribution, when new text follows it.

    Several blocks with text between them are inline answers and stay where they are."""
    quoted = [i for i, line in enumerate(norm) if line.startswith(">")]
    if not quoted:
        return None
    first, last = quoted[0], quoted[-1]
    if any(norm[k] and not norm[k].startswith(">") for k in range(first, last + 1)):
        return None  # text between quote lines: inline answers
    if not any(norm[k] for k in range(last + 1, len(norm))):
        return None
    prev = first - 1
    while prev >= 0 and not norm[prev]:
        prev -= 1
    # only a reply's quote (an attribution above it): "> Error: …" in a customer's own text
    # is the customer quoting a message on screen, and it stays
    for start in (prev, prev - 1, prev - 2):
        if start >= 0 and (_attribution_end(norm, start) == prev or _QUOTING.match(norm[start])):
            return start, last + 1
    return None


def _signature_start(norm: list[str]) -> int | None:
    # non-empty lines after each line, counted once from the end (not per candidate line:
    # a mail of 20,000 "-- " lines must not cost 20,000 list copies)
    after = [0] * (len(norm) + 1)
    for k in range(len(norm) - 1, -1, -1):
        after[k] = after[k + 1] + (1 if norm[k] else 0)
    text_seen = False
    for i, line in enumerate(norm):
        if not line:
            continue
        rest = after[i + 1]
        if text_seen and (_SIGNATURE.match(line) or _MOBILE.match(line)):
            if rest <= 15 or _MOBILE.match(line):
                return i
        if text_seen and _FOOTER_RULE.match(line):
            if 0 < rest <= 6:
                return i  # a mailing-list footer under a long rule
        if not _MOBILE.match(line):
            text_seen = True
    # a mobile footer alone ("Sent from my iPhone" with nothing above it) is no new text
    for i, line in enumerate(norm):
        if line:
            return i if _MOBILE.match(line) and not after[i + 1] else None
    return None
