"""What an admin and the organizers' Home need to know about the app's own state: held cases,
received reports not yet opened, and what Slack is still owed or failed to take."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.enums import (
    OutboxState,
    Routing,
)
from db.models import Case, OutboxMessage, ReceivedReport, format_reference


@dataclass(frozen=True)
class Health:
    held_cases: list[str]
    outbox_pending: int
    outbox_failed: int
    # Reports received but not yet cases: normally for well under a second; "failing" ones
    # could not be opened at least once and nobody has seen them yet.
    reports_waiting: int = 0
    reports_failing: int = 0


def health(session: Session) -> Health:
    # Received reports first: on PostgreSQL each statement sees what was committed when it ran,
    # and a report becomes a case and its outbox rows in one commit, so counting in this order
    # can't miss a report in between (none waiting, and its messages not yet seen).
    waiting, failing = session.execute(
        select(func.count(), func.count().filter(ReceivedReport.attempts > 0)).select_from(ReceivedReport)
    ).one()
    held = session.scalars(select(Case.number).where(Case.routing == Routing.HELD).order_by(Case.number))
    counts = dict(
        session.execute(
            select(OutboxMessage.state, func.count())
            .where(OutboxMessage.state != OutboxState.SENT)
            .group_by(OutboxMessage.state)
        ).all()
    )
    return Health(
        held_cases=[format_reference(number) for number in held],
        outbox_pending=counts.get(OutboxState.PENDING, 0),
        outbox_failed=counts.get(OutboxState.FAILED, 0),
        reports_waiting=waiting,
        reports_failing=failing,
    )


# How the outbox marks a message that waits for an admin's fix (the app's token, or its place
# in a channel) rather than failing: organizers see it with the failed ones.
PAUSED = "paused: "


@dataclass(frozen=True)
class FailedDelivery:
    reference: str | None
    kind: str
    error: str


def failed_deliveries(session: Session, channel_ids: list[str], limit: int = 5) -> tuple[list[FailedDelivery], int]:
    """Messages Slack refused for good, or that wait for a fix, about cases in ``channel_ids``
    (or about no case): what organizers must fix. Returns the newest few and how many there are."""
    visible = (OutboxMessage.case_id.is_(None)) | (
        OutboxMessage.case_id.in_(select(Case.id).where(Case.channel_id.in_(channel_ids)))
    )
    refused = (OutboxMessage.state == OutboxState.FAILED) | (
        (OutboxMessage.state == OutboxState.PENDING) & OutboxMessage.last_error.startswith(PAUSED)
    )
    where = (refused, visible)
    total = session.scalar(select(func.count()).select_from(OutboxMessage).where(*where)) or 0
    rows = session.execute(
        select(Case.number, OutboxMessage.kind, OutboxMessage.last_error)
        .outerjoin(Case, Case.id == OutboxMessage.case_id)
        .where(*where)
        .order_by(OutboxMessage.id.desc())
        .limit(limit)
    ).all()
    return [
        FailedDelivery(format_reference(number) if number else None, kind, (error or "").removeprefix(PAUSED))
        for number, kind, error in rows
    ], total


@dataclass(frozen=True)
class Undelivered:
    id: int
    kind: str
    reference: str | None
    state: OutboxState
    attempts: int
    error: str | None
    due: datetime


def undelivered(session: Session) -> list[Undelivered]:
    """Every message Slack hasn't taken yet, oldest first: what it is, about which case, and why
    it waits (never what it says: payloads hold ids only, and they aren't read here)."""
    rows = session.execute(
        select(
            OutboxMessage.id,
            OutboxMessage.kind,
            Case.number,
            OutboxMessage.state,
            OutboxMessage.attempts,
            OutboxMessage.last_error,
            OutboxMessage.available_at,
        )
        .outerjoin(Case, Case.id == OutboxMessage.case_id)
        .where(OutboxMessage.state != OutboxState.SENT)
        .order_by(OutboxMessage.id)
    ).all()
    return [
        Undelivered(id, kind, format_reference(number) if number else None, state, attempts, error, due)
        for id, kind, number, state, attempts, error, due in rows
    ]
