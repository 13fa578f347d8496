"""Reporters add information by replying to the app's direct message."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db.enums import CaseStatus, PartyRole, Routing, TimelineKind
from db.models import Case, Party, ProcessedEvent, TimelineEntry
from workflows.messages import MessageKind
from workflows.ports import Notifier

MESSAGE_MAX = 3000


def claim_event(session: Session, event_id: str, now: datetime) -> bool:
    """Record a Slack event id; False when it was handled before (Slack re-delivers events)."""
    try:
        with session.begin_nested():
            session.add(ProcessedEvent(event_id=event_id, at=now))
    except IntegrityError:
        return False
    return True


def find_reporter_case(session: Session, reporter_id: str, thread_ts: str | None) -> Case | None:
    """The case a reporter's DM is about: the one whose message they replied to in a thread,
    else their most recent open case."""
    mine = (
        select(Case)
        .join(Party, Party.case_id == Case.id)
        .where(Party.role == PartyRole.REPORTER, Party.slack_user_id == reporter_id)
    )
    if thread_ts:
        case = session.scalar(mine.where(Case.reporter_dm_ts == thread_ts))
        if case is not None:
            return case
    return session.scalar(mine.where(Case.status != CaseStatus.CLOSED).order_by(Case.id.desc()).limit(1))


def add_reporter_message(
    session: Session, notifier: Notifier, *, reporter_id: str, text: str, thread_ts: str | None, now: datetime
) -> Case | None:
    """Add what a reporter wrote to their case and pass it on to the case thread.
    Returns None (and changes nothing) when they have no case to add it to."""
    case = find_reporter_case(session, reporter_id, thread_ts)
    if case is None:
        return None
    entry = TimelineEntry(
        kind=TimelineKind.REPORTER_MESSAGE,
        actor_id=None if case.anonymous else reporter_id,
        at=now,
        summary="The reporter added information",
        body=text.strip()[:MESSAGE_MAX],
    )
    case.timeline.append(entry)
    case.updated_at = now
    session.flush()
    if case.routing is not Routing.HELD:
        notifier.to_organizers(case.id, MessageKind.REPORTER_MESSAGE, entry_id=entry.id)
    notifier.to_reporter(case.id, MessageKind.REPORTER_MESSAGE_ADDED)
    return case
