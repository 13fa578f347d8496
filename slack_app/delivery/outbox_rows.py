"""What the dispatcher records on an outbox row: given back, rescheduled, failed or sent (each
ends the sender's claim; claiming is ``claims``). Each is one short transaction of its own, taken
with no Slack call in flight."""

from collections.abc import Callable
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from db.enums import OutboxState
from db.models import Case, OutboxMessage
from workflows.outbox import organizer_stream

Sessions = sessionmaker[Session]
REASON_MAX = 300
UNCLAIMED = {"claimed_until": None, "claimed_by": None}


class Pending(NamedTuple):
    id: int
    stream: str
    available_at: datetime
    claimed_until: datetime | None
    channel_id: str | None  # where the stream tells (a case's organizers); else None


def release(sessions: Sessions, message: OutboxMessage, reason: str, *, available_at: datetime | None = None) -> None:
    """Give the message back unsent, with no attempt used up: it waits for a pause to end."""
    values: dict[str, object] = {**UNCLAIMED, "last_error": reason[:REASON_MAX]}
    if available_at is not None:
        values["available_at"] = available_at
    _set(sessions, message, **values)


def reschedule(
    sessions: Sessions, message: OutboxMessage, reason: str, available_at: datetime, *, maybe_sent: bool = False
) -> None:
    """Try again at ``available_at``; ``maybe_sent``: this attempt may have reached Slack (once
    marked, the row stays marked until it is sent)."""
    extra = {"maybe_sent": True} if maybe_sent else {}
    _set(
        sessions,
        message,
        attempts=message.attempts + 1,
        available_at=available_at,
        last_error=reason[:REASON_MAX],
        **UNCLAIMED,
        **extra,
    )


def fail(sessions: Sessions, message: OutboxMessage, reason: str) -> None:
    _set(
        sessions,
        message,
        state=OutboxState.FAILED,
        attempts=message.attempts + 1,
        last_error=reason[:REASON_MAX],
        **UNCLAIMED,
    )


def mark_sent(
    sessions: Sessions, message: OutboxMessage, recorder: Callable[[Session], None] | None, now: datetime
) -> None:
    """Sent: marked together with what its sending recorded (a card's ts, say), in one transaction."""
    with sessions.begin() as session:
        if recorder is not None:
            recorder(session)
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message.id)
            .values(state=OutboxState.SENT, sent_at=now, attempts=message.attempts + 1, last_error=None, **UNCLAIMED)
        )


def pending_heads(sessions: Sessions, limit: int, *, held_by: str) -> tuple[list[Pending], set[str]]:
    """The oldest pending messages, and the streams held behind a message that failed with a
    reason starting ``held_by``."""
    with sessions.begin() as session:
        pending = session.execute(
            select(
                OutboxMessage.id,
                OutboxMessage.stream,
                OutboxMessage.case_id,
                OutboxMessage.available_at,
                OutboxMessage.claimed_until,
                Case.channel_id,
            )
            .outerjoin(Case, Case.id == OutboxMessage.case_id)
            .where(OutboxMessage.state == OutboxState.PENDING)
            .order_by(OutboxMessage.id)
            .limit(limit)
        ).all()
        streams = {row.stream for row in pending}
        if not streams:
            return [], set()
        blocked = set(
            session.scalars(
                select(OutboxMessage.stream)
                .distinct()
                .where(
                    OutboxMessage.state == OutboxState.FAILED,
                    OutboxMessage.last_error.startswith(held_by),
                    OutboxMessage.stream.in_(streams),
                )
            )
        )
    heads = [
        Pending(
            row.id,
            row.stream,
            row.available_at,
            row.claimed_until,
            channel_of_stream(row.stream, row.case_id, row.channel_id),
        )
        for row in pending
    ]
    return heads, blocked


def channel_of_stream(stream: str, case_id: int | None, case_channel: str | None) -> str | None:
    """The channel a message goes to, where the stream tells: the case's, for its organizers."""
    if case_id is not None and stream == organizer_stream(case_id):
        return case_channel
    return None


def _set(sessions: Sessions, message: OutboxMessage, **values: object) -> None:
    with sessions.begin() as session:
        session.execute(update(OutboxMessage).where(OutboxMessage.id == message.id).values(**values))
