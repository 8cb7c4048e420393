"""Intake: a mail that belongs to a ticket — a new ticket, or a follow-up on one.

Input: the parsed mail with its kind and threading reason, the batch's `Queries` and
`Writes`, and a reference to the mail's raw row. Output: the ticket (new or changed), its
rows and the outgoing mail in `Writes`. Runs rules → incident → SLA → ticket → respond for a
new ticket; ticket → respond for a follow-up. Every step is a named stage (`stages.stage`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from maild import agents, incidents, respond, rules, tickets
from maild.agent_reply import AgentReply
from maild.compose import Renderer
from maild.database.models import Incident, Ticket
from maild.database.queries import Queries
from maild.database.writes import Ref, Writes
from maild.durations import parse_seconds
from maild.message import Kind, ParsedMessage, RuleHit, Seen, Triage
from maild.rules._model import Model
from maild.rules.words import Words
from maild.settings import PRIORITIES, Settings, rank
from maild.sla import Calendar
from maild.stages import stage
from maild.store.files import FileStore
from maild.tickets import SYSTEM, event

INCIDENT_FLOOR = "P2"


@dataclass(frozen=True, slots=True)
class Mail:
    """One accepted mail, as intake needs it."""

    msg: ParsedMessage
    kind: Kind
    reason: str  # how it was classified and threaded
    arrival: datetime
    raw: Ref | int
    silent: bool


class Intake:
    def __init__(self, settings: Settings, renderer: Renderer, calendar: Calendar,
                 words: Words, files: FileStore, model: Model | None = None) -> None:
        self.settings = settings
        self.renderer = renderer
        self.calendar = calendar
        self.words = words
        self.model = model
        self.agent = AgentReply(settings, renderer, calendar, files)

    def incident_window(self) -> timedelta:
        return timedelta(seconds=parse_seconds(self.settings.incidents.window))

    def new_ticket(
        self, s: Session, q: Queries, w: Writes, m: Mail, number: int
    ) -> tuple[Ticket, bool]:
        """The new ticket, and whether the customer is acknowledged."""
        msg, settings = m.msg, self.settings
        ctx = rules.context_for(settings, m.arrival, self.words, self.model)
        verdict = stage("rules", rules.evaluate, msg, ctx)
        hits, priority = verdict.hits, verdict.priority
        decision = stage(
            "incident",
            incidents.decide,
            msg.error_codes,
            msg.sender.address,
            q.batch.seen_codes,
            set(q.batch.incidents),
            settings.incidents.customers,
        )
        if decision is not None and rank(priority) > rank(INCIDENT_FLOOR):
            priority = INCIDENT_FLOOR
            hits += (RuleHit("batch-incident", f"priority={INCIDENT_FLOOR}", decision.reason),)
        due = stage("sla", self.calendar.due, m.arrival, priority)
        triage = Triage(
            m.kind,
            None,
            m.reason,
            verdict.category,
            priority,
            hits,
            due,
            queue=verdict.queue,
            incident=decision.code if decision else "",
        )
        ticket = stage("ticket", tickets.create, w, number, msg, triage, m.arrival)
        stage("ticket", tickets.message, w, number, msg, m.raw, m.kind, m.arrival)
        if decision is not None:
            stage("incident", self._link, s, q, w, ticket, decision, m)
        q.batch.seen_codes += [Seen(c, number, msg.sender.address, None) for c in msg.error_codes]
        acked = stage("respond", respond.ack, w, q, settings, self.renderer, ticket, msg,
                      triage, m.arrival, m.silent)
        if not m.silent:
            stage("respond", respond.notify, w, q, settings, self.renderer, ticket, msg, triage,
                  m.arrival, True)
        return ticket, acked

    def follow_up(self, q: Queries, w: Writes, m: Mail, ticket: Ticket, agent: bool) -> str:
        """Record a follow-up; return what happened, in words."""
        if agent:
            return str(stage("agent", self.agent.handle, q, w, ticket, m.msg, m.raw, m.arrival))
        triage = Triage(m.kind, ticket.number, m.reason, ticket.category, ticket.priority, (),
                        None)
        stage("ticket", tickets.message, w, ticket.number, m.msg, m.raw, m.kind, m.arrival)
        if m.kind in ("auto_reply", "bounce", "bulk"):
            stage("ticket", tickets.follow_up, w, ticket, m.msg, triage, m.arrival)
            return m.reason
        rated = agents.rating(m.msg.text) if ticket.status == "resolved" else None
        if rated is not None:
            ticket.rating, ticket.updated_at = rated, m.arrival
            w.events.append(event(ticket.number, m.arrival, m.msg.sender.address,
                                  f"satisfaction: {rated}", "one-word answer to the resolution"))
            return f"{m.reason}; satisfaction recorded ({rated})"
        what = m.reason
        if ticket.status == "resolved" and agents.not_fixed(m.msg.text):
            higher = PRIORITIES[max(0, rank(ticket.priority) - 1)]
            before = tickets.set_priority(ticket, higher, self.calendar, m.arrival)
            ticket.first_response_at = ticket.resolved_at = None
            w.events.append(event(ticket.number, m.arrival, m.msg.sender.address,
                                  f"priority {before} → {ticket.priority}",
                                  "the customer says the problem is not solved"))
            what += "; reopened one priority higher: not solved"
        stage("ticket", tickets.follow_up, w, ticket, m.msg, triage, m.arrival)
        if not m.silent:
            stage("respond", respond.notify, w, q, self.settings, self.renderer, ticket, m.msg,
                  triage, m.arrival, False)
        return what

    def _link(
        self,
        s: Session,
        q: Queries,
        w: Writes,
        ticket: Ticket,
        decision: incidents.Decision,
        m: Mail,
    ) -> None:
        """Put the ticket (and, for a new incident, the earlier ones) on the incident."""
        if decision.action == "join":
            incident = q.batch.incidents[decision.code]
            ticket.incident = incident
            w.events.append(
                event(
                    ticket.number,
                    m.arrival,
                    SYSTEM,
                    f"joined batch incident {decision.code}",
                    decision.reason,
                )
            )
            return
        incident = Incident(
            key=decision.code[:200],
            title=f"{decision.code}: {ticket.subject}",
            priority=ticket.priority,
            status="open",
            created_at=m.arrival,
            updated_at=m.arrival,
        )
        s.add(incident)
        q.batch.incidents[decision.code] = incident
        ticket.incident = incident
        linked = [ticket]
        for number in decision.tickets:
            other = q.ticket(number)
            if other is None:
                continue
            other.incident = incident
            if rank(other.priority) > rank(INCIDENT_FLOOR):
                tickets.set_priority(other, INCIDENT_FLOOR, self.calendar, other.created_at)
            linked.append(other)
        for t in linked:
            w.events.append(
                event(
                    t.number,
                    m.arrival,
                    SYSTEM,
                    f"batch incident {decision.code} formed",
                    decision.reason,
                )
            )
        respond.announce_incident(w, self.settings, self.renderer, decision.code, linked, m.arrival)

