"""Respond stage: decide whether a mail is answered, render the mail, queue it in the outbox.

Input: the ticket, parsed mail and triage. Output: outbox rows (and events) appended to the
batch's `Writes`, committed in the ticket's own transaction, so a crash can neither lose nor
double an acknowledgement. Never answers machine mail, lists, noreply senders or ourselves
(RFC 3834); caps automatic replies per sender per day in the database, so several daemons
share the count. Every decision not to answer is an event with its reason.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from maild import knowledge, missing, tokens
from maild.classify import no_reply_address
from maild.compose import Outgoing, Renderer, build
from maild.database.models import Ticket
from maild.database.queries import Queries
from maild.database.writes import Row, Writes
from maild.durations import parse_seconds
from maild.message import ParsedMessage, Triage
from maild.settings import Settings
from maild.tickets import SYSTEM, event

PRIORITY_LABEL = {
    "zh": {"P1": "紧急", "P2": "高", "P3": "中", "P4": "低"},
    "en": {"P1": "urgent", "P2": "high", "P3": "medium", "P4": "low"},
}
MACHINE_KINDS = ("auto_reply", "bounce", "bulk", "own")


def ack_refusal(msg: ParsedMessage, triage: Triage, settings: Settings, silent: bool) -> str:
    """Why this mail gets no acknowledgement, or "" when it gets one."""
    if silent:
        return "imported silently: no mail is sent for it"
    if triage.kind not in ("new", "reply"):
        return f"{triage.kind} mail is never answered automatically"
    sender = msg.sender.address
    if not sender:
        return "no sender address"
    if sender == settings.support.address.lower():
        return "our own address"
    if no_reply_address(sender):
        return f"{sender.split('@')[0]}@ addresses are not answered"
    if sender in settings.agents.addresses:
        return "the sender is one of our agents"
    return ""


def flooding(q: Queries, settings: Settings, msg: ParsedMessage, now: datetime) -> str:
    """Why a flooding sender gets no automatic reply now, or ""."""
    sender = msg.sender.address
    until = q.suspended_until(sender)
    if until is not None and until > now:
        return f"sender suspended until {until.isoformat(timespec='minutes')} for flooding"
    sent = q.mails_from(sender) + 1
    if sent > settings.outbox.flood_limit:
        until = now + timedelta(seconds=parse_seconds(settings.outbox.flood_pause))
        q.suspend(sender, until)
        return (f"{sent} mails within {settings.outbox.flood_window}: automatic replies "
                f"suspended until {until.isoformat(timespec='minutes')}")
    return ""


def ack(
    w: Writes,
    q: Queries,
    settings: Settings,
    renderer: Renderer,
    ticket: Ticket,
    msg: ParsedMessage,
    triage: Triage,
    now: datetime,
    silent: bool,
) -> bool:
    """The acknowledgement's outbox row and event, or the event saying why there is none."""
    refusal = ack_refusal(msg, triage, settings, silent) or flooding(q, settings, msg, now)
    cap = settings.outbox.autoreply_per_sender_per_day
    count = 0
    if not refusal:
        count = q.take_autoreply(msg.sender.address, today(now, settings), cap)
        if count == 0:
            refusal = f"daily cap of {cap} automatic replies to this sender reached"
    if refusal:
        w.events.append(event(ticket.number, now, SYSTEM, "no acknowledgement", refusal))
        return False
    lang = ticket.language if ticket.language in ("zh", "en") else settings.support.language
    context = ack_context(settings, ticket, msg, triage, now, lang)
    context["last_today"] = count == cap  # Mailman's practice: say so once, at the cap
    text, html = renderer.render_pair("ack", lang, context)
    out = _mail(q, settings, "ack", (msg.sender.address,), ticket, msg, text, html, now, auto=True)
    q.remember_outgoing(out.message_id, ticket.number)
    w.outbox.append(outbox_row(out, ticket.number, now))
    w.events.append(
        event(ticket.number, now, SYSTEM, "acknowledgement queued", f"outbox {out.message_id}")
    )
    return True


def ack_context(
    settings: Settings, ticket: Ticket, msg: ParsedMessage, triage: Triage, now: datetime, lang: str
) -> dict[str, Any]:
    """What the acknowledgement says: plain values only — customer text is data, never
    template source."""
    tz = ZoneInfo(settings.support.timezone)
    due = ticket.first_response_due.astimezone(tz)
    env = msg.environment()
    asks = missing.missing(msg, ticket.category, ticket.priority)
    return {
        "ticket": ticket.number,
        "customer_name": msg.sender.name,
        "subject": msg.subject,
        "priority": ticket.priority,
        "priority_label": PRIORITY_LABEL[lang][ticket.priority],
        "due_words": due_words(due, now.astimezone(tz), lang),
        "due_time": due.strftime("%Y-%m-%d %H:%M"),
        "timezone": settings.support.timezone,
        "error_codes": list(msg.error_codes),
        "environment": [f"{k}: {v}" for k, v in env.items() if v],
        "missing": [getattr(a, lang) for a in asks],
        "knowledge": [
            {"title": k.entry.title, "url": k.entry.url}
            for k in knowledge.match(msg, settings.knowledge)
        ],
        "incident": triage.incident,
        "support_name": settings.support.name,
    }


def notify(
    w: Writes,
    q: Queries,
    settings: Settings,
    renderer: Renderer,
    ticket: Ticket,
    msg: ParsedMessage,
    triage: Triage,
    now: datetime,
    new: bool,
) -> None:
    """The agents' notification, when there is a team to notify and a person wrote."""
    if not settings.agents.notify or triage.kind in MACHINE_KINDS:
        return
    tz = ZoneInfo(settings.support.timezone)
    text = renderer.render(
        "notify",
        "en",
        {
            "new": new,
            "ticket": ticket.number,
            "customer": f"{msg.sender.name} <{msg.sender.address}>".strip(),
            "subject": msg.subject,
            "priority": ticket.priority,
            "category": ticket.category,
            "queue": triage.queue,
            "incident": triage.incident,
            "first_response_due": ticket.first_response_due.astimezone(tz).isoformat(),
            "resolution_due": ticket.resolution_due.astimezone(tz).isoformat(),
            "reasons": [f"{h.rule}: {h.reason}" for h in triage.hits],
            "facts": [f"{f.kind}: {f.value} ({f.source})" for f in msg.facts if f.kind != "phone"],
            "attachments": [f"{a.safe_name} ({a.size} bytes)" for a in msg.attachments],
            "text": msg.text,
        },
    )
    out = _mail(q, settings, "notify", settings.agents.notify, ticket, msg, text, None, now,
                auto=False)
    q.remember_outgoing(out.message_id, ticket.number)
    w.outbox.append(outbox_row(out, ticket.number, now))


def announce_incident(
    w: Writes,
    settings: Settings,
    renderer: Renderer,
    code: str,
    tickets: Sequence[Ticket],
    now: datetime,
) -> None:
    """One mail to the team when a batch incident forms (not one per ticket)."""
    if not settings.agents.notify:
        return
    text = renderer.render(
        "incident",
        "en",
        {
            "code": code,
            "tickets": [
                {"number": t.number, "customer": t.customer_address, "subject": t.subject}
                for t in tickets
            ],
        },
    )
    out = build(
        "incident",
        sender_name=settings.support.name,
        sender=settings.support.address,
        to=settings.agents.notify,
        subject=f"Batch incident: {code} ({len(tickets)} customers)",
        body=text,
        domain=domain(settings),
        now=now,
        auto=False,
    )
    w.outbox.append(outbox_row(out, None, now))


def _mail(q: Queries, settings: Settings, purpose: str, to: tuple[str, ...], ticket: Ticket,
          msg: ParsedMessage, text: str, html: str | None, now: datetime,
          auto: bool) -> Outgoing:
    return build(purpose, sender_name=settings.support.name, sender=settings.support.address,
                 to=to, subject=tagged(ticket, msg.subject, settings), body=text, html=html,
                 domain=domain(settings), now=now, in_reply_to=msg.message_id,
                 references=(*msg.references, msg.message_id or ""), ticket=ticket.number,
                 auto=auto, reply_to=reply_address(q, settings, ticket.number))


def reply_address(q: Queries, settings: Settings, number: int) -> str:
    """Reply-To with a signed token, so any reply finds its ticket."""
    return tokens.address(settings.support.address, q.reply_secret(), number)


def outbox_row(out: Outgoing, ticket: int | None, now: datetime) -> Row:
    return {
        "ticket_number": ticket,
        "purpose": out.purpose,
        "sender": out.sender,
        "recipients": json.dumps(list(out.recipients)),
        "subject": out.subject,
        "message_id": out.message_id,
        "raw": out.data,
        "status": "queued",
        "attempts": 0,
        "next_attempt_at": now,
        "last_error": "",
        "created_at": now,
        "sent_at": None,
    }


def today(now: datetime, settings: Settings) -> str:
    """The support desk's calendar day: automatic-reply caps count per local day."""
    return now.astimezone(ZoneInfo(settings.support.timezone)).date().isoformat()


def tagged(ticket: Ticket, subject: str, settings: Settings) -> str:
    tag = f"[#{ticket.number}]"
    subject = subject or ticket.subject
    if tag in subject:
        return subject
    prefix = f"{settings.support.subject_prefix} " if settings.support.subject_prefix else ""
    return f"{prefix}{tag} {subject}".strip()


def due_words(due: datetime, now: datetime, lang: str) -> str:
    days = (due.date() - now.date()).days
    hm = due.strftime("%H:%M")
    if lang == "zh":
        day = {0: "今天", 1: "明天", 2: "后天"}.get(days, f"{due.month}月{due.day}日")
        return f"{day} {hm} 前"
    day = {0: "today", 1: "tomorrow"}.get(days, due.strftime("%A %d %B %Y").replace(" 0", " "))
    return f"by {hm} {day}"


def domain(settings: Settings) -> str:
    """Our mail domain, for Message-IDs."""
    return settings.support.address.rpartition("@")[2] or "localhost"
