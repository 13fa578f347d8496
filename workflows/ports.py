"""What the workflows need from the outside world, as small interfaces.

Workflows never talk to Slack. They say what must be told to whom through a ``Notifier``;
the production notifier writes those messages to the outbox in the same transaction, and
``slack_app`` delivers them after commit.
"""

from typing import Any, Protocol

from workflows.messages import MessageKind


class Notifier(Protocol):
    def to_organizers(self, case_id: int, kind: MessageKind, **payload: Any) -> None:
        """Something for the case's card or thread in the organizers' (or escalation) channel."""

    def to_reporter(self, case_id: int, kind: MessageKind, **payload: Any) -> None:
        """A direct message to the case's reporter, in the app's name."""

    def to_person(self, case_id: int, user_id: str, kind: MessageKind, **payload: Any) -> None:
        """A direct message to someone else involved in a case (never about who reported)."""
