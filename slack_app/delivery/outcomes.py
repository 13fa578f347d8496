"""What the dispatcher and its handlers share: a handler's signature, what it may raise or
give back, and the tally of one delivery pass."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.orm import Session

from db.models import OutboxMessage

Recorder = Callable[[Session], None]
Handler = Callable[[OutboxMessage], Recorder | None]


class Chore(Protocol):
    """Work that makes messages, done in batches between the rounds of a delivery pass (opening
    received reports as cases), so that what it makes goes out in the same pass."""

    def run(self, limit: int) -> int:
        """Do up to ``limit`` pieces of the work; how many were done."""
        ...

    def waiting(self) -> bool: ...


class Retry(Exception):
    """Try this message again later (a precondition, such as the card's ts, isn't there yet)."""


@dataclass
class OutboxStats:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    paused: int = 0  # held back because the workspace's token or a channel refuses the app
    paced: int = 0  # given back until its channel's or method's next slot (``pacing``)
