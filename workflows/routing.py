"""Deciding where a case lives, so that nobody named in a report can see it."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from db.enums import Routing, TimelineKind
from db.models import Case, TimelineEntry
from workflows.errors import NotFound
from workflows.step_back import step_back_named


@dataclass(frozen=True)
class Channels:
    organizers: str
    escalation: str | None = None


@dataclass(frozen=True)
class Membership:
    """Who is in the organizers' and escalation channels right now."""

    organizers: frozenset[str]
    escalation: frozenset[str] | None = None


def choose_routing(involved: set[str], channels: Channels, members: Membership) -> tuple[Routing, str | None]:
    """The organizers' channel, unless an organizer is involved: then the escalation channel,
    unless they are there too or there is none: then nowhere (held)."""
    if not involved & members.organizers:
        return Routing.ORGANIZERS, channels.organizers
    if channels.escalation and members.escalation is not None and not involved & members.escalation:
        return Routing.ESCALATED, channels.escalation
    return Routing.HELD, None


def route_case(session: Session, *, case_id: int, channels: Channels, members: Membership, now: datetime) -> Case:
    """Settle a pending case's channel once; a routed case keeps the one it has."""
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound(f"case {case_id} does not exist")
    if case.routing is not Routing.PENDING:
        return case
    involved = {party.slack_user_id for party in case.involved}
    case.routing, case.channel_id = choose_routing(involved, channels, members)
    summary = {
        Routing.ORGANIZERS: "Sent to the organizers' channel",
        Routing.ESCALATED: "Sent to the escalation channel: an organizer is named in this report",
        Routing.HELD: "Held: an organizer is named and no channel without them is available",
    }[case.routing]
    kind = TimelineKind.HELD if case.routing is Routing.HELD else TimelineKind.ROUTED
    case.timeline.append(TimelineEntry(kind=kind, at=now, summary=summary))
    step_back_named(session, case, set(members.organizers) | set(members.escalation or ()), now)
    case.updated_at = now
    session.flush()
    return case
