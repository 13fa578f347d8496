"""What a running Speak Out hands to its listeners and deliveries, built once at start-up
(``slack_app.runtime.wiring.build_services``)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from slack_sdk import WebClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from slack_app.core.settings import Settings

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class Outbox(Protocol):
    """The delivery loop, as the rest of the app sees it (``slack_app.delivery.dispatcher``)."""

    def wake(self) -> None: ...

    def start(self) -> None: ...

    def stop(self, timeout: float = 10.0) -> None: ...

    def busy(self) -> bool: ...

    def deliver_due(self) -> object: ...

    def slack_status(self) -> dict[str, object]: ...

    def pause_for_token(self, code: str) -> None: ...


@dataclass
class Services:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    client: WebClient
    outbox: Outbox
    clock: Clock
