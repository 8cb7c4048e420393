"""Outgoing mail: templates rendered in the Jinja2 sandbox and built into RFC 5322 bytes.

Input: a template name, the language and a context of plain values. Output: `Outgoing` with
fixed bytes and Message-ID, ready for the outbox. Customer text only ever enters as template
*data*; header values are stripped of CR/LF and control characters before they reach a
header, and non-ASCII header text is RFC 2047-encoded, so nothing can fold into a new one.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from datetime import datetime
from email.header import Header
from email.utils import format_datetime, formataddr, make_msgid
from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined, Template, TemplateError, TemplateNotFound
from jinja2.sandbox import ImmutableSandboxedEnvironment

from maild.errors import ConfigError
from maild.paths import templates_dir

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")


@dataclass(frozen=True, slots=True)
class Outgoing:
    purpose: str
    sender: str
    recipients: tuple[str, ...]
    subject: str
    message_id: str
    data: bytes


def header_safe(value: str, limit: int = 900) -> str:
    """One line, no control characters: nothing a customer wrote can add a header."""
    return _CONTROL.sub(" ", value).strip()[:limit]


class Renderer:
    """Templates from `templates/`, each overridable by a file of the same name in the
    admin's folder. Sandboxed, StrictUndefined, HTML autoescaped. A broken override is a
    ConfigError when the renderer is made (at start), not a failure when a mail arrives."""

    def __init__(self, override_dir: str = "") -> None:
        dirs = [Path(override_dir)] if override_dir else []
        self.env = ImmutableSandboxedEnvironment(
            loader=FileSystemLoader([*dirs, templates_dir()]),
            undefined=StrictUndefined,
            autoescape=lambda name: bool(name and name.endswith(".html.j2")),
            keep_trailing_newline=True,
            # loaded once: an override changed on disk takes effect (checked) on reload
            auto_reload=False,
        )
        self._found: dict[str, Template | None] = {}
        if override_dir:
            self._check(Path(override_dir))

    def _check(self, folder: Path) -> None:
        if not folder.is_dir():
            raise ConfigError(str(folder), ["support.templates: not a folder"])
        problems = []
        for path in sorted(folder.glob("*.j2")):
            try:
                self.env.get_template(path.name)
            except TemplateError as e:
                problems.append(f"support.templates: {path.name}: {e}")
        if problems:
            raise ConfigError(str(folder), problems)

    def render(self, name: str, language: str, context: dict[str, Any], kind: str = "txt") -> str:
        for lang in (language, "en"):
            template = self._template(f"{name}.{lang}.{kind}.j2")
            if template is not None:
                return template.render(**context)
        raise TemplateNotFound(f"{name}.{language}.{kind}.j2")

    def _template(self, file: str) -> Template | None:
        """The template, or None when there is none (remembered both ways: a mail must not
        pay for a file-system look-up, nor for an exception, per template)."""
        if file not in self._found:
            try:
                self._found[file] = self.env.get_template(file)
            except TemplateNotFound:
                self._found[file] = None
        return self._found[file]

    def render_pair(
        self, name: str, language: str, context: dict[str, Any]
    ) -> tuple[str, str | None]:
        """Plain text, and HTML when a template for it exists."""
        text = self.render(name, language, context)
        try:
            html: str | None = self.render(name, language, context, kind="html")
        except TemplateNotFound:
            html = None
        return text, html


def build(purpose: str, *, sender_name: str, sender: str, to: tuple[str, ...], subject: str,
          body: str, domain: str, now: datetime, in_reply_to: str | None = None,
          references: tuple[str, ...] = (), ticket: int | None = None, auto: bool = True,
          html: str | None = None,
          attachments: tuple[tuple[str, str, bytes], ...] = (),
          reply_to: str | None = None) -> Outgoing:
    """RFC 5322 bytes, written out directly: every value passes `header_safe` (no CR/LF can
    reach a header) and non-ASCII is RFC 2047-encoded; bodies are UTF-8 in base64, with an
    HTML alternative when one is given and attachments in a multipart/mixed."""
    msg_id = make_msgid(domain=domain)
    subject = header_safe(subject)
    headers = [
        ("From", formataddr((header_safe(sender_name), sender), charset="utf-8")),
        ("To", ", ".join(header_safe(a) for a in to)),
        ("Subject", _encode(subject)),
        ("Date", format_datetime(now)),
        ("Message-ID", msg_id),
    ]
    if in_reply_to:
        headers.append(("In-Reply-To", header_safe(in_reply_to)))
    refs = [header_safe(r) for r in references if r][-20:]
    if refs:
        headers.append(("References", " ".join(refs)))
    headers.append(("Reply-To", header_safe(reply_to or sender)))
    if auto:
        headers += [("Auto-Submitted", "auto-replied"), ("X-Auto-Response-Suppress", "All"),
                    ("Precedence", "auto_reply")]
    if ticket is not None:
        headers.append(("X-Maild-Ticket", str(ticket)))
    headers.append(("MIME-Version", "1.0"))
    tag = msg_id.strip("<>").split("@")[0]
    part = _text_part("plain", body)
    if html is not None:
        part = _multipart("alternative", f"=_alt_{tag}", [part, _text_part("html", html)])
    if attachments:
        files = [_file_part(name, ctype, data) for name, ctype, data in attachments]
        part = _multipart("mixed", f"=_mix_{tag}", [part, *files])
    part_head, payload = part
    headers += part_head
    head = "".join(f"{name}: {_fold(value)}\r\n" for name, value in headers)
    return Outgoing(purpose, sender, to, subject, msg_id, head.encode("ascii") + b"\r\n" + payload)


Part = tuple[list[tuple[str, str]], bytes]


def _text_part(kind: str, text: str) -> Part:
    return ([("Content-Type", f'text/{kind}; charset="utf-8"'),
             ("Content-Transfer-Encoding", "base64")], _b64(text.encode("utf-8")))


def _file_part(name: str, ctype: str, data: bytes) -> Part:
    ctype = ctype if re.fullmatch(r"[\w.+-]+/[\w.+-]+", ctype) else "application/octet-stream"
    filename = _encode(header_safe(name, 200).replace('"', "'"))
    return ([("Content-Type", ctype), ("Content-Transfer-Encoding", "base64"),
             ("Content-Disposition", f'attachment; filename="{filename}"')], _b64(data))


def _multipart(subtype: str, boundary: str, parts: list[Part]) -> Part:
    body = b""
    for head, payload in parts:
        lines = "".join(f"{k}: {v}\r\n" for k, v in head)
        body += f"--{boundary}\r\n{lines}\r\n".encode("ascii") + payload
    body += f"--{boundary}--\r\n".encode("ascii")
    return [("Content-Type", f'multipart/{subtype}; boundary="{boundary}"')], body


def _b64(data: bytes) -> bytes:
    return base64.encodebytes(data).replace(b"\n", b"\r\n")


def _encode(value: str) -> str:
    if value.isascii():
        return value
    return Header(value, "utf-8", maxlinelen=76).encode(linesep="\r\n")


def _fold(value: str) -> str:
    """Fold long ASCII header values at spaces (RFC 5322 asks for lines under 998)."""
    if len(value) < 900 or "\r\n" in value:
        return value
    words, lines, line = value.split(" "), [], ""
    for w in words:
        if line and len(line) + len(w) + 1 > 76:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}" if line else w
    lines.append(line)
    return "\r\n ".join(lines)
