"""The own-up flow: the person a report is about acknowledges it and apologizes, mediated by
organizers, and nothing reaches the other side without their consent.

An explicit state machine: each step names the states it may start from, and anything else
(a second delivery, a click in the wrong state, a click by anyone but the intended person) is
refused and changes nothing. The person asked to own up never receives the report's words,
the reporter's identity, or anything from which it follows.
"""

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import (
    Case,
    CaseStatus,
    OwnUp,
    OwnUpState,
    RecipientAnswer,
    Reminder,
    ReminderKind,
    ReminderState,
    TimelineEntry,
    TimelineKind,
)
from workflows.cases import Actor, load_for
from workflows.errors import InvalidInput, NotAllowed, NotFound, WorkflowError
from workflows.ports import Notifier
from workflows.reminders import cancel_about, schedule_once

TEXT_MAX = 3000
S = OwnUpState
AWAITING_REPLY = {S.REQUESTED, S.WANTS_TO_TALK, S.CHANGES_REQUESTED}
OPEN = AWAITING_REPLY | {S.SEES_DIFFERENTLY, S.UNDER_REVIEW, S.AWAITING_CONSENT}
STATE_WORDS = {
    S.REQUESTED: "waiting for a reply",
    S.WANTS_TO_TALK: "wants to talk to an organizer",
    S.SEES_DIFFERENTLY: "sees it differently",
    S.UNDER_REVIEW: "apology waiting for review",
    S.CHANGES_REQUESTED: "asked to revise the apology",
    S.AWAITING_CONSENT: "asking the reporter whether to pass it on",
    S.DELIVERED: "apology delivered",
    S.NOT_DELIVERED: "apology not delivered",
    S.ACKNOWLEDGED: "apology delivered and answered",
    S.EXPIRED: "no reply by the deadline",
    S.WITHDRAWN: "withdrawn",
}


def subject_key(own_up_id: int) -> str:
    return f"own-up-{own_up_id}"


def _text(value: str | None, field: str, what: str, *, optional: bool = False) -> str | None:
    text = (value or "").strip()
    if not text:
        if optional:
            return None
        raise InvalidInput(field, f"Please write {what}.")
    if len(text) > TEXT_MAX:
        raise InvalidInput(field, f"Please keep this under {TEXT_MAX:,} characters.")
    return text


def _entry(
    session: Session,
    case: Case,
    notifier: Notifier,
    actor_id: str | None,
    now: datetime,
    summary: str,
    body: str | None = None,
) -> None:
    entry = TimelineEntry(kind=TimelineKind.OWN_UP, actor_id=actor_id, at=now, summary=summary[:300], body=body)
    case.timeline.append(entry)
    case.updated_at = now
    session.flush()
    notifier.to_organizers(case.id, "card_update")
    notifier.to_organizers(case.id, "thread_line", entry_id=entry.id)


def _move(own_up: OwnUp, allowed: set[OwnUpState], to: OwnUpState, now: datetime) -> None:
    if own_up.state not in allowed:
        raise WorkflowError(f"This can't be done now: the own-up request is {STATE_WORDS[own_up.state]}.")
    own_up.state, own_up.updated_at = to, now


def _load(session: Session, own_up_id: int | None) -> OwnUp:
    own_up = session.get(OwnUp, own_up_id, with_for_update=True) if own_up_id else None
    if own_up is None:
        raise NotFound("This request doesn't exist any more.")
    return own_up


def _as_subject(session: Session, own_up_id: int | None, user_id: str) -> OwnUp:
    own_up = _load(session, own_up_id)
    if own_up.subject_id != user_id:
        raise NotAllowed("Only the person this message was sent to can answer it.")
    return own_up


def _as_recipient(session: Session, own_up_id: int | None, user_id: str) -> OwnUp:
    own_up = _load(session, own_up_id)
    if own_up.recipient_id != user_id:
        raise NotAllowed("Only the person this message was sent to can answer it.")
    return own_up


def _as_organizer(session: Session, own_up_id: int | None, case_id: int, actor: Actor) -> OwnUp:
    load_for(session, case_id, actor)
    own_up = _load(session, own_up_id)
    if own_up.case_id != case_id:
        raise NotFound("This request doesn't exist any more.")
    return own_up


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
    words = _text(description, "description", "what the behaviour was, in neutral words")
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
    _entry(
        session,
        case,
        notifier,
        actor.user_id,
        now,
        f"Asked <@{subject_id}> to own up, replying by {own_up.deadline_at:%Y-%m-%d %H:%M} UTC",
        body=words,
    )
    notifier.to_person(case.id, subject_id, "own_up_request", own_up_id=own_up.id)
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
    own_up = _as_subject(session, own_up_id, user_id)
    words = (
        _text(acknowledgement, "acknowledgement", "what you acknowledge"),
        _text(apology, "apology", "your apology"),
        _text(change, "change", "", optional=True),
    )
    _move(own_up, AWAITING_REPLY | {S.SEES_DIFFERENTLY}, S.UNDER_REVIEW, now)
    own_up.acknowledgement, own_up.apology, own_up.change = words
    cancel_about(session, case_id=own_up.case_id, subject=subject_key(own_up.id))
    _entry(session, own_up.case, notifier, user_id, now, "Owned up and offered an apology, for review")
    notifier.to_organizers(own_up.case_id, "own_up_review", own_up_id=own_up.id)
    return own_up


def talk_to_organizer(
    session: Session, notifier: Notifier, *, own_up_id: int | None, user_id: str, message: str, now: datetime
) -> OwnUp:
    own_up = _as_subject(session, own_up_id, user_id)
    words = _text(message, "message", "your message")
    _move(own_up, AWAITING_REPLY, S.WANTS_TO_TALK, now)
    # They have replied: the organizers owe the next step, so no nudge and no expiry.
    cancel_about(session, case_id=own_up.case_id, subject=subject_key(own_up.id))
    _entry(session, own_up.case, notifier, user_id, now, "Wants to talk to an organizer", body=words)
    return own_up


def see_differently(
    session: Session, notifier: Notifier, *, own_up_id: int | None, user_id: str, account: str, now: datetime
) -> OwnUp:
    own_up = _as_subject(session, own_up_id, user_id)
    words = _text(account, "account", "how you see it")
    _move(own_up, AWAITING_REPLY, S.SEES_DIFFERENTLY, now)
    own_up.account = words
    cancel_about(session, case_id=own_up.case_id, subject=subject_key(own_up.id))
    _entry(session, own_up.case, notifier, user_id, now, "Sees it differently", body=words)
    return own_up


# -- organizers reviewing ------------------------------------------------------------------------
def deliver_apology(
    session: Session, notifier: Notifier, *, own_up_id: int | None, case_id: int, actor: Actor, now: datetime
) -> OwnUp:
    own_up = _as_organizer(session, own_up_id, case_id, actor)
    if own_up.state is S.UNDER_REVIEW and not _may_ask_recipient(own_up):
        raise WorkflowError(
            "The reporter asked not to be contacted or not to receive an apology: use Don't deliver instead."
        )
    _move(own_up, {S.UNDER_REVIEW}, S.AWAITING_CONSENT, now)
    _entry(
        session,
        own_up.case,
        notifier,
        actor.user_id,
        now,
        "Approved the apology; asking the reporter whether they want to read it",
    )
    notifier.to_person(own_up.case_id, own_up.recipient_id, "apology_offer", own_up_id=own_up.id)
    return own_up


def _may_ask_recipient(own_up: OwnUp) -> bool:
    case = own_up.case
    if own_up.recipient_id is None:
        return False
    if case.self_report:
        return True  # asking first is the consent step
    return case.follow_up_allowed and case.apology_wanted


def ask_for_changes(
    session: Session,
    notifier: Notifier,
    *,
    own_up_id: int | None,
    case_id: int,
    actor: Actor,
    note: str,
    now: datetime,
) -> OwnUp:
    own_up = _as_organizer(session, own_up_id, case_id, actor)
    words = _text(note, "note", "what should change")
    _move(own_up, {S.UNDER_REVIEW}, S.CHANGES_REQUESTED, now)
    own_up.review_note = words
    _entry(session, own_up.case, notifier, actor.user_id, now, "Asked for changes to the apology", body=words)
    notifier.to_person(own_up.case_id, own_up.subject_id, "own_up_changes", own_up_id=own_up.id)
    return own_up


def dont_deliver(
    session: Session,
    notifier: Notifier,
    *,
    own_up_id: int | None,
    case_id: int,
    actor: Actor,
    reason: str,
    now: datetime,
) -> OwnUp:
    own_up = _as_organizer(session, own_up_id, case_id, actor)
    words = _text(reason, "reason", "why it won't be delivered")
    _move(own_up, {S.UNDER_REVIEW}, S.NOT_DELIVERED, now)
    own_up.not_delivered_reason = words
    _entry(session, own_up.case, notifier, actor.user_id, now, "Decided not to deliver the apology", body=words)
    return own_up


def withdraw_own_up(
    session: Session, notifier: Notifier, *, own_up_id: int | None, case_id: int, actor: Actor, now: datetime
) -> OwnUp:
    own_up = _as_organizer(session, own_up_id, case_id, actor)
    _move(own_up, OPEN, S.WITHDRAWN, now)
    cancel_about(session, case_id=own_up.case_id, subject=subject_key(own_up.id))
    _entry(session, own_up.case, notifier, actor.user_id, now, f"Withdrew the own-up request to <@{own_up.subject_id}>")
    notifier.to_person(own_up.case_id, own_up.subject_id, "own_up_withdrawn", own_up_id=own_up.id)
    return own_up


# -- the person an apology may reach -------------------------------------------------------------
def answer_offer(
    session: Session, notifier: Notifier, *, own_up_id: int | None, user_id: str, wants_to_read: bool, now: datetime
) -> OwnUp:
    own_up = _as_recipient(session, own_up_id, user_id)
    if wants_to_read:
        _move(own_up, {S.AWAITING_CONSENT}, S.DELIVERED, now)
        _entry(session, own_up.case, notifier, None, now, f"{_recipient(own_up)} chose to read the apology: delivered")
        notifier.to_person(own_up.case_id, own_up.recipient_id, "apology_delivered", own_up_id=own_up.id)
        notifier.to_person(own_up.case_id, own_up.subject_id, "own_up_delivered_notice", own_up_id=own_up.id)
    else:
        _move(own_up, {S.AWAITING_CONSENT}, S.NOT_DELIVERED, now)
        own_up.not_delivered_reason = "The reporter preferred not to read it."
        _entry(session, own_up.case, notifier, None, now, f"{_recipient(own_up)} preferred not to read the apology")
    return own_up


ANSWER_WORDS = {
    RecipientAnswer.ACCEPT: "Thank you, I accept",
    RecipientAnswer.RECEIVED: "Received",
    RecipientAnswer.NO_RESPONSE: "I'd rather not respond",
}


def respond_to_apology(
    session: Session,
    notifier: Notifier,
    *,
    own_up_id: int | None,
    user_id: str,
    answer: RecipientAnswer,
    now: datetime,
) -> OwnUp:
    own_up = _as_recipient(session, own_up_id, user_id)
    _move(own_up, {S.DELIVERED}, S.ACKNOWLEDGED, now)
    own_up.recipient_answer = answer
    _entry(
        session,
        own_up.case,
        notifier,
        None,
        now,
        f"{_recipient(own_up)} answered the apology: “{ANSWER_WORDS[answer]}”",
    )
    if answer is RecipientAnswer.ACCEPT:
        notifier.to_person(own_up.case_id, own_up.subject_id, "own_up_accepted_notice", own_up_id=own_up.id)
    return own_up


def _recipient(own_up: OwnUp) -> str:
    # A self-report's apology is for someone it names; otherwise for the (possibly anonymous) reporter.
    return f"<@{own_up.recipient_id}>" if own_up.case.self_report else "The reporter"


def withdraw_open_requests(session: Session, notifier: Notifier, case: Case, now: datetime) -> None:
    """Closing a case ends its own-up requests: nothing more is asked of anyone or delivered."""
    for own_up in case.own_ups:
        if own_up.state in OPEN:
            own_up.state, own_up.updated_at = S.WITHDRAWN, now
            cancel_about(session, case_id=case.id, subject=subject_key(own_up.id))
            notifier.to_person(case.id, own_up.subject_id, "own_up_withdrawn", own_up_id=own_up.id)


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
        notifier.to_person(own_up.case_id, own_up.subject_id, "own_up_nudge", own_up_id=own_up.id)
        return True
    own_up.state, own_up.updated_at = S.EXPIRED, now
    _entry(session, own_up.case, notifier, None, now, f"No reply from <@{own_up.subject_id}> by the deadline")
    return True


# -- self-initiated ------------------------------------------------------------------------------
def submit_self_report(
    session: Session,
    notifier: Notifier,
    *,
    user_id: str,
    what: str,
    affected_ids: tuple[str, ...],
    apology: str | None,
    submission_key: str,
    now: datetime,
) -> Case:
    """``/ownup``: someone owns up on their own. It becomes a case marked as a self-report, and
    an apology reaches each person it names only after review and their consent."""
    from db.models import Category, Report
    from workflows.reports import INVOLVED_MAX, open_case

    existing = session.scalar(select(Case).where(Case.submission_key == submission_key))
    if existing is not None:
        return existing
    words = _text(what, "what", "what happened")
    sorry = _text(apology, "apology", "", optional=True)
    affected = tuple(dict.fromkeys(a for a in affected_ids))
    if user_id in affected:
        raise InvalidInput("affected", "Name the people affected; you don't need to add yourself.")
    if len(affected) > INVOLVED_MAX:
        raise InvalidInput("affected", f"Please name at most {INVOLVED_MAX} people.")
    if sorry and not affected:
        raise InvalidInput("affected", "Name who the apology is for, or leave the apology empty.")
    case = open_case(
        session,
        submission_key=submission_key,
        report=Report(description=words),
        reporter_id=user_id,
        # The person owning up is who the case is about: an organizer owning up never sees it.
        involved=(user_id, *affected),
        category=Category.OTHER,
        self_report=True,
        summary="Self-report received",
        now=now,
    )
    notifier.to_organizers(case.id, "case_card")
    notifier.to_organizers(case.id, "case_details")
    notifier.to_organizers(case.id, "pattern_note")
    notifier.to_reporter(case.id, "self_report_receipt")
    if sorry:
        for person in affected:
            own_up = OwnUp(
                subject_id=user_id,
                recipient_id=person,
                state=S.UNDER_REVIEW,
                description=words,
                acknowledgement=words,
                apology=sorry,
                created_at=now,
                updated_at=now,
            )
            case.own_ups.append(own_up)
            session.flush()
            notifier.to_organizers(case.id, "own_up_review", own_up_id=own_up.id)
    return case
