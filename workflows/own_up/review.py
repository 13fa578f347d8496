"""Organizers reviewing an apology, and the consent of the person it may reach: nothing is
passed on before they say they want to read it."""

from datetime import datetime

from sqlalchemy.orm import Session

from db.enums import RecipientAnswer
from db.models import OwnUp
from workflows.access import Actor
from workflows.errors import WorkflowError
from workflows.messages import MessageKind
from workflows.own_up.states import (
    S,
    add_entry,
    as_organizer,
    as_recipient,
    check_text,
    move_to,
)
from workflows.ports import Notifier


# -- organizers reviewing ------------------------------------------------------------------------
def deliver_apology(
    session: Session, notifier: Notifier, *, own_up_id: int | None, case_id: int, actor: Actor, now: datetime
) -> OwnUp:
    own_up = as_organizer(session, own_up_id, case_id, actor)
    if own_up.state is S.UNDER_REVIEW and not may_ask_recipient(own_up):
        raise WorkflowError(
            "The reporter asked not to be contacted or not to receive an apology: use Don't deliver instead."
        )
    move_to(own_up, {S.UNDER_REVIEW}, S.AWAITING_CONSENT, now)
    add_entry(
        session,
        own_up.case,
        notifier,
        actor.user_id,
        now,
        "Approved the apology; asking the reporter whether they want to read it",
    )
    notifier.to_person(own_up.case_id, own_up.recipient_id, MessageKind.APOLOGY_OFFER, own_up_id=own_up.id)
    return own_up


def may_ask_recipient(own_up: OwnUp) -> bool:
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
    own_up = as_organizer(session, own_up_id, case_id, actor)
    words = check_text(note, "note", "what should change")
    move_to(own_up, {S.UNDER_REVIEW}, S.CHANGES_REQUESTED, now)
    own_up.review_note = words
    add_entry(session, own_up.case, notifier, actor.user_id, now, "Asked for changes to the apology", body=words)
    notifier.to_person(own_up.case_id, own_up.subject_id, MessageKind.OWN_UP_CHANGES, own_up_id=own_up.id)
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
    own_up = as_organizer(session, own_up_id, case_id, actor)
    words = check_text(reason, "reason", "why it won't be delivered")
    move_to(own_up, {S.UNDER_REVIEW}, S.NOT_DELIVERED, now)
    own_up.not_delivered_reason = words
    add_entry(session, own_up.case, notifier, actor.user_id, now, "Decided not to deliver the apology", body=words)
    return own_up


# -- the person an apology may reach -------------------------------------------------------------
def answer_offer(
    session: Session, notifier: Notifier, *, own_up_id: int | None, user_id: str, wants_to_read: bool, now: datetime
) -> OwnUp:
    own_up = as_recipient(session, own_up_id, user_id)
    if wants_to_read:
        move_to(own_up, {S.AWAITING_CONSENT}, S.DELIVERED, now)
        add_entry(
            session, own_up.case, notifier, None, now, f"{recipient_words(own_up)} chose to read the apology: delivered"
        )
        notifier.to_person(own_up.case_id, own_up.recipient_id, MessageKind.APOLOGY_DELIVERED, own_up_id=own_up.id)
        notifier.to_person(own_up.case_id, own_up.subject_id, MessageKind.OWN_UP_DELIVERED_NOTICE, own_up_id=own_up.id)
    else:
        move_to(own_up, {S.AWAITING_CONSENT}, S.NOT_DELIVERED, now)
        own_up.not_delivered_reason = "The reporter preferred not to read it."
        add_entry(
            session, own_up.case, notifier, None, now, f"{recipient_words(own_up)} preferred not to read the apology"
        )
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
    own_up = as_recipient(session, own_up_id, user_id)
    move_to(own_up, {S.DELIVERED}, S.ACKNOWLEDGED, now)
    own_up.recipient_answer = answer
    add_entry(
        session,
        own_up.case,
        notifier,
        None,
        now,
        f"{recipient_words(own_up)} answered the apology: “{ANSWER_WORDS[answer]}”",
    )
    if answer is RecipientAnswer.ACCEPT:
        notifier.to_person(own_up.case_id, own_up.subject_id, MessageKind.OWN_UP_ACCEPTED_NOTICE, own_up_id=own_up.id)
    return own_up


def recipient_words(own_up: OwnUp) -> str:
    # A self-report's apology is for someone it names; otherwise for the (possibly anonymous) reporter.
    return f"<@{own_up.recipient_id}>" if own_up.case.self_report else "The reporter"
