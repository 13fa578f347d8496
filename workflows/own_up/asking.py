"""Asking someone to own up, and their replies: own up and apologize, talk to an organizer, or
see it differently; withdrawing a request, and its deadlines."""

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.enums import CaseStatus, ReminderKind, ReminderState
from db.models import Case, OwnUp, Reminder
from workflows.access import Actor, load_for
from workflows.errors import InvalidInput, WorkflowError
from workflows.messages import MessageKind
from workflows.own_up.states import (
    AWAITING_REPLY,
    OPEN,
    S,
    add_entry,
    as_organizer,
    as_subject,
    check_text,
    move_to,
    subject_key,
)
from workflows.ports import Notifier
from workflows.reminders import cancel_about, schedule_once


# -- organizer-initiated -----------------------------------------------------------------------
def request_own_up(
    session: Session,
    notifier: Notifier,
    *,
    case_id: int,
    actor: Actor,
    subject_id: str | None,
    description: str,
    coc_part: str | None,
    reply_within: timedelta,
    now: datetime,
) -> OwnUp:
    case = load_for(session, case_id, actor)
    if case.status is CaseStatus.CLOSED:
        raise WorkflowError(f"{case.reference} is closed. Reopen it first.")
    involved = {party.slack_user_id for party in case.involved}
    if not subject_id or subject_id not in involved:
        raise InvalidInput("subject", "Choose one of the people named in this case.")
    if subject_id == case.reporter.slack_user_id:  # a self-report: their apology would come back to them
        raise InvalidInput("subject", "They made this report themselves, so there is nobody to pass an apology to.")
    if any(o.subject_id == subject_id and o.state in OPEN for o in case.own_ups):
        raise InvalidInput("subject", f"<@{subject_id}> already has an open own-up request on this case.")
    words = check_text(description, "description", "what the behaviour was, in neutral words")
    if reply_within <= timedelta(0):
        raise InvalidInput("deadline", "Choose a reply deadline.")
    own_up = OwnUp(
        subject_id=subject_id,
        recipient_id=case.reporter.slack_user_id,
        state=S.REQUESTED,
        requested_by=actor.user_id,
        description=words,
        coc_part=coc_part,
        deadline_at=now + reply_within,
        created_at=now,
        updated_at=now,
    )
    case.own_ups.append(own_up)
    session.flush()
    add_entry(
        session,
        case,
        notifier,
        actor.user_id,
        now,
        f"Asked <@{subject_id}> to own up, replying by {own_up.deadline_at:%Y-%m-%d %H:%M} UTC",
        body=words,
    )
    notifier.to_person(case.id, subject_id, MessageKind.OWN_UP_REQUEST, own_up_id=own_up.id)
    key = subject_key(own_up.id)
    nudge_at = own_up.deadline_at - min(timedelta(days=1), reply_within / 2)
    schedule_once(session, case_id=case.id, kind=ReminderKind.OWN_UP_NUDGE, subject=key, due_at=nudge_at)
    schedule_once(session, case_id=case.id, kind=ReminderKind.OWN_UP_DEADLINE, subject=key, due_at=own_up.deadline_at)
    return own_up


# -- the person asked to own up ------------------------------------------------------------------
def submit_apology(
    session: Session,
    notifier: Notifier,
    *,
    own_up_id: int | None,
    user_id: str,
    acknowledgement: str,
    apology: str,
    change: str | None,
    now: datetime,
) -> OwnUp:
    own_up = as_subject(session, own_up_id, user_id)
    words = (
        check_text(acknowledgement, "acknowledgement", "what you acknowledge"),
        check_text(apology, "apology", "your apology"),
        check_text(change, "change", "", optional=True),
    )
    move_to(own_up, AWAITING_REPLY | {S.SEES_DIFFERENTLY}, S.UNDER_REVIEW, now)
    own_up.acknowledgement, own_up.apology, own_up.change = words
    cancel_about(session, case_id=own_up.case_id, subject=subject_key(own_up.id))
    add_entry(session, own_up.case, notifier, user_id, now, "Owned up and offered an apology, for review")
    notifier.to_organizers(own_up.case_id, MessageKind.OWN_UP_REVIEW, own_up_id=own_up.id)
    return own_up


def talk_to_organizer(
    session: Session, notifier: Notifier, *, own_up_id: int | None, user_id: str, message: str, now: datetime
) -> OwnUp:
    own_up = as_subject(session, own_up_id, user_id)
    words = check_text(message, "message", "your message")
    move_to(own_up, AWAITING_REPLY, S.WANTS_TO_TALK, now)
    # They have replied: the organizers owe the next step, so no nudge and no expiry.
    cancel_about(session, case_id=own_up.case_id, subject=subject_key(own_up.id))
    add_entry(session, own_up.case, notifier, user_id, now, "Wants to talk to an organizer", body=words)
    return own_up


def see_differently(
    session: Session, notifier: Notifier, *, own_up_id: int | None, user_id: str, account: str, now: datetime
) -> OwnUp:
    own_up = as_subject(session, own_up_id, user_id)
    words = check_text(account, "account", "how you see it")
    move_to(own_up, AWAITING_REPLY, S.SEES_DIFFERENTLY, now)
    own_up.account = words
    cancel_about(session, case_id=own_up.case_id, subject=subject_key(own_up.id))
    add_entry(session, own_up.case, notifier, user_id, now, "Sees it differently", body=words)
    return own_up


def withdraw_own_up(
    session: Session, notifier: Notifier, *, own_up_id: int | None, case_id: int, actor: Actor, now: datetime
) -> OwnUp:
    own_up = as_organizer(session, own_up_id, case_id, actor)
    move_to(own_up, OPEN, S.WITHDRAWN, now)
    cancel_about(session, case_id=own_up.case_id, subject=subject_key(own_up.id))
    add_entry(
        session, own_up.case, notifier, actor.user_id, now, f"Withdrew the own-up request to <@{own_up.subject_id}>"
    )
    notifier.to_person(own_up.case_id, own_up.subject_id, MessageKind.OWN_UP_WITHDRAWN, own_up_id=own_up.id)
    return own_up


def withdraw_open_requests(session: Session, notifier: Notifier, case: Case, now: datetime) -> None:
    """Closing a case ends its own-up requests: nothing more is asked of anyone or delivered."""
    for own_up in case.own_ups:
        if own_up.state in OPEN:
            own_up.state, own_up.updated_at = S.WITHDRAWN, now
            cancel_about(session, case_id=case.id, subject=subject_key(own_up.id))
            notifier.to_person(case.id, own_up.subject_id, MessageKind.OWN_UP_WITHDRAWN, own_up_id=own_up.id)


# -- deadlines -----------------------------------------------------------------------------------
def fire_own_up_reminder(session: Session, notifier: Notifier, reminder: Reminder, now: datetime) -> bool:
    reminder.state, reminder.last_fired_at = ReminderState.DONE, now
    own_up = session.scalar(
        select(OwnUp)
        .where(OwnUp.case_id == reminder.case_id)
        .where(OwnUp.id == int(reminder.subject.removeprefix("own-up-") or 0))
    )
    if own_up is None or own_up.state not in AWAITING_REPLY:
        return False
    if reminder.kind is ReminderKind.OWN_UP_NUDGE:
        notifier.to_person(own_up.case_id, own_up.subject_id, MessageKind.OWN_UP_NUDGE, own_up_id=own_up.id)
        return True
    own_up.state, own_up.updated_at = S.EXPIRED, now
    add_entry(session, own_up.case, notifier, None, now, f"No reply from <@{own_up.subject_id}> by the deadline")
    return True
