"""Parse stage: raw bytes → `ParsedMessage`.

Input: the exact bytes, the fallback language and the per-attachment size limit. Output: a
frozen ParsedMessage with sender, subject, new text, quoted history, attachments, facts,
language and defects. Must never raise on bad mail (defects record what was wrong) and never
do I/O. The modules: bigparts (large base64 bodies kept out of the stdlib parser), headers
(RFC 2047, addresses, dates), mime + payload (structure, bodies, attachments), charset (the
fallback chain), names (safe file names), tnef (winmail.dat), html (HTML to text), quotes
(new text apart from history and signature), extract + codes + environment + situation
(facts), sniff (text attachments worth scanning), language.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from maild.message import Address, Attachment, ParsedMessage
from maild.parsers import bigparts, mime, quotes, sniff
from maild.parsers import headers as hdr
from maild.parsers.extract import extract
from maild.parsers.language import detect
from maild.parsers.mime import Forward

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
    "user-agent",
    "sender",
)
MAIL_HEADERS = frozenset(
    "from to cc subject date message-id mime-version content-type received return-path sender "
    "reply-to in-reply-to references delivered-to x-mailer user-agent dkim-signature "
    "content-transfer-encoding x-original-to envelope-to".split()
)
MAX_SCANNED_ATTACHMENTS = 10
_CID = re.compile(r"\[cid:[^\]\n]{1,300}\]")  # Outlook's inline-image placeholders in plain text
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_FORWARD_SUBJECT = re.compile(r"^\s*(fwd?|fw|转发|轉寄|轉發|wg|tr|rv|i)\s*[:：]", re.IGNORECASE)


def parse(
    data: bytes, fallback_language: str = "zh", max_attachment: int = 25 * 1024 * 1024
) -> ParsedMessage:
    shrunk, big = bigparts.shrink(data)
    msg = mime.message_from_bytes(shrunk)
    raw = hdr.raw_map(msg)
    defects: list[str] = []
    if raw and not raw.keys() & MAIL_HEADERS:
        # no header any mail has: a bare text ("Note: …" first line), not a header block
        msg = mime.message_from_bytes(b"\n" + shrunk)
        raw = {}
        defects.append("no mail headers: read as plain text")
    if not data.strip():
        defects.append("empty message")
    senders = hdr.address_header(raw.get("from"), defects, "from")
    if not senders:
        senders = hdr.address_header(raw.get("sender"), defects, "sender")
    if not senders:
        defects.append("no usable From address")
    sender = senders[0] if senders else Address("", "")
    subject = hdr.text(_first(raw, "subject"), defects, "subject")
    parts = mime.walk(msg, max_attachment, big)
    body, ctype = parts.body()
    split = quotes.split(body, bool(_FORWARD_SUBJECT.match(subject)))
    text, quoted, forwarded = split.new, split.quoted, ""
    if split.forward:
        forwarded = quoted
        if not text:
            text, quoted, forwarded = quoted, "", ""  # the forward is the content
    if not text.strip() and parts.forwards and not quoted:
        text = _forwards_text(parts.forwards)
    facts = extract(_fact_sources(subject, text, forwarded, parts.forwards, parts.attachments))
    kept = tuple(
        (name, hdr.text(v, defects, name))
        for name in KEPT_HEADERS
        for v in raw.get(name, [])[:1]
    )
    text = _printable(text)
    if "[cid:" in text:
        text = re.sub(r"\n{3,}", "\n\n", _CID.sub("", text)).strip()
    quoted = _printable(quoted)
    return ParsedMessage(
        message_id=(hdr.message_ids(_first(raw, "message-id")) or (None,))[0],
        sender=sender,
        to=hdr.address_header(raw.get("to"), defects, "to"),
        cc=hdr.address_header(raw.get("cc"), defects, "cc"),
        reply_to=hdr.address_header(raw.get("reply-to"), defects, "reply-to"),
        subject=subject,
        date=hdr.date(_first(raw, "date"), defects),
        in_reply_to=hdr.message_ids(_first(raw, "in-reply-to")),
        references=hdr.message_ids(" ".join(raw.get("references", []))),
        headers=kept,
        language=detect(f"{subject}\n{text}", fallback_language),
        text=text,
        quoted=quoted,
        attachments=tuple(parts.attachments),
        facts=facts,
        defects=tuple(dict.fromkeys(defects + parts.defects)),
        content_type=ctype,
    )


def _printable(text: str) -> str:
    """No NUL or other C0 controls (PostgreSQL refuses NUL in text), tabs and newlines kept."""
    return _CONTROLS.sub("", text) if _CONTROLS.search(text) else text


def _first(raw: dict[str, list[str]], name: str) -> str | None:
    values = raw.get(name)
    return values[0] if values else None


def _forwards_text(forwards: list[Forward]) -> str:
    """A mail whose only content is an attached message: show that message."""
    blocks = []
    for f in forwards[:5]:
        blocks.append(f"---------- {f.name} ----------\n{f.summary}\n\n{f.text.strip()}")
    return "\n\n".join(blocks).strip()


def _fact_sources(
    subject: str,
    text: str,
    forwarded: str,
    forwards: list[Forward],
    attachments: list[Attachment],
) -> Iterator[tuple[str, str, int]]:
    yield "subject", subject, 1
    yield "body", text, 1
    if forwarded:
        yield "forwarded", forwarded, 1
    for f in forwards[:5]:
        yield f.name, f"{f.summary}\n\n{f.text}", 1
    scanned = 0
    for a in attachments:
        if scanned >= MAX_SCANNED_ATTACHMENTS:
            break
        found = sniff.chunks(a)
        scanned += bool(found)
        for first, chunk in found:
            yield a.safe_name, chunk, first
