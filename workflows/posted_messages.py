"""The app's own Slack messages about each case, by channel and ts: remembered as they are
posted, and deleted from Slack once the case is purged (``retention``).

The delivery layer deletes them one by one and notes each one's fate here as it goes, so a
deletion cut short (a rate limit, a restart) carries on with the rest; once every one is
settled, the case's timeline says how many went, in counts only, and the list itself goes.
"""

from collections import Counter
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from db.enums import SlackDeletion, TimelineKind
from db.models import Case, PostedMessage, TimelineEntry


class ToDelete(NamedTuple):
    id: int
    channel: str
    ts: str


def remember_posted(session: Session, *, case_id: int, channel: str, ts: str, now: datetime) -> None:
    """Remember that the app posted ``ts`` in ``channel`` about the case (once: a post found
    again after a crash is the same message)."""
    known = session.scalar(select(PostedMessage.id).where(PostedMessage.channel == channel, PostedMessage.ts == ts))
    if known is None:
        session.add(PostedMessage(case_id=case_id, channel=channel, ts=ts, posted_at=now))
        session.flush()


def messages_to_delete(session: Session, case_id: int) -> list[ToDelete]:
    """The case's messages not dealt with yet, newest first (thread replies before their card)."""
    rows = session.execute(
        select(PostedMessage.id, PostedMessage.channel, PostedMessage.ts)
        .where(PostedMessage.case_id == case_id, PostedMessage.deletion.is_(None))
        .order_by(PostedMessage.id.desc())
    )
    return [ToDelete(*row) for row in rows]


def note_deletion(session: Session, posted_id: int, outcome: SlackDeletion, error: str | None = None) -> None:
    session.execute(
        update(PostedMessage)
        .where(PostedMessage.id == posted_id)
        .values(deletion=outcome, deletion_error=error[:40] if error else None)
    )


def record_messages_deleted(session: Session, *, case_id: int, now: datetime) -> Counter[SlackDeletion]:
    """Once each of the case's messages is settled: say on the timeline how many went (no
    content, no channel), and forget them."""
    settled = session.scalars(select(PostedMessage.deletion).where(PostedMessage.case_id == case_id)).all()
    counts = Counter(outcome for outcome in settled if outcome is not None)
    case = session.get(Case, case_id)
    case.timeline.append(TimelineEntry(kind=TimelineKind.MESSAGES_DELETED, at=now, summary=deletion_summary(counts)))
    session.execute(delete(PostedMessage).where(PostedMessage.case_id == case_id))
    session.flush()
    return counts


def deletion_summary(counts: Counter[SlackDeletion]) -> str:
    """ "Slack messages deleted: 14 (2 already gone)": the gone ones count as deleted, as they
    are no longer in Slack; those the app could not reach are said apart."""
    gone = counts[SlackDeletion.ALREADY_GONE]
    summary = f"Slack messages deleted: {counts[SlackDeletion.DELETED] + gone}"
    if gone:
        summary += f" ({gone} already gone)"
    if unreachable := counts[SlackDeletion.UNREACHABLE]:
        summary += f"; {unreachable} left in channels the app can no longer reach"
    return summary
