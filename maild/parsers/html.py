"""HTML bodies to readable text, with inscriptis (a real HTML parser, not regexes).

Place: parse stage, for HTML-only mail and HTML parts with no usable plain alternative.
Input: HTML text. Output: plain text in which <blockquote> history comes out with "> " and
the reply containers of Gmail, Outlook, Yahoo and Thunderbird start with a line holding only
CUT, so the quote splitter finds them. Scripts, styles and comments are dropped; remote
images are never fetched (nothing here does I/O).

Bounded in time: inscriptis lays out tables at a cost that grows fast, and lxml silently
drops text nested deeper than it allows; large, table-heavy or over-nested HTML goes to a
linear stdlib reader instead. Must never raise.
"""

from __future__ import annotations

import html as htmllib
import re
from html.parser import HTMLParser

CUT = "\ue000CUT"
MAX_HTML = 600_000
MAX_FOR_INSCRIPTIS = 300_000
MAX_TAGS = 30_000
MAX_CELLS = 3_000
_QUOTE_OPEN = "\ue000Q"
_QUOTE_CLOSE = "\ue000E"
_DROP = re.compile(
    r"<!--.*?(?:-->|$)|<(script|style|head|title|xml)\b.*?(?:</\1\s*>|$)", re.I | re.S
)
_BQ_OPEN = re.compile(r"<blockquote\b[^>]*>", re.I)
_BQ_CLOSE = re.compile(r"</blockquote\s*>", re.I)
_CONTAINER_TAG = re.compile(r"<(?:div|span|p|hr)\b[^>]{0,2000}>", re.I)
_REPLY_CONTAINER = re.compile(
    r"\bclass=[\"']?[^\"'>]{0,200}?\b(?:gmail_quote|yahoo_quoted|moz-cite-prefix|zmail_extra|"
    r"OutlookMessageHeader|protonmail_quote|replyQuote|moz-forward-container|"
    r"AppleOriginalContents)\b"
    r"|\bid=[\"']?(?:x_)?(?:divRplyFwdMsg|appendonsend|isForwardContent|isReplyContent|"
    r"reply-content|origbody|stopSpelling)\b",
    re.I,
)
_SIGNATURE_CONTAINER = re.compile(
    r"\bclass=[\"']?[^\"'>]{0,200}?\b(?:gmail_signature|moz-signature)\b"
    r"|\bid=[\"']?(?:x_)?Signature\b",
    re.I,
)
_TAG = re.compile(r"<[^>]*>")
_BLOCK = frozenset(
    "p div br tr li ul ol table h1 h2 h3 h4 h5 h6 pre hr blockquote section article dt dd"
    " address center form header footer".split()
)


def to_text(html: str, defects: list[str]) -> str:
    if len(html) > MAX_HTML:
        defects.append(f"html: {len(html)} characters, only the first {MAX_HTML} read")
        html = html[:MAX_HTML]
    html = _DROP.sub(" ", html)
    html = _mark_reply_container(html)
    html = _BQ_OPEN.sub(lambda m: f"<div>{_QUOTE_OPEN}</div>{m.group(0)}", html)
    html = _BQ_CLOSE.sub(lambda m: f"{m.group(0)}<div>{_QUOTE_CLOSE}</div>", html)
    lowered = html.lower()
    heavy = (
        len(html) > MAX_FOR_INSCRIPTIS
        or html.count("<") > MAX_TAGS
        or lowered.count("<td") + lowered.count("<th") > MAX_CELLS
    )
    text = "" if heavy else _inscriptis(html, defects)
    if heavy or _lost_text(text, html):
        if heavy:
            defects.append("html: large or table-heavy; read with the plain reader")
        text = _plain_reader(html)
    return _quote_prefixes(text)


def _mark_reply_container(html: str) -> str:
    """A CUT line before the first reply container, a "-- " line before a signature one."""
    cut = sig = None
    for m in _CONTAINER_TAG.finditer(html):
        tag = m.group(0)
        if sig is None and _SIGNATURE_CONTAINER.search(tag):
            sig = m.start()
        if _REPLY_CONTAINER.search(tag):
            cut = m.start()
            break
    if cut is not None:
        html = f"{html[:cut]}<div>{CUT}</div>{html[cut:]}"
    if sig is not None and (cut is None or sig < cut):
        html = f"{html[:sig]}<div>-- </div>{html[sig:]}"
    return html


def _inscriptis(html: str, defects: list[str]) -> str:
    from inscriptis import get_text
    from inscriptis.model.config import ParserConfig

    try:
        text: str = get_text(html, ParserConfig(display_links=False, display_images=False))
    except (ValueError, RecursionError, AssertionError, TypeError, LookupError) as e:
        defects.append(f"html: inscriptis could not read it ({type(e).__name__})")
        return ""
    return text


def _lost_text(text: str, html: str) -> bool:
    """lxml drops what is nested too deep: compare with a crude count of the visible text."""
    visible = len("".join(htmllib.unescape(_TAG.sub(" ", html)).split()))
    return len("".join(text.split())) < visible * 0.5


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK:
            self.chunks.append("\n")
        elif tag in ("td", "th"):
            self.chunks.append("  ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCK:
            self.chunks.append("\n")

    def handle_data(self, data: str) -> None:
        self.chunks.append(data)


def _plain_reader(html: str) -> str:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    lines = (" ".join(line.split()) for line in "".join(reader.chunks).split("\n"))
    return "\n".join(re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).split("\n"))


def _quote_prefixes(text: str) -> str:
    out: list[str] = []
    depth = 0
    for line in text.replace("\xa0", " ").splitlines():
        s = line.strip()
        if s == _QUOTE_OPEN:
            depth += 1
            continue
        if s == _QUOTE_CLOSE:
            depth = max(0, depth - 1)
            continue
        if _QUOTE_OPEN in s or _QUOTE_CLOSE in s:
            line = line.replace(_QUOTE_OPEN, "").replace(_QUOTE_CLOSE, "")
        if s == CUT:
            out.append(CUT)
            continue
        line = line.strip()
        out.append(("> " * min(depth, 20) + line) if depth else line)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip("\n")
