"""Parse stage: raw bytes → `ParsedMessage`.

Input: the exact bytes and the support settings. Output: a frozen ParsedMessage with sender,
subject, new text, quoted history, attachments, facts, language and defects. Must never raise
on bad mail (defects record what was wrong) and never do I/O.
"""

from __future__ import annotations

from collections.abc import Iterator

from maild.message import Address, Attachment, ParsedMessage
from maild.parsers import headers as hdr
from maild.parsers import mime, quotes
from maild.parsers.charset import decode
from maild.parsers.extract import extract
from maild.parsers.language import detect

# headers the classification and threading stages look at
KEPT_HEADERS = (
    "auto-submitted",
    "precedence",
    "x-autoreply",
    "x-autorespond",
    "x-auto-response-suppress",
    "list-id",
    "list-unsubscribe",
    "list-post",
    "list-help",
    "x-mailing-list",
    "return-path",
    "x-failed-recipients",
    "content-type",
    "thread-index",
    "thread-topic",
    "x-maild-ticket",
    "authentication-results",
    "x-loop",
    "feedback-id",
    "x-campaign",
    "x-mailer",
    "sender",
)
MAX_LOG_SCAN = 256 * 1024
TEXT_ATTACHMENT = (
    ".log",
    ".txt",
    ".out",
    ".err",
    ".trace",
    ".csv",
    ".json",
    ".xml",
    ".ini",
    ".conf",
    ".yaml",
    ".yml",
)


def parse(
    data: bytes, fallback_language: str = "zh", max_attachment: int = 25 * 1024 * 1024
) -> ParsedMessage:
    msg = mime.message_from_bytes(data)
    defects: list[str] = []
    if not data.strip():
        defects.append("empty message")
    senders = hdr.address_header(msg.get_all("from"), defects, "from")
    if not senders:
        senders = hdr.address_header(msg.get_all("sender"), defects, "sender")
    if not senders:
        defects.append("no usable From address")
    sender = senders[0] if senders else Address("", "")
    subject = hdr.text(msg.get("subject"), defects, "subject")
    parts = mime.walk(msg, max_attachment)
    body, ctype = parts.body()
    new, quoted = quotes.split(body)
    facts = extract(_fact_sources(subject, new, parts.attachments))
    kept = tuple(
        (name, hdr.text(v, defects, name))
        for name in KEPT_HEADERS
        for v in (msg.get_all(name) or [])[:1]
    )
    return ParsedMessage(
        message_id=(hdr.message_ids(msg.get("message-id")) or (None,))[0],
        sender=sender,
        to=hdr.address_header(msg.get_all("to"), defects, "to"),
        cc=hdr.address_header(msg.get_all("cc"), defects, "cc"),
        reply_to=hdr.address_header(msg.get_all("reply-to"), defects, "reply-to"),
        subject=subject,
        date=hdr.date(msg.get("date"), defects),
        in_reply_to=hdr.message_ids(msg.get("in-reply-to")),
        references=hdr.message_ids(" ".join(str(v) for v in msg.get_all("references") or [])),
        headers=kept,
        language=detect(f"{subject}\n{new}", fallback_language),
        text=new,
        quoted=quoted,
        attachments=tuple(parts.attachments),
        facts=facts,
        defects=tuple(dict.fromkeys(defects + parts.defects)),
        content_type=ctype,
    )


def _fact_sources(
    subject: str, text: str, attachments: tuple[Attachment, ...] | list[Attachment]
) -> Iterator[tuple[str, str]]:
    yield "subject", subject
    yield "body", text
    for a in attachments:
        if a.content_type.startswith("text/") or a.safe_name.lower().endswith(TEXT_ATTACHMENT):
            if b"\x00" in a.data[:4096]:
                continue  # binary after all
            yield a.safe_name, decode(a.data[:MAX_LOG_SCAN], None)[0]
