"""An agent's reply by mail: commands applied, the answer relayed to the customer.

Input: the agent's parsed mail on a ticket (authenticity already checked by
`maild.agents.agent_check`). Output: the agent's message on the ticket, one event per applied
command (with the agent as actor), the relay to the customer in the outbox (threaded to the
customer's own mails, tagged, with the agent's attachments) unless it is an internal note,
the first response recorded for the SLA, and — when a command is invalid — a mail back to
the agent with the error and nothing applied at all.
"""

from __future__ import annotations

from datetime import datetime

from maild import agent_commands
from maild.compose import Renderer, build
from maild.database.models import Ticket
from maild.database.queries import Queries
from maild.database.writes import Ref, Writes
from maild.message import ParsedMessage
from maild.respond import domain, outbox_row, reply_address, tagged
from maild.settings import Settings, rank
from maild.sla import Calendar
from maild.store.files import FileStore
from maild.tickets import event, message, set_priority

ESCALATION_TARGET = "1h"


class AgentReply:
    def __init__(self, settings: Settings, renderer: Renderer, calendar: Calendar,
                 files: FileStore) -> None:
        self.settings = settings
        self.renderer = renderer
        self.calendar = calendar
        self.files = files

    def handle(self, q: Queries, w: Writes, ticket: Ticket, msg: ParsedMessage, raw: Ref | int,
               now: datetime) -> str:
        """Apply the reply; return what happened, in words (for `ingest --json`)."""
        agent = msg.sender.address
        parsed = agent_commands.parse(msg.text)
        if parsed.errors:
            message(w, ticket.number, msg, raw, "agent_reply", now, direction="out",
                    text=parsed.text)
            w.events.append(event(ticket.number, now, agent, "commands rejected",
                                  "; ".join(parsed.errors)))
            self._tell_agent(q, w, ticket, msg, parsed.errors, now)
            return "commands rejected; nothing applied and nothing sent to the customer"
        kind = "note" if parsed.internal else "agent_reply"
        message(w, ticket.number, msg, raw, kind, now, direction="out", text=parsed.text)
        resolved = False
        for command in parsed.commands:
            resolved |= self._apply(q, w, ticket, command, agent, msg, now)
        ticket.updated_at = now
        if parsed.internal:
            return "internal note: nothing sent to the customer"
        if parsed.text or resolved:
            self._relay(q, w, ticket, msg, parsed.text, resolved, now)
            if ticket.first_response_at is None and parsed.text:
                ticket.first_response_at = now
                w.events.append(event(ticket.number, now, agent, "first response",
                                      f"due {ticket.first_response_due.isoformat()}"))
            if ticket.status == "new":
                ticket.status = "open"
            return "relayed to the customer"
        return "commands applied"

    def _apply(self, q: Queries, w: Writes, ticket: Ticket, c: agent_commands.Command,
               agent: str, msg: ParsedMessage, now: datetime) -> bool:
        n = ticket.number
        if c.name == "status":
            before, ticket.status = ticket.status, c.value
            if c.value == "resolved":
                ticket.resolved_at = now
            if c.value == "closed":
                ticket.closed_at = now
            w.events.append(event(n, now, agent, f"status {before} → {c.value}", "#status"))
            return c.value == "resolved"
        if c.name == "priority":
            before = set_priority(ticket, c.value, self.calendar, ticket.created_at)
            w.events.append(event(n, now, agent, f"priority {before} → {c.value}", "#priority"))
        elif c.name == "assign":
            ticket.assignee = c.value
            w.events.append(event(n, now, agent, f"assigned to {c.value}", "#assign"))
        elif c.name == "category":
            before, ticket.category = ticket.category, c.value
            w.events.append(event(n, now, agent, f"category {before} → {c.value}", "#category"))
        elif c.name == "note":
            w.events.append(event(n, now, agent, "internal note", c.value or "(see message)"))
        elif c.name == "escalate":
            self._escalate(w, ticket, msg, agent, now)
        elif c.name == "merge":
            target = int(c.value)
            other = q.ticket(target)
            if other is None or target == n:
                w.events.append(event(n, now, agent, "merge refused",
                                      f"no ticket #{target} to merge into"))
            else:
                ticket.parent_number, ticket.status, ticket.closed_at = target, "closed", now
                w.events.append(event(n, now, agent, f"merged into #{target}", "#merge"))
                w.events.append(event(target, now, agent, f"ticket #{n} merged into this",
                                      "#merge"))
        return False

    def _escalate(self, w: Writes, ticket: Ticket, msg: ParsedMessage, agent: str,
                  now: datetime) -> None:
        tier2 = self.settings.agents.escalation
        if rank(ticket.priority) > rank("P2"):
            before = set_priority(ticket, "P2", self.calendar, ticket.created_at)
            w.events.append(event(ticket.number, now, agent, f"priority {before} → P2",
                                  "#escalate"))
        w.events.append(event(ticket.number, now, agent, "escalated",
                              f"to {tier2 or '(no escalation address configured)'}; "
                              f"response target {ESCALATION_TARGET}"))
        if not tier2:
            return
        text = self.renderer.render("escalation", "en", {
            "ticket": ticket.number, "subject": ticket.subject, "agent": agent,
            "customer": ticket.customer_address, "priority": ticket.priority,
            "target": ESCALATION_TARGET, "text": msg.text})
        out = build("escalation", sender_name=self.settings.support.name,
                    sender=self.settings.support.address, to=(tier2,),
                    subject=tagged(ticket, f"Escalated: {ticket.subject}", self.settings),
                    body=text, domain=domain(self.settings), now=now, ticket=ticket.number,
                    auto=False)
        w.outbox.append(outbox_row(out, ticket.number, now))

    def _relay(self, q: Queries, w: Writes, ticket: Ticket, msg: ParsedMessage, text: str,
               resolved: bool, now: datetime) -> None:
        lang = ticket.language if ticket.language in ("zh", "en") else \
            self.settings.support.language
        body = self.renderer.render("relay", lang, {
            "ticket": ticket.number, "text": text, "resolved": resolved,
            "agent_name": msg.sender.name, "support_name": self.settings.support.name})
        last, refs = q.customer_thread(ticket.number)
        files = tuple((a.safe_name, a.content_type, self.files.read_attachment(a.sha256))
                      for a in msg.attachments if not a.inline)
        out = build("relay", sender_name=self.settings.support.name,
                    sender=self.settings.support.address, to=(ticket.customer_address,),
                    subject=tagged(ticket, f"Re: {ticket.subject}", self.settings), body=body,
                    domain=domain(self.settings), now=now, in_reply_to=last, references=refs,
                    ticket=ticket.number, auto=False, attachments=files,
                    reply_to=reply_address(q, self.settings, ticket.number))
        q.remember_outgoing(out.message_id, ticket.number)
        w.outbox.append(outbox_row(out, ticket.number, now))

    def _tell_agent(self, q: Queries, w: Writes, ticket: Ticket, msg: ParsedMessage,
                    errors: tuple[str, ...], now: datetime) -> None:
        text = self.renderer.render("agent_error", "en", {
            "ticket": ticket.number, "errors": list(errors)})
        out = build("agent_error", sender_name=self.settings.support.name,
                    sender=self.settings.support.address, to=(msg.sender.address,),
                    subject=tagged(ticket, f"Not applied: {msg.subject}", self.settings),
                    body=text, domain=domain(self.settings), now=now,
                    in_reply_to=msg.message_id, ticket=ticket.number, auto=True)
        q.remember_outgoing(out.message_id, ticket.number)
        w.outbox.append(outbox_row(out, ticket.number, now))
