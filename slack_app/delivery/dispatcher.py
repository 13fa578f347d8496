"""Delivers the outbox to Slack after commit: in order within a stream, with retries.

A message is claimed with a short lease (so two processes never send it at once), sent with
no database transaction open (so a slow Slack never holds a lock), then marked sent together
with whatever its sending recorded (a card's ts, say). A crash between sending and marking
sends that one message again on restart: at-least-once, the best a Web API without
idempotency keys allows.
"""

import http.client
import logging
import threading
import time
import urllib.error
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from slack_sdk.errors import SlackApiError
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from db.enums import OutboxState
from db.health_queries import PAUSED
from db.models import Case, OutboxMessage
from slack_app.delivery.rate_limits import MethodPaused, MethodPauses, guarding
from slack_app.delivery.slack_errors import Pause, Scope, channel_of, error_code, hint_for, method_of, scope_of
from workflows.outbox import organizer_stream

logger = logging.getLogger(__name__)

Recorder = Callable[[Session], None]
Handler = Callable[[OutboxMessage], Recorder | None]

LEASE = timedelta(seconds=60)
MAX_BACKOFF = timedelta(minutes=5)
BATCH = 200
QUIET = 0.05
QUIET_MAX = 1.0
SENDERS = 8  # streams sent to at once

PROBE_INTERVAL = timedelta(seconds=30)
# A message that failed this way holds the rest of its stream (they may depend on it, and
# Slack was unreachable for a day); one Slack refused as it is doesn't.
GAVE_UP = "gave up after"


class Chore(Protocol):
    """Work that makes messages, done at the start of each delivery pass (opening received
    reports as cases), so that what it makes goes out in the same pass."""

    def run(self) -> object: ...

    def waiting(self) -> bool: ...


class Retry(Exception):
    """Try this message again later (a precondition, such as the card's ts, isn't there yet)."""


@dataclass
class OutboxStats:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    paused: int = 0  # held back because the workspace's token or a channel refuses the app


class OutboxDispatcher:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        handlers: dict[str, Handler],
        *,
        clock: Callable[[], datetime],
        poll_interval: float = 5.0,
        give_up_after: timedelta = timedelta(days=1),
        workers: int = SENDERS,
        chore: Chore | None = None,
        probe: Callable[[], object] | None = None,
        probe_interval: timedelta = PROBE_INTERVAL,
    ):
        self.sessions = sessions
        self.handlers = handlers
        self.clock = clock
        self.poll_interval = poll_interval
        self.give_up_after = give_up_after
        self.chore = chore
        # ``probe`` (``auth.test``) tells whether the token works again; without one, the
        # messages due are sent as the probe.
        self.probe = probe
        self.probe_interval = probe_interval
        # Pauses live in this process only: after a restart, the first refusal finds them again.
        self._lock = threading.Lock()
        self._workspace: Pause | None = None
        self._channels: dict[str, Pause] = {}
        self.methods = MethodPauses(clock)
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="outbox")

    # -- running in the background -------------------------------------------------------
    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="speakout-outbox", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self._pool.shutdown(wait=True)

    def wake(self) -> None:
        """Deliver now rather than at the next poll (called after a commit that queued messages)."""
        self._wake.set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                self.deliver_due()
            except Exception:  # the loop must survive a database outage
                logger.exception("outbox delivery pass failed; retrying at the next poll")
            if self._wake.wait(self.poll_interval):
                self._let_burst_pass()

    def _let_burst_pass(self) -> None:
        """A burst of reports wakes the outbox once per report: start sending once the wake-ups
        pause for ``QUIET`` (at most ``QUIET_MAX`` later), so that sending doesn't compete with
        answering the rest of the burst within Slack's 3 seconds."""
        deadline = time.monotonic() + QUIET_MAX
        while self._wake.is_set() and time.monotonic() < deadline and not self._stop.is_set():
            self._wake.clear()
            self._stop.wait(QUIET)
        self._wake.set()  # the loop clears it before the pass

    # -- one pass ------------------------------------------------------------------------
    def deliver_due(self) -> OutboxStats:
        """Send everything that is due until nothing more can go. The heads of different
        streams go out in parallel (each waits ~100 ms on Slack); within a stream, one at a time."""
        stats = OutboxStats()
        if self.chore is not None:
            self.chore.run()
        while not self._stop.is_set() and self._workspace_open():
            claimed = [message_id for message_id in self._due_heads(probing=True) if self._claim(message_id)]
            if not claimed:
                return stats
            if len(claimed) == 1:
                outcomes = [self._deliver(claimed[0])]
            else:
                outcomes = list(self._pool.map(self._deliver, claimed))
            for outcome in outcomes:
                setattr(stats, outcome, getattr(stats, outcome) + 1)
            if "sent" not in outcomes and "failed" not in outcomes:
                return stats
        return stats

    def busy(self) -> bool:
        """Whether a message is due now or being sent, or the chore has work waiting (messages
        waiting behind a failed one, for a later retry, or for Slack to take the app back,
        don't count)."""
        if self.chore is not None and self.chore.waiting():
            return True
        return self._workspace is None and bool(self._due_heads(include_in_flight=True))

    def slack_status(self) -> dict[str, object]:
        """What Slack refuses right now, for /healthz: the workspace's token, or channels."""
        with self._lock:
            status: dict[str, object] = self._workspace.report() if self._workspace else {"paused": None}
            status["channels"] = {channel: pause.report() for channel, pause in sorted(self._channels.items())}
        status["rate_limited"] = self.methods.report()
        return status

    def _due_heads(self, *, include_in_flight: bool = False, probing: bool = False) -> list[int]:
        """The first pending message of each stream, if it is due, no earlier one failed for
        good, and its channel isn't paused (but for one message per paused channel, now and
        then, as its probe)."""
        now = self.clock()
        with self.sessions.begin() as session:
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
                .limit(BATCH)
            ).all()
            streams = {row.stream for row in pending}
            blocked = (
                set(
                    session.scalars(
                        select(OutboxMessage.stream)
                        .distinct()
                        .where(
                            OutboxMessage.state == OutboxState.FAILED,
                            OutboxMessage.last_error.startswith(GAVE_UP),
                            OutboxMessage.stream.in_(streams),
                        )
                    )
                )
                if streams
                else set()
            )
        heads = []
        for row in pending:
            if row.stream in blocked:
                continue
            blocked.add(row.stream)
            in_flight = row.claimed_until is not None and row.claimed_until > now
            if row.available_at > now or (in_flight and not include_in_flight):
                continue
            if self._held(row.stream, _channel(row.stream, row.case_id, row.channel_id), now, probing=probing):
                continue
            heads.append(row.id)
        return heads

    def _held(self, stream: str, channel: str | None, now: datetime, *, probing: bool) -> bool:
        with self._lock:
            for pause in self._channels_of(stream, channel):
                if probing and pause.next_probe <= now:
                    pause.next_probe = now + self.probe_interval  # one probe per channel and interval
                    return False
                return True
        return False

    def _channels_of(self, stream: str, channel: str | None) -> list[Pause]:
        return [pause for key, pause in self._channels.items() if key == channel or stream in pause.streams]

    def _workspace_open(self) -> bool:
        """Whether the token works (as far as we know), probing it if it didn't and it's time."""
        now = self.clock()
        with self._lock:
            pause = self._workspace
            if pause is None:
                return True
            if pause.next_probe > now:
                return False
            pause.next_probe = now + self.probe_interval
        if self.probe is None:
            return True  # the messages due are the probe
        try:
            self.probe()
        except SlackApiError as error:
            code = error_code(error)
            if scope_of(code) is Scope.WORKSPACE:
                pause.code = code
            logger.info("Slack still refuses the app's token (%s); trying again in %s", code, self.probe_interval)
            return False
        except Exception as error:  # Slack unreachable: the token may work, we can't tell yet
            logger.info("could not check the app's token (%s); trying again later", type(error).__name__)
            return False
        self._resume_workspace()
        return True

    def _resume_workspace(self) -> None:
        with self._lock:
            pause, self._workspace = self._workspace, None
        if pause is not None:
            logger.warning("Slack takes the app's token again (paused since %s): sending resumes", pause.since)

    def _claim(self, message_id: int) -> bool:
        now = self.clock()
        with self.sessions.begin() as session:
            claimed = session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.id == message_id,
                    OutboxMessage.state == OutboxState.PENDING,
                    (OutboxMessage.claimed_until.is_(None)) | (OutboxMessage.claimed_until <= now),
                )
                .values(claimed_until=now + LEASE)
            )
            return claimed.rowcount == 1

    def _deliver(self, message_id: int) -> str:
        """Send one claimed message; says whether it was "sent", will be "retried", or "failed"."""
        with self.sessions.begin() as session:
            message = session.get(OutboxMessage, message_id)
            session.expunge(message)
        handler = self.handlers.get(message.kind)
        try:
            if handler is None:
                raise LookupError(f"no handler for outbox message kind {message.kind!r}")
            with guarding(self.methods):
                recorder = handler(message)
        except MethodPaused as paused:
            self._release(message, f"{paused.method} is rate-limited", available_at=paused.until)
            return "retried"
        except Retry as retry:
            self._reschedule(message, str(retry), self._backoff(message.attempts))
            return "retried"
        except SlackApiError as error:
            return self._on_slack_error(message, error)
        except (TimeoutError, urllib.error.URLError, ConnectionError, http.client.HTTPException) as error:
            self._reschedule(message, f"connection: {type(error).__name__}", self._backoff(message.attempts))
            return "retried"
        with self.sessions.begin() as session:
            if recorder is not None:
                recorder(session)
            session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == message.id)
                .values(
                    state=OutboxState.SENT,
                    sent_at=self.clock(),
                    claimed_until=None,
                    attempts=message.attempts + 1,
                    last_error=None,
                )
            )
        self._resume_workspace()
        self._resume_channels(message)
        return "sent"

    def _on_slack_error(self, message: OutboxMessage, error: SlackApiError) -> str:
        response = error.response
        code = error_code(error)
        status = response.status_code
        scope = scope_of(code)
        if status == 429:
            method, wait = method_of(error), timedelta(seconds=_retry_after(response.headers))
            self.methods.pause(method, self.clock() + wait)
            logger.warning("Slack rate-limits %s: the outbox calls it again in %s", method, wait)
            self._reschedule(message, f"ratelimited: {method}", wait)
            return "retried"
        elif scope is Scope.WORKSPACE:
            self._pause_workspace(code)
            self._release(message, f"{PAUSED}{code}: {hint_for(code)}")
            return "paused"
        elif scope is Scope.CHANNEL:
            self._pause_channel(channel_of(error) or message.stream, message.stream, code)
            self._release(message, f"{PAUSED}{code}: {hint_for(code)}")
            return "paused"
        elif scope is Scope.MESSAGE:
            self._fail(message, f"{code}: {hint_for(code)}")
            return "failed"
        else:
            self._reschedule(message, f"{status} {code}", self._backoff(message.attempts))
            return "retried"

    def _pause_workspace(self, code: str) -> None:
        now = self.clock()
        with self._lock:
            if self._workspace is not None:
                return
            self._workspace = Pause(code, now, now + self.probe_interval)
        logger.error(
            "Slack refuses the app's token (%s): the outbox is paused until it works again. To fix: %s",
            code,
            hint_for(code),
        )

    def _pause_channel(self, channel: str, stream: str, code: str) -> None:
        now = self.clock()
        with self._lock:
            pause = self._channels.get(channel)
            new = pause is None
            if pause is None:
                pause = self._channels[channel] = Pause(code, now, now)
            pause.code, pause.next_probe = code, now + self.probe_interval
            pause.streams.add(stream)
        if new:
            logger.error(
                "Slack refuses the app in channel %s (%s): its messages wait until that's fixed. To fix: %s",
                channel,
                code,
                hint_for(code),
            )

    def _resume_channels(self, message: OutboxMessage) -> None:
        if not self._channels:
            return
        channel = None
        if message.case_id is not None and message.stream == organizer_stream(message.case_id):
            with self.sessions.begin() as session:
                channel = session.scalar(select(Case.channel_id).where(Case.id == message.case_id))
        with self._lock:
            resumed = [
                key for key, pause in self._channels.items() if key == channel or message.stream in pause.streams
            ]
            for key in resumed:
                del self._channels[key]
        for key in resumed:
            logger.warning("Slack takes the app's messages in channel %s again: sending resumes", key)

    def _release(self, message: OutboxMessage, reason: str, *, available_at: datetime | None = None) -> None:
        """Give the message back unsent, with no attempt used up: it waits for a pause to end."""
        values: dict[str, object] = {"claimed_until": None, "last_error": reason[:300]}
        if available_at is not None:
            values["available_at"] = available_at
        with self.sessions.begin() as session:
            session.execute(update(OutboxMessage).where(OutboxMessage.id == message.id).values(**values))

    def _reschedule(self, message: OutboxMessage, reason: str, delay: timedelta) -> None:
        now = self.clock()
        if now - message.created_at > self.give_up_after:
            self._fail(message, f"{GAVE_UP} {message.attempts + 1} attempts: {reason}")
            return
        logger.info("outbox message %s (%s) will be retried in %s: %s", message.id, message.kind, delay, reason)
        with self.sessions.begin() as session:
            session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == message.id)
                .values(
                    attempts=message.attempts + 1, available_at=now + delay, claimed_until=None, last_error=reason[:300]
                )
            )

    def _fail(self, message: OutboxMessage, reason: str) -> None:
        logger.error("outbox message %s (%s) failed for good: %s", message.id, message.kind, reason)
        with self.sessions.begin() as session:
            session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == message.id)
                .values(
                    state=OutboxState.FAILED, attempts=message.attempts + 1, claimed_until=None, last_error=reason[:300]
                )
            )

    @staticmethod
    def _backoff(attempts: int) -> timedelta:
        # 2 s, 4 s, 8 s ... up to five minutes.
        return min(timedelta(seconds=2 ** min(attempts + 1, 10)), MAX_BACKOFF)


def _channel(stream: str, case_id: int | None, case_channel: str | None) -> str | None:
    """The channel a message goes to, where the stream tells: the case's, for its organizers."""
    if case_id is not None and stream == organizer_stream(case_id):
        return case_channel
    return None


def _retry_after(headers) -> int:
    for name, value in (headers or {}).items():
        if name.lower() == "retry-after":
            values = value if isinstance(value, list) else [value]
            try:
                return max(1, int(values[0]))
            except (TypeError, ValueError):
                break
    return 30
