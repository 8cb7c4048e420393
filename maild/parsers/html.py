"""HTML bodies to readable text, with inscriptis (a real HTML parser, not regexes).

Input: HTML text. Output: plain text; quoted history in <blockquote> comes out with "> "
so the quote splitter can find it. Scripts and styles are dropped; remote images are never
fetched (nothing here does I/O). Pathological HTML is bounded by size before parsing.
"""

from __future__ import annotations

import re

MAX_HTML = 2_000_000
_BLOCKQUOTE = re.compile(r"<blockquote\b[^>]*>(.*?)</blockquote>", re.IGNORECASE | re.DOTALL)
_SCRIPT = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)


def to_text(html: str, defects: list[str]) -> str:
    from inscriptis import get_text
    from inscriptis.model.config import ParserConfig

    if len(html) > MAX_HTML:
        defects.append(f"html: {len(html)} characters, only the first {MAX_HTML} read")
        html = html[:MAX_HTML]
    html = _SCRIPT.sub("", html)
    # mark blockquotes so the quoted history stays recognisable as a quote
    html = (
        _BLOCKQUOTE.sub(
            lambda m: "<div>\x02QUOTE\x02</div>" + m.group(1) + "<div>\x02END\x02</div>", html
        )
        if html.lower().count("<blockquote") < 50
        else html
    )
    try:
        text: str = get_text(html, ParserConfig(display_links=False, display_images=False))
    except (ValueError, RecursionError, AssertionError) as e:
        defects.append(f"html: could not be read ({type(e).__name__}); tags stripped instead")
        text = re.sub(r"<[^>]*>", " ", html)
    out: list[str] = []
    depth = 0
    for line in text.splitlines():
        s = line.strip()
        if s == "\x02QUOTE\x02":
            depth += 1
            continue
        if s == "\x02END\x02":
            depth = max(0, depth - 1)
            continue
        out.append(("> " * depth + line.rstrip()) if depth else line.rstrip())
    return "\n".join(out).strip("\n")
