"""A case's words on demand: the report, the names behind the code names and every text written
on the case, opened by an organizer who may see it, and the access log that records each
opening, export and history lookup (who, when, what; never what was read).

Who may open is decided as for any change to the case (``workflows.access``), live at each
opening: a member of the case's channel, not named in it.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.enums import AccessKind, OwnUpState
from db.models import Case, OwnUp
from workflows import access
from workflows.access_log import record_access
from workflows.records import CaseRecord, case_record


@dataclass(frozen=True)
class OwnUpRecord:
    """What was written in one own-up: the organizers' words to the person, and theirs."""

    subject_id: str
    state: OwnUpState
    description: str
    acknowledgement: str | None
    apology: str | None
    change: str | None
    account: str | None
    review_note: str | None
    not_delivered_reason: str | None


@dataclass(frozen=True)
class CaseWords:
    """Everything an organizer reads on "Open report"."""

    record: CaseRecord
    own_ups: tuple[OwnUpRecord, ...]


def open_report(
    session: Session, _notifier: object = None, *, case_id: int, actor: access.Actor, now: datetime
) -> CaseWords:
    """The case's words for ``actor``, if they may see the case now; the opening is logged
    before anything is read, so no read goes unrecorded."""
    case = access.load_for(session, case_id, actor)
    record_access(session, case.id, actor.user_id, AccessKind.REPORT_OPENED, now)
    return CaseWords(record=case_record(session, case.reference), own_ups=own_up_records(session, case))


def own_up_records(session: Session, case: Case) -> tuple[OwnUpRecord, ...]:
    own_ups = session.scalars(select(OwnUp).where(OwnUp.case_id == case.id).order_by(OwnUp.id))
    return tuple(
        OwnUpRecord(
            subject_id=own_up.subject_id,
            state=own_up.state,
            description=own_up.description,
            acknowledgement=own_up.acknowledgement,
            apology=own_up.apology,
            change=own_up.change,
            account=own_up.account,
            review_note=own_up.review_note,
            not_delivered_reason=own_up.not_delivered_reason,
        )
        for own_up in own_ups
    )
