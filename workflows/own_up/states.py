"""The own-up request's states, the moves between them, and who may make each move: the
person asked, the recipient, or an organizer of the case."""

from datetime import datetime

from sqlalchemy.orm import Session

from db.enums import OwnUpState, TimelineKind
from db.models import Case, OwnUp, TimelineEntry
from workflows.access import Actor, load_for
from workflows.errors import InvalidInput, NotAllowed, NotFound, WorkflowError
from workflows.messages import MessageKind
from workflows.ports import Notifier

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


def check_text(value: str | None, field: str, what: str, *, optional: bool = False) -> str | None:
    text = (value or "").strip()
    if not text:
        if optional:
            return None
        raise InvalidInput(field, f"Please write {what}.")
    if len(text) > TEXT_MAX:
        raise InvalidInput(field, f"Please keep this under {TEXT_MAX:,} characters.")
    return text


def add_entry(
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
    notifier.to_organizers(case.id, MessageKind.CARD_UPDATE)
    notifier.to_organizers(case.id, MessageKind.THREAD_LINE, entry_id=entry.id)


def move_to(own_up: OwnUp, allowed: set[OwnUpState], to: OwnUpState, now: datetime) -> None:
    if own_up.state not in allowed:
        raise WorkflowError(f"This can't be done now: the own-up request is {STATE_WORDS[own_up.state]}.")
    own_up.state, own_up.updated_at = to, now


def load_own_up(session: Session, own_up_id: int | None) -> OwnUp:
    own_up = session.get(OwnUp, own_up_id, with_for_update=True) if own_up_id else None
    if own_up is None:
        raise NotFound("This request doesn't exist any more.")
    return own_up


def as_subject(session: Session, own_up_id: int | None, user_id: str) -> OwnUp:
    own_up = load_own_up(session, own_up_id)
    if own_up.subject_id != user_id:
        raise NotAllowed("Only the person this message was sent to can answer it.")
    return own_up


def as_recipient(session: Session, own_up_id: int | None, user_id: str) -> OwnUp:
    own_up = load_own_up(session, own_up_id)
    if own_up.recipient_id != user_id:
        raise NotAllowed("Only the person this message was sent to can answer it.")
    return own_up


def as_organizer(session: Session, own_up_id: int | None, case_id: int, actor: Actor) -> OwnUp:
    load_for(session, case_id, actor)
    own_up = load_own_up(session, own_up_id)
    if own_up.case_id != case_id:
        raise NotFound("This request doesn't exist any more.")
    return own_up
