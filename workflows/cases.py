"""Organizers handling a case: every change is checked against the rules, recorded on the
append-only timeline, and followed by a card update and a line in the case thread."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import (
    ActionKind,
    ActionResult,
    Case,
    CaseAction,
    CaseStatus,
    Outcome,
    TimelineEntry,
    TimelineKind,
)
from workflows.access import Actor, involved_ids, load_for
from workflows.errors import InvalidInput, NotFound, WorkflowError
from workflows.own_up import withdraw_open_requests
from workflows.ports import Notifier

TEXT_MAX = 3000

# Actions the app carries out in Slack itself, after the organizer confirms.
CARRIED_OUT_IN_SLACK = {ActionKind.REMOVED_FROM_CHANNEL, ActionKind.EXPELLED}


def _record(
    case: Case,
    notifier: Notifier,
    kind: TimelineKind,
    actor_id: str | None,
    now: datetime,
    summary: str,
    body: str | None = None,
) -> TimelineEntry:
    entry = TimelineEntry(kind=kind, actor_id=actor_id, at=now, summary=summary, body=body)
    case.timeline.append(entry)
    case.updated_at = now
    return entry


def _announce(session: Session, case: Case, notifier: Notifier, entry: TimelineEntry) -> None:
    session.flush()
    notifier.to_organizers(case.id, "card_update")
    notifier.to_organizers(case.id, "thread_line", entry_id=entry.id)


def _text(value: str | None, field: str, what: str) -> str:
    text = (value or "").strip()
    if not text:
        raise InvalidInput(field, f"Please write {what}.")
    if len(text) > TEXT_MAX:
        raise InvalidInput(field, f"Please keep this under {TEXT_MAX:,} characters.")
    return text


def _ensure_open(case: Case) -> None:
    if case.status is CaseStatus.CLOSED:
        raise WorkflowError(f"{case.reference} is closed. Reopen it first.")


def acknowledge_case(session: Session, notifier: Notifier, *, case_id: int, actor: Actor, now: datetime) -> Case:
    case = load_for(session, case_id, actor)
    _ensure_open(case)
    if case.acknowledged_by is not None:
        raise WorkflowError(f"{case.reference} was already acknowledged by <@{case.acknowledged_by}>.")
    _acknowledge(case, actor.user_id, now)
    entry = _record(case, notifier, TimelineKind.ACKNOWLEDGED, actor.user_id, now, "Acknowledged the case")
    _announce(session, case, notifier, entry)
    if case.follow_up_allowed:
        notifier.to_reporter(case.id, "acknowledged")
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
    _ensure_open(case)
    if not assignee_id:
        raise InvalidInput("assignee", "Please choose who leads this case.")
    if assignee_id not in actor.channel_members:
        raise InvalidInput("assignee", f"<@{assignee_id}> is not an organizer of this case.")
    if assignee_id in involved_ids(case):
        raise InvalidInput("assignee", f"<@{assignee_id}> is named in this case and can't lead it.")
    if assignee_id == case.assignee_id:
        raise InvalidInput("assignee", f"<@{assignee_id}> already leads this case.")
    case.assignee_id = assignee_id
    if case.acknowledged_by is None:
        _acknowledge(case, actor.user_id, now)
    entry = _record(case, notifier, TimelineKind.ASSIGNED, actor.user_id, now, f"Assigned the case to <@{assignee_id}>")
    _announce(session, case, notifier, entry)
    return case


def change_status(
    session: Session, notifier: Notifier, *, case_id: int, actor: Actor, status: CaseStatus, now: datetime
) -> Case:
    """Move an open case between open statuses; closing and reopening have flows of their own."""
    case = load_for(session, case_id, actor)
    _ensure_open(case)
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
    entry = _record(case, notifier, TimelineKind.STATUS_CHANGED, actor.user_id, now, summary)
    _announce(session, case, notifier, entry)
    return case


def _words(status: CaseStatus) -> str:
    return status.value.replace("_", " ")


def add_note(session: Session, notifier: Notifier, *, case_id: int, actor: Actor, text: str, now: datetime) -> Case:
    case = load_for(session, case_id, actor)
    note = _text(text, "note", "the note")
    entry = _record(case, notifier, TimelineKind.NOTE, actor.user_id, now, "Added a note", body=note)
    _announce(session, case, notifier, entry)
    return case


def message_reporter(
    session: Session, notifier: Notifier, *, case_id: int, actor: Actor, text: str, now: datetime
) -> Case:
    """Relay an organizer's words to the reporter, in the app's name."""
    case = load_for(session, case_id, actor)
    if not case.follow_up_allowed:
        raise WorkflowError("The reporter asked not to be contacted, so they can't be messaged.")
    message = _text(text, "message", "your message")
    entry = _record(
        case, notifier, TimelineKind.MESSAGE_TO_REPORTER, actor.user_id, now, "Messaged the reporter", body=message
    )
    _announce(session, case, notifier, entry)
    notifier.to_reporter(case.id, "organizer_message", entry_id=entry.id)
    case.reporter_contacted_at = now
    return case


@dataclass(frozen=True)
class ActionForm:
    kind: ActionKind | None
    subject_id: str | None
    reason: str
    decided_by: str | None = None
    message: str | None = None
    channel_ids: tuple[str, ...] = ()


def record_action(
    session: Session, notifier: Notifier, *, case_id: int, actor: Actor, form: ActionForm, now: datetime
) -> CaseAction:
    """Record what organizers decided. Actions the app carries out in Slack wait for
    ``confirm_action``; "asked to stop" sends the organizer's words to the person."""
    case = load_for(session, case_id, actor)
    _ensure_open(case)
    if form.kind is None:
        raise InvalidInput("kind", "Please choose what was done.")
    reason = _text(form.reason, "reason", "why this was decided")
    needs_subject = form.kind is ActionKind.ASKED_TO_STOP or form.kind in CARRIED_OUT_IN_SLACK
    if needs_subject and not form.subject_id:
        raise InvalidInput("subject", "Please choose the person this applies to.")
    message = (
        _text(form.message, "message", "the message to send them") if form.kind is ActionKind.ASKED_TO_STOP else None
    )
    if form.kind is ActionKind.REMOVED_FROM_CHANNEL and not form.channel_ids:
        raise InvalidInput("channels", "Please choose the channels to remove them from.")
    if form.kind in CARRIED_OUT_IN_SLACK and form.subject_id in actor.channel_members:
        # Removing an organizer from channels would also drop them from the case's own.
        raise InvalidInput("subject", "The app won't remove an organizer from channels; do it by hand.")
    carried_out = form.kind in CARRIED_OUT_IN_SLACK and bool(form.channel_ids)
    action = CaseAction(
        kind=form.kind,
        subject_id=form.subject_id,
        decided_by=form.decided_by or actor.user_id,
        reason=reason,
        message=message,
        channel_ids=list(form.channel_ids),
        result=ActionResult.AWAITING_CONFIRMATION if carried_out else ActionResult.RECORDED,
        at=now,
    )
    case.actions.append(action)
    summary = f"Recorded an action: {form.kind.value.replace('_', ' ')}" + (
        f" for <@{form.subject_id}>" if form.subject_id else ""
    )
    if carried_out:
        summary += " (waiting for confirmation to carry it out in Slack)"
    entry = _record(case, notifier, TimelineKind.ACTION_RECORDED, actor.user_id, now, summary, body=reason)
    _announce(session, case, notifier, entry)
    if form.kind is ActionKind.ASKED_TO_STOP and form.subject_id:
        notifier.to_person(case.id, form.subject_id, "asked_to_stop", action_id=action.id)
    return action


def confirm_action(
    session: Session, notifier: Notifier, *, case_id: int, action_id: int, actor: Actor, confirmed: bool, now: datetime
) -> CaseAction:
    """The organizer confirmed (or called off) carrying out an action in Slack."""
    case = load_for(session, case_id, actor)
    action = session.scalar(select(CaseAction).where(CaseAction.id == action_id, CaseAction.case_id == case.id))
    if action is None or action.result is not ActionResult.AWAITING_CONFIRMATION:
        raise WorkflowError("This action is not waiting for confirmation any more.")
    if confirmed:
        action.result = ActionResult.PENDING
        summary = f"Confirmed: the app is removing <@{action.subject_id}> from {_channels(action.channel_ids)}"
    else:
        action.result = ActionResult.CANCELLED
        summary = "Called off carrying out the action in Slack (it stays recorded)"
    entry = _record(case, notifier, TimelineKind.ACTION_CARRIED_OUT, actor.user_id, now, summary)
    _announce(session, case, notifier, entry)
    if confirmed:
        notifier.to_organizers(case.id, "carry_out_action", action_id=action.id)
    return action


def record_action_result(
    session: Session, notifier: Notifier, *, action_id: int, failures: dict[str, str], now: datetime
) -> CaseAction:
    """What happened when the app carried out an action: per channel, done or why not."""
    action = session.get(CaseAction, action_id)
    if action is None:
        raise NotFound(f"action {action_id} does not exist")
    case = action.case
    if failures:
        action.result = ActionResult.FAILED
        action.result_detail = "; ".join(f"{channel}: {error}" for channel, error in failures.items())[:300]
        summary = f"Could not remove <@{action.subject_id}> from " + ", ".join(
            f"<#{channel}> ({error})" for channel, error in failures.items()
        )
    else:
        action.result = ActionResult.DONE
        summary = f"Removed <@{action.subject_id}> from {_channels(action.channel_ids)}"
    entry = _record(case, notifier, TimelineKind.ACTION_CARRIED_OUT, None, now, summary[:300])
    _announce(session, case, notifier, entry)
    return action


def _channels(channel_ids: list[str]) -> str:
    return ", ".join(f"<#{channel}>" for channel in channel_ids)


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
    _ensure_open(case)
    if outcome is None:
        raise InvalidInput("outcome", "Please choose the outcome.")
    closing = _text(summary, "summary", "a closing summary for the record")
    case.status, case.outcome, case.closing_summary, case.closed_at = CaseStatus.CLOSED, outcome, closing, now

    withdraw_open_requests(session, notifier, case, now)
    if case.acknowledged_by is None:
        case.acknowledged_by, case.acknowledged_at = actor.user_id, now
    entry = _record(
        case,
        notifier,
        TimelineKind.CLOSED,
        actor.user_id,
        now,
        f"Closed the case: {outcome.value.replace('_', ' ')}",
        body=closing,
    )
    _announce(session, case, notifier, entry)
    if case.follow_up_allowed:
        notifier.to_reporter(case.id, "closed")
    return case


def reopen_case(
    session: Session, notifier: Notifier, *, case_id: int, actor: Actor, reason: str, now: datetime
) -> Case:
    case = load_for(session, case_id, actor)
    if case.status is not CaseStatus.CLOSED:
        raise WorkflowError(f"{case.reference} is not closed.")
    why = _text(reason, "reason", "why the case is reopened")
    case.status, case.outcome, case.closed_at = CaseStatus.INVESTIGATING, None, None
    entry = _record(case, notifier, TimelineKind.REOPENED, actor.user_id, now, "Reopened the case", body=why)
    _announce(session, case, notifier, entry)
    return case
