"""The outbox: messages owed to Slack, stored with the change that causes them."""

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from db.models import OutboxMessage
from workflows.messages import MessageKind


def organizer_stream(case_id: int) -> str:
    return f"case-{case_id}/organizers"


def reporter_stream(case_id: int) -> str:
    return f"case-{case_id}/reporter"


def person_stream(case_id: int, user_id: str) -> str:
    return f"case-{case_id}/person-{user_id}"


class OutboxNotifier:
    """The production ``Notifier``: adds outbox rows to the caller's transaction.

    Payloads hold ids and choices only; text is read from the case when the message is sent,
    so sensitive words are never copied into the outbox.
    """

    def __init__(self, session: Session, now: datetime):
        self.session = session
        self.now = now

    def to_organizers(self, case_id: int, kind: MessageKind, **payload: Any) -> None:
        self._add(organizer_stream(case_id), case_id, kind, payload)

    def to_reporter(self, case_id: int, kind: MessageKind, **payload: Any) -> None:
        self._add(reporter_stream(case_id), case_id, kind, payload)

    def to_person(self, case_id: int, user_id: str, kind: MessageKind, **payload: Any) -> None:
        self._add(person_stream(case_id, user_id), case_id, kind, {**payload, "user_id": user_id})

    def _add(self, stream: str, case_id: int, kind: MessageKind, payload: dict[str, Any]) -> None:
        self.session.add(
            OutboxMessage(
                stream=stream,
                kind=kind,
                case_id=case_id,
                payload=payload,
                created_at=self.now,
                available_at=self.now,
            )
        )
