"""Organizers handling a case: every change is checked against the rules, recorded on the
append-only timeline, and followed by a card update and a line in the case thread."""

from datetime import datetime

from sqlalchemy.orm import Session

from db.enums import CaseStatus, Outcome, TimelineKind
from db.models import Case
from workflows.access import Actor, involved_ids, load_for, stepped_back_ids
from workflows.errors import InvalidInput, WorkflowError
from workflows.messages import MessageKind
from workflows.own_up import withdraw_open_requests
from workflows.ports import Notifier
from workflows.timeline import announce, check_text, ensure_open, record_entry


def acknowledge_case(session: Session, notifier: Notifier, *, case_id: int, actor: Actor, now: datetime) -> Case:
    case = load_for(session, case_id, actor)
    ensure_open(case)
    if case.acknowledged_by is not None:
        raise WorkflowError(f"{case.reference} was already acknowledged by <@{case.acknowledged_by}>.")
    _acknowledge(case, actor.user_id, now)
    entry = record_entry(case, notifier, TimelineKind.ACKNOWLEDGED, actor.user_id, now, "Acknowledged the case")
    announce(session, case, notifier, entry)
    if case.follow_up_allowed:
        notifier.to_reporter(case.id, MessageKind.ACKNOWLEDGED)
        case.reporter_contacted_at = now
    return case


def _acknowledge(case: Case, user_id: str, now: datetime) -> None:
    case.acknowledged_by, case.acknowledged_at = user_id, now
    if case.status is CaseStatus.NEW:
        case.status = CaseStatus.ACKNOWLEDGED


def assign_case(
    session: Session, notifier: Notifier, *, case_id: int, actor: Actor, assignee_id: str | None, now: datetime
) -> Case:
    case = load_for(session, case_id, actor)
    ensure_open(case)
    if not assignee_id:
        raise InvalidInput("assignee", "Please choose who leads this case.")
    if assignee_id not in actor.channel_members:
        raise InvalidInput("assignee", f"<@{assignee_id}> is not an organizer of this case.")
    if assignee_id in involved_ids(case):
        raise InvalidInput("assignee", f"<@{assignee_id}> is named in this case and can't lead it.")
    if assignee_id in stepped_back_ids(session, case.id):
        raise InvalidInput("assignee", "That organizer stepped back from this case and can't lead it.")
    if assignee_id == case.assignee_id:
        raise InvalidInput("assignee", f"<@{assignee_id}> already leads this case.")
    case.assignee_id = assignee_id
    if case.acknowledged_by is None:
        _acknowledge(case, actor.user_id, now)
    entry = record_entry(
        case, notifier, TimelineKind.ASSIGNED, actor.user_id, now, f"Assigned the case to <@{assignee_id}>"
    )
    announce(session, case, notifier, entry)
    return case


def change_status(
    session: Session, notifier: Notifier, *, case_id: int, actor: Actor, status: CaseStatus, now: datetime
) -> Case:
    """Move an open case between open statuses; closing and reopening have flows of their own."""
    case = load_for(session, case_id, actor)
    ensure_open(case)
    if status is CaseStatus.CLOSED:
        raise WorkflowError("Use Close: closing needs an outcome and a summary for the record.")
    if status is CaseStatus.NEW:
        raise WorkflowError("A case can't go back to new.")
    if status is case.status:
        raise WorkflowError(f"{case.reference} is already {status.value.replace('_', ' ')}.")
    if status is CaseStatus.ACTION_TAKEN and not case.actions:
        raise WorkflowError("Record the action first (Record action), then the status follows.")
    previous = case.status
    if case.acknowledged_by is None:
        _acknowledge(case, actor.user_id, now)
    case.status = status
    summary = f"Changed the status from {_words(previous)} to {_words(status)}"
    entry = record_entry(case, notifier, TimelineKind.STATUS_CHANGED, actor.user_id, now, summary)
    announce(session, case, notifier, entry)
    return case


def _words(status: CaseStatus) -> str:
    return status.value.replace("_", " ")


def add_note(session: Session, notifier: Notifier, *, case_id: int, actor: Actor, text: str, now: datetime) -> Case:
    case = load_for(session, case_id, actor)
    note = check_text(text, "note", "the note")
    entry = record_entry(case, notifier, TimelineKind.NOTE, actor.user_id, now, "Added a note", body=note)
    announce(session, case, notifier, entry)
    return case


def message_reporter(
    session: Session, notifier: Notifier, *, case_id: int, actor: Actor, text: str, now: datetime
) -> Case:
    """Relay an organizer's words to the reporter, in the app's name."""
    case = load_for(session, case_id, actor)
    if not case.follow_up_allowed:
        raise WorkflowError("The reporter asked not to be contacted, so they can't be messaged.")
    message = check_text(text, "message", "your message")
    entry = record_entry(
        case, notifier, TimelineKind.MESSAGE_TO_REPORTER, actor.user_id, now, "Messaged the reporter", body=message
    )
    announce(session, case, notifier, entry)
    notifier.to_reporter(case.id, MessageKind.ORGANIZER_MESSAGE, entry_id=entry.id)
    case.reporter_contacted_at = now
    return case


def close_case(
    session: Session,
    notifier: Notifier,
    *,
    case_id: int,
    actor: Actor,
    outcome: Outcome | None,
    summary: str,
    now: datetime,
) -> Case:
    case = load_for(session, case_id, actor)
    ensure_open(case)
    if outcome is None:
        raise InvalidInput("outcome", "Please choose the outcome.")
    closing = check_text(summary, "summary", "a closing summary for the record")
    case.status, case.outcome, case.closing_summary, case.closed_at = CaseStatus.CLOSED, outcome, closing, now

    withdraw_open_requests(session, notifier, case, now)
    if case.acknowledged_by is None:
        case.acknowledged_by, case.acknowledged_at = actor.user_id, now
    entry = record_entry(
        case,
        notifier,
        TimelineKind.CLOSED,
        actor.user_id,
        now,
        f"Closed the case: {outcome.value.replace('_', ' ')}",
        body=closing,
    )
    announce(session, case, notifier, entry)
    if case.follow_up_allowed:
        notifier.to_reporter(case.id, MessageKind.CLOSED)
    return case


def reopen_case(
    session: Session, notifier: Notifier, *, case_id: int, actor: Actor, reason: str, now: datetime
) -> Case:
    case = load_for(session, case_id, actor)
    if case.status is not CaseStatus.CLOSED:
        raise WorkflowError(f"{case.reference} is not closed.")
    why = check_text(reason, "reason", "why the case is reopened")
    case.status, case.outcome, case.closed_at = CaseStatus.INVESTIGATING, None, None
    entry = record_entry(case, notifier, TimelineKind.REOPENED, actor.user_id, now, "Reopened the case", body=why)
    announce(session, case, notifier, entry)
    return case
