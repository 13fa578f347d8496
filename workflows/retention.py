"""Erasing what people wrote once a case no longer needs it.

A purged case keeps what counting needs (reference, category, urgency, dates, status,
outcome, and its timeline's who-did-what-when) and loses every text and every person's id:
the report, notes, relayed messages, reasons, apologies, and who reported or was named.
The app's own Slack messages about the case (its card and thread, its DMs) are deleted from
Slack too, through the outbox (``posted_messages``).
"""

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.enums import CaseStatus, TimelineKind
from db.models import Case, TimelineEntry
from workflows.errors import WorkflowError
from workflows.messages import MessageKind
from workflows.ports import Notifier

ERASED = ""


def purge_case(session: Session, notifier: Notifier, case: Case, *, now: datetime, why: str) -> None:
    if case.purged_at is not None:
        raise WorkflowError(f"{case.reference} was already purged on {case.purged_at:%Y-%m-%d}.")
    report = case.report
    if report is not None:
        report.description = ERASED
        report.location_text = report.others_involved = report.evidence_excerpt = None
        report.evidence_channel_id = report.evidence_ts = report.evidence_author_id = None
        report.location_channel_id = None
    for entry in case.timeline:
        entry.body = None
    for action in case.actions:
        action.reason, action.message = ERASED, None
    for own_up in case.own_ups:
        own_up.description = ERASED
        own_up.acknowledgement = own_up.apology = own_up.change = own_up.account = None
        own_up.review_note = own_up.not_delivered_reason = None
    case.closing_summary = None
    for party in list(case.parties):
        session.delete(party)
    case.purged_at = now
    # Recorded without any content: only that it happened, and why.
    case.timeline.append(TimelineEntry(kind=TimelineKind.PURGED, at=now, summary=f"Texts and names erased ({why})"))
    # After whatever is still queued for the case's channel, so that goes too.
    notifier.to_organizers(case.id, MessageKind.DELETE_SLACK_MESSAGES)
    session.flush()


def purge_expired_cases(
    session: Session, notifier: Notifier, *, now: datetime, retention: timedelta, limit: int = 200
) -> int:
    """Purge cases closed longer ago than ``retention``."""
    if retention <= timedelta(0):
        return 0
    due = session.scalars(
        select(Case)
        .where(Case.status == CaseStatus.CLOSED, Case.purged_at.is_(None), Case.closed_at <= now - retention)
        .order_by(Case.closed_at)
        .limit(limit)
    ).all()
    for case in due:
        purge_case(session, notifier, case, now=now, why=f"retention: closed over {retention.days} days ago")
    return len(due)


def find_case(session: Session, number: int) -> Case | None:
    return session.scalar(select(Case).where(Case.number == number))
