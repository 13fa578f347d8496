"""Who may act on a case: an organizer of it is a member of the channel the case lives in
and is not named in it. Decided from the signed request's user id and the channel's members
as Slack reports them, never from anything in a payload."""

from dataclasses import dataclass

from sqlalchemy.orm import Session

from db.enums import Routing
from db.models import Case
from workflows.errors import NotAllowed, NotFound

ONLY_ORGANIZERS = "Only organizers of this case can do this."
NAMED_IN_CASE = "You are named in this case, so you can't act on it. Another organizer will handle it."


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
    """The case, if ``actor`` may act on it: a member of its channel and not named in it."""
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
