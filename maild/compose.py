"""Outgoing mail: templates rendered in the Jinja2 sandbox and built into RFC 5322 bytes.

Input: a template name, the language and a context of plain values. Output: `Outgoing` with
fixed bytes and Message-ID, ready for the outbox. Customer text only ever enters as template
*data*; header values are stripped of CR/LF and control characters before they reach a
header; the stdlib SMTP policy refuses anything that would still fold into a new header.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, formataddr, make_msgid
from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined, TemplateNotFound
from jinja2.sandbox import ImmutableSandboxedEnvironment

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
    def __init__(self, override_dir: str = "") -> None:
        dirs = [Path(override_dir)] if override_dir else []
        self.env = ImmutableSandboxedEnvironment(
            loader=FileSystemLoader([*dirs, templates_dir()]),
            undefined=StrictUndefined,
            autoescape=False,
            keep_trailing_newline=True,
            trim_blocks=False,
        )

    def render(self, name: str, language: str, context: dict[str, Any]) -> str:
        for lang in (language, "en"):
            try:
                template = self.env.get_template(f"{name}.{lang}.txt.j2")
            except TemplateNotFound:
                continue
            return template.render(**context)
        raise TemplateNotFound(f"{name}.{language}.txt.j2")


def build(
    purpose: str,
    *,
    sender_name: str,
    sender: str,
    to: tuple[str, ...],
    subject: str,
    body: str,
    domain: str,
    now: datetime,
    in_reply_to: str | None = None,
    references: tuple[str, ...] = (),
    ticket: int | None = None,
    auto: bool = True,
) -> Outgoing:
    msg = EmailMessage(policy=SMTP)
    msg_id = make_msgid(domain=domain)
    msg["From"] = formataddr((header_safe(sender_name), sender))
    msg["To"] = ", ".join(to)
    msg["Subject"] = header_safe(subject)
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = msg_id
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
    refs = [r for r in references if r][-20:]
    if refs:
        msg["References"] = " ".join(refs)
    msg["Reply-To"] = sender
    if auto:
        msg["Auto-Submitted"] = "auto-replied"
        msg["X-Auto-Response-Suppress"] = "All"
        msg["Precedence"] = "auto_reply"
    if ticket is not None:
        msg["X-Maild-Ticket"] = str(ticket)
    msg.set_content(body, charset="utf-8")
    return Outgoing(purpose, sender, to, msg["Subject"], msg_id, msg.as_bytes())
