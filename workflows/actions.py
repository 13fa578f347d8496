"""Recording what organizers decided, and carrying out in Slack what the app can do itself
(removing someone from channels) only after an organizer confirms it."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.enums import ActionKind, ActionResult, TimelineKind
from db.models import CaseAction
from workflows.access import Actor, load_for
from workflows.errors import InvalidInput, NotFound, WorkflowError
from workflows.messages import MessageKind
from workflows.ports import Notifier
from workflows.timeline import announce, check_text, ensure_open, record_entry

# Actions the app carries out in Slack itself, after the organizer confirms.
CARRIED_OUT_IN_SLACK = {ActionKind.REMOVED_FROM_CHANNEL, ActionKind.EXPELLED}


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
    ensure_open(case)
    if form.kind is None:
        raise InvalidInput("kind", "Please choose what was done.")
    reason = check_text(form.reason, "reason", "why this was decided")
    needs_subject = form.kind is ActionKind.ASKED_TO_STOP or form.kind in CARRIED_OUT_IN_SLACK
    if needs_subject and not form.subject_id:
        raise InvalidInput("subject", "Please choose the person this applies to.")
    message = (
        check_text(form.message, "message", "the message to send them")
        if form.kind is ActionKind.ASKED_TO_STOP
        else None
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
    entry = record_entry(case, notifier, TimelineKind.ACTION_RECORDED, actor.user_id, now, summary, body=reason)
    announce(session, case, notifier, entry)
    if form.kind is ActionKind.ASKED_TO_STOP and form.subject_id:
        notifier.to_person(case.id, form.subject_id, MessageKind.ASKED_TO_STOP, action_id=action.id)
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
    entry = record_entry(case, notifier, TimelineKind.ACTION_CARRIED_OUT, actor.user_id, now, summary)
    announce(session, case, notifier, entry)
    if confirmed:
        notifier.to_organizers(case.id, MessageKind.CARRY_OUT_ACTION, action_id=action.id)
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
    entry = record_entry(case, notifier, TimelineKind.ACTION_CARRIED_OUT, None, now, summary[:300])
    announce(session, case, notifier, entry)
    return action


def _channels(channel_ids: list[str]) -> str:
    return ", ".join(f"<#{channel}>" for channel in channel_ids)
