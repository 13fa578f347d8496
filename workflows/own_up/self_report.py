"""``/ownup``: someone owns up on their own."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.enums import Category
from db.models import Case, OwnUp, Report
from workflows.errors import InvalidInput
from workflows.messages import MessageKind
from workflows.own_up.states import (
    S,
    check_text,
)
from workflows.ports import Notifier
from workflows.reports import INVOLVED_MAX, open_case


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
    existing = session.scalar(select(Case).where(Case.submission_key == submission_key))
    if existing is not None:
        return existing
    words = check_text(what, "what", "what happened")
    sorry = check_text(apology, "apology", "", optional=True)
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
    notifier.to_organizers(case.id, MessageKind.CASE_CARD)
    notifier.to_organizers(case.id, MessageKind.CASE_DETAILS)
    notifier.to_organizers(case.id, MessageKind.PATTERN_NOTE)
    notifier.to_reporter(case.id, MessageKind.SELF_REPORT_RECEIPT)
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
            notifier.to_organizers(case.id, MessageKind.OWN_UP_REVIEW, own_up_id=own_up.id)
    return case
