"""Stepping back from a case: an organizer with a conflict leaves it without giving a reason.

From then on they can't open its report, act on it, lead it or be reminded of it, and the card
says that someone stepped back without saying who or why. They step back in only when another
organizer of the case, the one they ask, confirms it. An organizer named in a report is stepped
back from it automatically, for good (routing already keeps the case out of their channel).
"""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.enums import TimelineKind
from db.models import Case, StepBack
from workflows.access import NAMED_IN_CASE, Actor, involved_ids, load_as_member, load_for, stepped_back_ids
from workflows.errors import InvalidInput, NotAllowed, WorkflowError
from workflows.messages import MessageKind
from workflows.ports import Notifier
from workflows.timeline import announce, record_entry

NOT_STEPPED_BACK = "You haven't stepped back from this case."
NOT_ASKED = "This request to step back in is not yours to confirm, or it was answered already."


def step_back(session: Session, notifier: Notifier, *, case_id: int, actor: Actor, now: datetime) -> Case:
    case = load_for(session, case_id, actor)
    session.add(StepBack(case_id=case.id, user_id=actor.user_id, at=now))
    if case.assignee_id == actor.user_id:
        case.assignee_id = None  # nobody leads a case from outside it
    # No actor on the record: the thread must not say who stepped back.
    entry = record_entry(
        case, notifier, TimelineKind.STEPPED_BACK, None, now, "An organizer stepped back from the case"
    )
    announce(session, case, notifier, entry)
    return case


def step_back_named(session: Session, case: Case, organizers: set[str], now: datetime) -> None:
    """Organizers named in ``case`` stand stepped back from it, automatically."""
    for user_id in sorted(involved_ids(case) & organizers):
        session.add(StepBack(case_id=case.id, user_id=user_id, at=now, automatic=True))


def ask_to_step_back_in(
    session: Session, notifier: Notifier, *, case_id: int, actor: Actor, confirmer_id: str | None, now: datetime
) -> StepBack:
    """Ask ``confirmer_id`` (another organizer of the case) to confirm the return by DM."""
    case = load_as_member(session, case_id, actor)
    row = _active(session, case.id, actor.user_id)
    if row is None:
        raise WorkflowError(NOT_STEPPED_BACK)
    if row.automatic:
        raise NotAllowed(NAMED_IN_CASE)
    if not confirmer_id:
        raise InvalidInput("confirmer", "Please choose the organizer who confirms.")
    if confirmer_id == actor.user_id:
        raise InvalidInput("confirmer", "Another organizer confirms: choose someone else.")
    if confirmer_id not in actor.channel_members or confirmer_id in involved_ids(case):
        raise InvalidInput("confirmer", f"<@{confirmer_id}> is not an organizer of this case.")
    if confirmer_id in stepped_back_ids(session, case.id):
        raise InvalidInput("confirmer", "That organizer stepped back from this case too: choose someone else.")
    row.confirmer_id = confirmer_id
    session.flush()
    notifier.to_person(case.id, confirmer_id, MessageKind.STEP_IN_REQUEST, step_back_id=row.id)
    return row


def answer_step_in(
    session: Session,
    notifier: Notifier,
    *,
    case_id: int,
    actor: Actor,
    step_back_id: int,
    confirmed: bool,
    now: datetime,
) -> StepBack:
    """The asked organizer confirms (the step-back ends) or declines (the request goes)."""
    case = load_for(session, case_id, actor)
    row = session.get(StepBack, step_back_id, with_for_update=True)
    if row is None or row.case_id != case.id or row.ended_at is not None or row.confirmer_id != actor.user_id:
        raise WorkflowError(NOT_ASKED)
    if not confirmed:
        row.confirmer_id = None
        session.flush()
        return row
    row.ended_at, row.ended_by = now, actor.user_id
    summary = "Confirmed that an organizer who had stepped back steps back in"
    entry = record_entry(case, notifier, TimelineKind.STEPPED_IN, actor.user_id, now, summary)
    announce(session, case, notifier, entry)
    return row


def _active(session: Session, case_id: int, user_id: str) -> StepBack | None:
    return session.scalar(
        select(StepBack)
        .where(StepBack.case_id == case_id, StepBack.user_id == user_id, StepBack.ended_at.is_(None))
        .with_for_update()
    )
