"""Thread stage: which existing ticket, if any, a mail belongs to — and why.

Input: ParsedMessage and a read-only `Lookup` (queries over stored mail). Output: `Threaded`
(the ticket or None, the reason, and a ticket a stranger's tag pointed at). In order:
In-Reply-To/References to any Message-ID we stored or sent; the subject tag [#N] — but only
from the ticket's customer, an agent, or a participant, so nobody can write to someone
else's ticket by guessing numbers (a stranger's tag makes a new ticket linked to that one).
The same subject alone is never enough.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from maild.classify import TICKET_TAG
from maild.message import ParsedMessage


class Lookup(Protocol):
    def ticket_by_message_ids(self, ids: tuple[str, ...]) -> int | None: ...
    def ticket_customer(self, number: int) -> str | None: ...
    def is_participant(self, number: int, address: str) -> bool: ...


@dataclass(frozen=True, slots=True)
class Threaded:
    ticket: int | None  # the ticket the mail belongs to
    reason: str
    foreign: int | None = None  # a ticket whose tag a stranger quoted: link, never append


def find(msg: ParsedMessage, lookup: Lookup, agents: tuple[str, ...],
         token: int | None = None) -> Threaded:
    """`token`: the ticket a valid reply token among the recipients names (see tokens.py)."""
    ids = tuple(dict.fromkeys(msg.in_reply_to + tuple(reversed(msg.references))))
    if ids:
        number = lookup.ticket_by_message_ids(ids)
        if number is not None:
            return Threaded(number, "In-Reply-To/References name a mail of this ticket")
    candidates = [(token, "reply token")] if token is not None else []
    candidates += [(int(m.group(1)), f"subject tag [#{m.group(1)}]")
                   for m in TICKET_TAG.finditer(msg.subject)]
    for number, how in candidates:
        customer = lookup.ticket_customer(number)
        if customer is None:
            continue
        sender = msg.sender.address
        if (sender == customer or sender in agents or lookup.is_participant(number, sender)
                or _same_organisation(sender, customer)):
            role = _role(sender, customer, agents)
            return Threaded(number, f"{how} from the ticket's {role}")
        return Threaded(None, f"{how} of #{number} from {_mask(sender)}, who is not on that "
                              "ticket: a new ticket, linked to it", foreign=number)
    return Threaded(None, "no reference to a known ticket")


FREEMAIL = frozenset({"gmail.com", "qq.com", "163.com", "126.com", "outlook.com", "hotmail.com",
                      "yahoo.com", "foxmail.com", "sina.com", "icloud.com", "live.com",
                      "aliyun.com", "yeah.net", "sohu.com", "139.com", "proton.me"})


def _same_organisation(sender: str, customer: str) -> bool:
    """A colleague at the customer's own company domain (never a free-mail domain)."""
    domain = customer.rpartition("@")[2]
    return bool(domain) and domain not in FREEMAIL and sender.rpartition("@")[2] == domain


def _role(sender: str, customer: str, agents: tuple[str, ...]) -> str:
    if sender == customer:
        return "customer"
    if _same_organisation(sender, customer) and sender not in agents:
        return "customer's colleague"
    return "agent" if sender in agents else "participant"


def _mask(address: str) -> str:
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"
