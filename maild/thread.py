"""Thread stage: which existing ticket, if any, a mail belongs to — and why.

Input: ParsedMessage and a read-only `Lookup` (queries over stored mail). Output:
(ticket number or None, reason). In order: In-Reply-To/References to any Message-ID we
stored or sent; the subject tag [#N] — but only from the ticket's customer, an agent, or a
participant, so nobody can write to someone else's ticket by guessing numbers. The same
subject alone is never enough.
"""

from __future__ import annotations

from typing import Protocol

from maild.classify import TICKET_TAG
from maild.message import ParsedMessage


class Lookup(Protocol):
    def ticket_by_message_ids(self, ids: tuple[str, ...]) -> int | None: ...
    def ticket_customer(self, number: int) -> str | None: ...
    def is_participant(self, number: int, address: str) -> bool: ...


def find(msg: ParsedMessage, lookup: Lookup, agents: tuple[str, ...]) -> tuple[int | None, str]:
    ids = tuple(dict.fromkeys(msg.in_reply_to + tuple(reversed(msg.references))))
    if ids:
        number = lookup.ticket_by_message_ids(ids)
        if number is not None:
            return number, "In-Reply-To/References name a mail of this ticket"
    for m in TICKET_TAG.finditer(msg.subject):
        number = int(m.group(1))
        customer = lookup.ticket_customer(number)
        if customer is None:
            continue
        sender = msg.sender.address
        if sender == customer or sender in agents or lookup.is_participant(number, sender):
            return (
                number,
                f"subject tag [#{number}] from the ticket's {_role(sender, customer, agents)}",
            )
        return None, f"subject tag [#{number}] from {_mask(sender)}, who is not on that ticket"
    return None, "no reference to a known ticket"


def _role(sender: str, customer: str, agents: tuple[str, ...]) -> str:
    if sender == customer:
        return "customer"
    return "agent" if sender in agents else "participant"


def _mask(address: str) -> str:
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"
