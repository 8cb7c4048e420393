"""Classify stage: what kind of mail this is, before threading.

Input: ParsedMessage and our own address. Output: a Kind — own, bounce, auto_reply, bulk,
reply or new — and the reason in words. Order matters: our own mail coming back is caught
first, then machine mail (RFC 3834, DSN, lists), then human replies. Pure.
"""

from __future__ import annotations

import re

from maild.message import Kind, ParsedMessage

# the subject alone says "automatic reply" only in the form auto-replies take: the marker
# then a colon ("自动回复: 订单导出失败", "Out of Office: …"), or the marker and nothing else
# ("休假中"). A customer writing about the feature — "休假期间怎么委托别人审批", "Vacation
# request approval broken", "Automatic reply emails not sent" — is a new request.
_AUTO_SUBJECT = re.compile(
    r"^\s*(auto(matic)?[ -]?(reply|response|antwort)|out of (the )?office|autoreply|auto|"
    r"自动回复|自動回覆|自动答复|休假中?|不在办公室|外出|vacation( reply)?|abwesenheit|"
    r"absence)\s*(?:[:：]|[.!。！]?\s*$)",
    re.IGNORECASE,
)
_BOUNCE_FROM = re.compile(r"^(mailer-daemon|postmaster|mail-daemon|mailerdaemon)@", re.IGNORECASE)
_BOUNCE_SUBJECT = re.compile(
    r"^\s*(undeliver(able|ed)|delivery (status notification|failure|has failed)|"
    r"returned mail|mail delivery failed|failure notice|系统退信|退信|投递失败|邮件投递失败)",
    re.IGNORECASE,
)
_REPLY_SUBJECT = re.compile(
    r"^\s*(re|aw|sv|vs|antw|答复|回复|回覆|reply)\s*(\[\d+\])?\s*[:：]", re.IGNORECASE
)
TICKET_TAG = re.compile(r"\[#(\d{1,12})\]")


def kind_of(msg: ParsedMessage, own_address: str) -> tuple[Kind, str]:
    own = own_address.lower()
    sender = msg.sender.address
    if sender == own:
        return "own", f"sent from our own address {own}"
    loop = msg.header("x-loop") or ""
    if own and own in loop.lower():
        return "own", "X-Loop names our own address"
    ctype = (msg.header("content-type") or "").lower()
    if "multipart/report" in ctype and "delivery-status" in ctype:
        return "bounce", "a delivery status notification (multipart/report)"
    if _BOUNCE_FROM.match(sender) or msg.header("x-failed-recipients"):
        return "bounce", f"from {sender.split('@')[0]} / X-Failed-Recipients"
    if _BOUNCE_SUBJECT.match(msg.subject) and not msg.sender.name.strip():
        return "bounce", "subject of a delivery failure notice"
    auto = (msg.header("auto-submitted") or "").strip().lower()
    if auto and auto != "no":
        return "auto_reply", f"Auto-Submitted: {auto}"
    for name in ("x-autoreply", "x-autorespond"):
        if msg.header(name) is not None:
            return "auto_reply", f"{name} header"
    precedence = (msg.header("precedence") or "").strip().lower()
    if precedence == "auto_reply":
        return "auto_reply", "Precedence: auto_reply"
    if _AUTO_SUBJECT.match(msg.subject):
        return "auto_reply", f"subject reads like an automatic reply: {msg.subject[:40]!r}"
    if precedence in ("bulk", "list", "junk"):
        return "bulk", f"Precedence: {precedence}"
    for name in ("list-id", "list-unsubscribe", "list-post", "x-mailing-list"):
        if msg.header(name) is not None:
            return "bulk", f"{name} header: mailing list or newsletter"
    if msg.in_reply_to or msg.references:
        return "reply", "In-Reply-To/References present"
    if TICKET_TAG.search(msg.subject):
        return "reply", "ticket tag in the subject"
    if _REPLY_SUBJECT.match(msg.subject):
        return "reply", "reply prefix in the subject"
    return "new", "a new request"


def no_reply_address(address: str) -> bool:
    local = address.split("@")[0].lower()
    return bool(
        re.fullmatch(
            r"(no-?reply|do-?not-?reply|donotreply|noreply-\w+|bounces?|"
            r"mailer-daemon|postmaster|notifications?)(\+.*)?",
            local,
        )
    )
