"""What every change to a case shares: its line on the append-only timeline, the card update
and thread line that announce it, and the rules for the texts organizers write."""

from datetime import datetime

from sqlalchemy.orm import Session

from db.enums import CaseStatus, TimelineKind
from db.models import Case, TimelineEntry
from workflows.errors import InvalidInput, WorkflowError
from workflows.messages import MessageKind
from workflows.ports import Notifier

TEXT_MAX = 3000


def record_entry(
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


def announce(session: Session, case: Case, notifier: Notifier, entry: TimelineEntry) -> None:
    session.flush()
    notifier.to_organizers(case.id, MessageKind.CARD_UPDATE)
    notifier.to_organizers(case.id, MessageKind.THREAD_LINE, entry_id=entry.id)


def check_text(value: str | None, field: str, what: str) -> str:
    text = (value or "").strip()
    if not text:
        raise InvalidInput(field, f"Please write {what}.")
    if len(text) > TEXT_MAX:
        raise InvalidInput(field, f"Please keep this under {TEXT_MAX:,} characters.")
    return text


def ensure_open(case: Case) -> None:
    if case.status is CaseStatus.CLOSED:
        raise WorkflowError(f"{case.reference} is closed. Reopen it first.")
