"""A Notifier that remembers what the workflows asked to tell whom."""

from typing import Any


class RecordingNotifier:
    def __init__(self) -> None:
        self.sent: list[tuple[str, int, str, dict[str, Any]]] = []

    def to_organizers(self, case_id: int, kind: str, **payload: Any) -> None:
        self.sent.append(("organizers", case_id, kind, payload))

    def to_reporter(self, case_id: int, kind: str, **payload: Any) -> None:
        self.sent.append(("reporter", case_id, kind, payload))

    def to_person(self, case_id: int, user_id: str, kind: str, **payload: Any) -> None:
        self.sent.append((f"person:{user_id}", case_id, kind, payload))

    def kinds(self) -> list[tuple[str, str]]:
        return [(audience, kind) for audience, _, kind, _ in self.sent]
