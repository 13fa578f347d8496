"""Claims on outbox messages: each belongs to one process and outlives it by a few seconds at most.

Before sending a message, a process claims it: ``claimed_by`` names the process
(``host:pid:nonce``, the nonce new at each start) and ``claimed_until`` ends a short ``LEASE``,
which a heartbeat renews every ``BEAT`` while the message is in flight. So:

- a live sender keeps its messages however long Slack takes, and no other process sends them;
- a sender that dies (``kill -9`` included) holds them at most ``LEASE`` longer, and on its own
  host not even that: at start-up, and at every beat, a process gives back at once the claims of
  processes of its host that are gone (their pid isn't running, or it is its own pid with another
  nonce, as in a restarted container). Claims of other hosts run out with their lease.

A message taken from a claimer that never finished is marked ``maybe_sent``: the dead process may
have posted it just before it died, so it is looked for in Slack before it is posted again
(``slack_app.delivery.posting``).
"""

import logging
import os
import secrets
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, select, update
from sqlalchemy.orm import Session, sessionmaker

from db.enums import OutboxState
from db.models import OutboxMessage

logger = logging.getLogger(__name__)

LEASE = timedelta(seconds=10)
BEAT = 3.0  # seconds between renewals: a lease survives two missed beats


@dataclass(frozen=True)
class Claimer:
    """Who holds a claim: a process, by host, pid and a nonce of its own."""

    host: str
    pid: int
    nonce: str

    def __str__(self) -> str:
        return f"{self.host}:{self.pid}:{self.nonce}"

    @classmethod
    def parse(cls, text: str | None) -> "Claimer | None":
        parts = (text or "").rsplit(":", 2)
        if len(parts) != 3 or not parts[1].isdigit():
            return None
        host, pid, nonce = parts
        return cls(host, int(pid), nonce)


_this_process: Claimer | None = None


def this_process() -> Claimer:
    """This process's identity; a forked child gets one of its own."""
    global _this_process
    if _this_process is None or _this_process.pid != os.getpid():
        _this_process = Claimer(socket.gethostname()[:80], os.getpid(), secrets.token_hex(6))
    return _this_process


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive
    return True


class Claims:
    """This process's claims: taking them, keeping them alive, freeing those of dead neighbours."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        clock: Callable[[], datetime],
        claimer: Claimer | None = None,
        *,
        lease: timedelta = LEASE,
        beat: float = BEAT,
        alive: Callable[[int], bool] = pid_alive,
    ):
        self.sessions = sessions
        self.clock = clock
        self.claimer = claimer or this_process()
        self.lease = lease
        self.beat = beat
        self.alive = alive
        self._held: set[int] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- the heartbeat -------------------------------------------------------------------
    def start(self) -> None:
        """Free the claims dead processes of this host left, then keep ours alive."""
        self.release_dead()
        self._stop.clear()
        self._thread = threading.Thread(target=self._beat, name="speakout-outbox-claims", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(self.beat + 5)

    def _beat(self) -> None:
        while not self._stop.wait(self.beat):
            try:
                self.renew()
                self.release_dead()
            except Exception:  # the database may be away for a moment; the lease outlasts two beats
                logger.warning("could not renew the outbox's claims; trying again in %ss", self.beat, exc_info=True)

    # -- claims --------------------------------------------------------------------------
    def claim(self, message_id: int) -> bool:
        """Take the message for sending, unless a live claim holds it. Taken from a claimer
        that didn't finish (its claim ran out or was freed), it is marked ``maybe_sent``."""
        now = self.clock()
        with self.sessions.begin() as session:
            claimed = session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.id == message_id,
                    OutboxMessage.state == OutboxState.PENDING,
                    (OutboxMessage.claimed_until.is_(None)) | (OutboxMessage.claimed_until <= now),
                )
                .values(
                    claimed_by=str(self.claimer),
                    claimed_until=now + self.lease,
                    maybe_sent=case((OutboxMessage.claimed_by.is_not(None), True), else_=OutboxMessage.maybe_sent),
                )
            )
            taken = claimed.rowcount == 1
        if taken:
            with self._lock:
                self._held.add(message_id)
        return taken

    @contextmanager
    def holding(self, message_id: int) -> Iterator[None]:
        """While the message is being sent: its claim is renewed until the block ends."""
        try:
            yield
        finally:
            with self._lock:
                self._held.discard(message_id)

    def renew(self) -> int:
        """Push the lease of every message this process is sending a ``lease`` ahead."""
        with self._lock:
            held = sorted(self._held)
        if not held:
            return 0
        with self.sessions.begin() as session:
            renewed = session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.id.in_(held),
                    OutboxMessage.state == OutboxState.PENDING,
                    OutboxMessage.claimed_by == str(self.claimer),
                )
                .values(claimed_until=self.clock() + self.lease)
            )
            return renewed.rowcount

    def release_dead(self) -> int:
        """Free at once the claims of processes of this host that are gone; returns how many."""
        with self.sessions.begin() as session:
            claims = session.execute(
                select(OutboxMessage.id, OutboxMessage.claimed_by).where(
                    OutboxMessage.state == OutboxState.PENDING,
                    OutboxMessage.claimed_by.startswith(f"{self.claimer.host}:", autoescape=True),
                )
            ).all()
            dead = [(row.id, row.claimed_by) for row in claims if self._is_dead(Claimer.parse(row.claimed_by))]
            for message_id, claimed_by in dead:
                # Only if the dead claim is still there: a live process may have taken it meanwhile.
                session.execute(
                    update(OutboxMessage)
                    .where(OutboxMessage.id == message_id, OutboxMessage.claimed_by == claimed_by)
                    .values(claimed_by=None, claimed_until=None, maybe_sent=True)
                )
        if dead:
            logger.info("freed %s outbox claim(s) of a process of this host that is gone", len(dead))
        return len(dead)

    def _is_dead(self, claimer: Claimer | None) -> bool:
        if claimer is None or claimer.host != self.claimer.host:
            return False
        if claimer.pid == self.claimer.pid:
            return claimer.nonce != self.claimer.nonce
        return not self.alive(claimer.pid)
