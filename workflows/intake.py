"""Receiving a report in two steps, so that Slack is answered within its 3 seconds even when
many people report at once.

1. ``receive_report``, before Slack is answered: the validated submission is stored whole, as
   one encrypted row. A reporter who sees "sent" can never lose their report, and a database
   that is down shows as an error in the modal.
2. ``open_received_report``, right after: the row becomes a case (number, parties, timeline,
   the messages it owes, its reminders) in one transaction that also deletes the row. Until
   that commits, the row stays, and whichever process looks next opens it.
"""

import json
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, String, delete, exists, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from db.enums import Category
from db.models import Case, ReceivedReport
from workflows.errors import InvalidReport
from workflows.ports import Notifier
from workflows.reports import Evidence, ReportForm, submit_report, validate_report


@dataclass(frozen=True)
class Waiting:
    """A received report not yet opened as a case."""

    id: int
    attempts: int


def receive_report(session: Session, *, form: ReportForm, reporter_id: str, submission_key: str, now: datetime) -> bool:
    """Store a valid submission; False when this submission was received before (a double
    click, or Slack sending it again). Raises ``InvalidReport`` with field errors."""
    errors = validate_report(form, reporter_id)
    if errors:
        raise InvalidReport(errors)
    submission = json.dumps({"reporter_id": reporter_id, "form": _form_to_json(form)})
    # One statement, because this runs while Slack waits: stored unless the submission became
    # a case already, or is waiting to (the unique key; a concurrent copy waits on its lock).
    row = select(
        literal(submission_key, String()),
        literal(submission, ReceivedReport.submission.type),
        literal(now, ReceivedReport.received_at.type),
        literal(0, Integer()),
    ).where(~exists().where(Case.submission_key == submission_key))
    insert = _insert_for(session)(ReceivedReport).from_select(
        ["submission_key", "submission", "received_at", "attempts"], row
    )
    return session.execute(insert.on_conflict_do_nothing().returning(ReceivedReport.id)).first() is not None


def waiting_reports(session: Session, limit: int = 500) -> list[Waiting]:
    """Received reports still to be opened, oldest first (so case numbers follow arrival),
    except that those which failed to open come after the rest, so they can't hold them up."""
    rows = session.execute(
        select(ReceivedReport.id, ReceivedReport.attempts)
        .order_by(ReceivedReport.attempts, ReceivedReport.id)
        .limit(limit)
    ).all()
    return [Waiting(row.id, row.attempts) for row in rows]


def open_received_report(session: Session, notifier: Notifier, received_id: int) -> Case | None:
    """Turn a received report into its case; None if another process opened it already.

    The row is deleted first: on PostgreSQL a second process opening the same row waits on
    that delete's lock and then finds nothing to do, before it takes a case number."""
    row = session.execute(
        delete(ReceivedReport)
        .where(ReceivedReport.id == received_id)
        .returning(ReceivedReport.submission_key, ReceivedReport.submission, ReceivedReport.received_at)
    ).one_or_none()
    if row is None:
        return None
    stored = json.loads(row.submission)
    # The case is dated when the reporter sent it, not when it was opened.
    return submit_report(
        session,
        notifier,
        form=_form_from_json(stored["form"]),
        reporter_id=stored["reporter_id"],
        submission_key=row.submission_key,
        now=row.received_at,
    ).case


def note_failed_attempt(session: Session, received_id: int, error: str) -> None:
    """Record that opening a received report failed (it stays, and is tried again)."""
    session.execute(
        update(ReceivedReport)
        .where(ReceivedReport.id == received_id)
        .values(attempts=ReceivedReport.attempts + 1, last_error=error[:300])
    )


def _form_to_json(form: ReportForm) -> dict[str, Any]:
    data = asdict(form)
    data["category"] = form.category.value if form.category else None
    data["involved_user_ids"] = list(form.involved_user_ids)
    return data


def _form_from_json(data: dict[str, Any]) -> ReportForm:
    evidence = data.pop("evidence", None)
    category = data.pop("category", None)
    return ReportForm(
        **{
            **data,
            "category": Category(category) if category else None,
            "involved_user_ids": tuple(data.get("involved_user_ids", ())),
            "evidence": Evidence(**evidence) if evidence else None,
        }
    )


def _insert_for(session: Session):
    """The dialect's INSERT, which knows ON CONFLICT DO NOTHING (SQLite and PostgreSQL alike)."""
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
