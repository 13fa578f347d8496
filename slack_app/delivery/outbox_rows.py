"""What the dispatcher records on an outbox row: given back, rescheduled, failed or sent (each
ends the sender's claim; claiming is ``claims``). Each is one short transaction of its own, taken
with no Slack call in flight."""

from collections.abc import Callable
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from db.enums import OutboxState
from db.models import Case, OutboxMessage
from workflows.messages import MessageKind
from workflows.outbox import organizer_stream

CASE_CARD, CARD_UPDATE = MessageKind.CASE_CARD.value, MessageKind.CARD_UPDATE.value

Sessions = sessionmaker[Session]
REASON_MAX = 300
UNCLAIMED = {"claimed_until": None, "claimed_by": None}


class Pending(NamedTuple):
    id: int
    stream: str
    available_at: datetime
    claimed_until: datetime | None
    channel_id: str | None  # where the stream tells (a case's organizers); else None
    kind: str = ""
    urgent: bool = False  # the case's
    to_organizers: bool = False  # a case's organizer stream, routed or not yet


def release(sessions: Sessions, message: OutboxMessage, reason: str, *, available_at: datetime | None = None) -> None:
    """Give the message back unsent, with no attempt used up: it waits for a pause to end."""
    values: dict[str, object] = {**UNCLAIMED, "last_error": reason[:REASON_MAX]}
    if available_at is not None:
        values["available_at"] = available_at
    _set(sessions, message, **values)


def unclaim(sessions: Sessions, message: OutboxMessage) -> None:
    """Give the message back as it was: it waits for its turn (pacing), nothing to record."""
    _set(sessions, message, **UNCLAIMED)


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
    """The first pending message of each stream (``limit`` of them: urgent cases' first, then
    cards, then the oldest), and the streams held behind a message that failed with a reason
    starting ``held_by``. Every stream's head, however many older messages other streams have
    waiting: a new case's card must not wait behind the thread replies of a hundred others."""
    firsts = (
        select(func.min(OutboxMessage.id))
        .where(OutboxMessage.state == OutboxState.PENDING)
        .group_by(OutboxMessage.stream)
        .scalar_subquery()
    )
    urgent = func.coalesce(Case.urgent, False)
    with sessions.begin() as session:
        pending = session.execute(
            select(
                OutboxMessage.id,
                OutboxMessage.stream,
                OutboxMessage.kind,
                OutboxMessage.case_id,
                OutboxMessage.available_at,
                OutboxMessage.claimed_until,
                Case.channel_id,
                urgent.label("urgent"),
            )
            .outerjoin(Case, Case.id == OutboxMessage.case_id)
            .where(OutboxMessage.id.in_(firsts))
            .order_by(urgent.desc(), (OutboxMessage.kind == CASE_CARD).desc(), OutboxMessage.id)
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
            kind=row.kind,
            urgent=bool(row.urgent),
            to_organizers=row.case_id is not None and row.stream == organizer_stream(row.case_id),
        )
        for row in pending
    ]
    return heads, blocked


def superseded_updates(session: Session, stream: str, after_id: int) -> list[int]:
    """The card updates of ``stream`` queued after message ``after_id`` and not sent yet."""
    return list(
        session.scalars(
            select(OutboxMessage.id).where(
                OutboxMessage.stream == stream,
                OutboxMessage.kind == CARD_UPDATE,
                OutboxMessage.state == OutboxState.PENDING,
                OutboxMessage.id > after_id,
            )
        )
    )


def mark_superseded(session: Session, message_ids: list[int], now: datetime, by_id: int) -> None:
    """Card updates another one made needless (it showed the case as it is now): sent, in the
    sending transaction of the update that showed it."""
    if message_ids:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(message_ids), OutboxMessage.state == OutboxState.PENDING)
            .values(state=OutboxState.SENT, sent_at=now, claimed_until=None, last_error=f"superseded by {by_id}")
        )


def channel_of_stream(stream: str, case_id: int | None, case_channel: str | None) -> str | None:
    """The channel a message goes to, where the stream tells: the case's, for its organizers."""
    if case_id is not None and stream == organizer_stream(case_id):
        return case_channel
    return None


def _set(sessions: Sessions, message: OutboxMessage, **values: object) -> None:
    with sessions.begin() as session:
        session.execute(update(OutboxMessage).where(OutboxMessage.id == message.id).values(**values))
