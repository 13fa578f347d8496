"""Who may act on a case: an organizer of it is a member of the channel the case lives in,
is not named in it and has not stepped back from it. Decided from the signed request's user id and the channel's members
as Slack reports them, never from anything in a payload."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.enums import Routing
from db.models import Case, StepBack
from workflows.errors import NotAllowed, NotFound

ONLY_ORGANIZERS = "Only organizers of this case can do this."
NAMED_IN_CASE = "You are named in this case, so you can't act on it. Another organizer will handle it."
STEPPED_BACK = (
    "You stepped back from this case, so you can't open it or act on it. To step back in, press "
    "*Step back in* on the card and choose another organizer to confirm."
)


@dataclass(frozen=True)
class Actor:
    """Who is acting, and the current members of the channel the case lives in (fetched by
    the caller from Slack, outside any transaction)."""

    user_id: str
    channel_members: frozenset[str]


def case_channel(session: Session, case_id: int) -> str | None:
    """The channel whose members are this case's organizers (None: nobody may act on it)."""
    case = session.get(Case, case_id)
    if case is None or case.routing not in (Routing.ORGANIZERS, Routing.ESCALATED):
        return None
    return case.channel_id


def load_for(session: Session, case_id: int, actor: Actor) -> Case:
    """The case, if ``actor`` may act on it: a member of its channel, not named in it and not
    stepped back from it."""
    case = load_as_member(session, case_id, actor)
    if actor.user_id in stepped_back_ids(session, case.id):
        raise NotAllowed(STEPPED_BACK)
    return case


def load_as_member(session: Session, case_id: int, actor: Actor) -> Case:
    """The case, if ``actor`` is a member of its channel and not named in it (stepped back or not)."""
    case = session.get(Case, case_id, with_for_update=True)
    if case is None:
        raise NotFound(ONLY_ORGANIZERS)  # don't confirm to a stranger that an id exists
    if case.routing not in (Routing.ORGANIZERS, Routing.ESCALATED) or actor.user_id not in actor.channel_members:
        raise NotAllowed(ONLY_ORGANIZERS)
    if actor.user_id in involved_ids(case):
        raise NotAllowed(NAMED_IN_CASE)
    return case


def involved_ids(case: Case) -> set[str]:
    return {party.slack_user_id for party in case.involved}


def stepped_back_ids(session: Session, case_id: int) -> set[str]:
    """Organizers stepped back from the case now."""
    return set(
        session.scalars(select(StepBack.user_id).where(StepBack.case_id == case_id, StepBack.ended_at.is_(None)))
    )
