"""Delivers the outbox to Slack after commit: in order within a stream, with retries.

A message is claimed by this process (``claims``: a short lease kept alive by a heartbeat, so two
processes never send it at once and a dead one holds it for seconds only), sent with no database
transaction open (so a slow Slack never holds a lock), then marked sent together with whatever
its sending recorded (a card's ts, say). A post whose earlier attempt may have reached Slack (its
sender died mid-send, or the call timed out) is looked for in Slack, by the outbox id in its
metadata, before it is posted again (``posting``): a crash posts nothing twice. Updates and
removals are idempotent and are simply sent again.

Slack's refusals are handled by what they are about (see ``slack_errors``): the token pauses
everything, a channel pauses its messages, a message that can't go as it is fails alone, and a
rate limit pauses its method (``rate_limits``); the rest is retried with backoff. Below those
limits, the outbox paces itself (``pacing``): urgent cases' messages and cards take a slot first.
"""

import http.client
import logging
import threading
import time
import urllib.error
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from functools import partial

from slack_sdk.errors import SlackApiError
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from db.health_queries import PAUSED
from db.models import Case, OutboxMessage
from slack_app.delivery import outbox_rows as rows
from slack_app.delivery import slack_errors
from slack_app.delivery.claims import Claimer, Claims
from slack_app.delivery.outcomes import Chore, Handler, OutboxStats, Retry
from slack_app.delivery.pacing import Paced, Pacer, StreamPacing
from slack_app.delivery.pauses import SlackPauses
from slack_app.delivery.rate_limits import MethodPaused, MethodPauses, guarding, retry_after_seconds
from slack_app.delivery.slack_errors import Scope, channel_of, error_code, hint_for, method_of, scope_of
from workflows.outbox import organizer_stream

logger = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(minutes=5)
BATCH = 200
QUIET = 0.05
QUIET_MAX = 1.0
SENDERS = 8  # streams sent to at once
CHORE_BATCH = 20  # received reports opened between two rounds of sending

PROBE_INTERVAL = timedelta(seconds=30)
# A message that failed this way holds the rest of its stream (they may depend on it, and
# Slack was unreachable for a day); one Slack refused as it is doesn't.
GAVE_UP = "gave up after"


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
        claimer: Claimer | None = None,
        organizer_channel: str | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ):
        self.sessions = sessions
        self.handlers = handlers
        self.clock = clock
        self.poll_interval = poll_interval
        self.give_up_after = give_up_after
        self.chore = chore
        # ``probe`` (``auth.test``) tells whether the token works again.
        self.pauses = SlackPauses(clock, probe, probe_interval)
        self.methods = MethodPauses(clock, monotonic)
        self.claims = Claims(sessions, clock, claimer)
        # Below Slack's rate limits, in physical time: the domain clock may stand still.
        self.pacing = StreamPacing(Pacer(monotonic), organizer_channel)
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="outbox")

    # -- running in the background -------------------------------------------------------
    def start(self) -> None:
        self.claims.start()
        self._thread = threading.Thread(target=self._loop, name="speakout-outbox", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self._pool.shutdown(wait=True)
        self.claims.stop()

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
            if self._wake.wait(self.pacing.wait(self.poll_interval)):
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
        self.pacing.begin_pass()
        more = self._run_chore()
        while not self._stop.is_set() and self.pauses.workspace_open():
            generation = self.pauses.generation
            heads = self.pacing.choose(self._due_heads(probing=True))
            claimed = [message_id for message_id in heads if self._claim(message_id)]
            outcomes: list[str] = []
            if claimed:
                deliver = partial(self._deliver, generation=generation)
                outcomes = [deliver(claimed[0])] if len(claimed) == 1 else list(self._pool.map(deliver, claimed))
            for outcome in outcomes:
                setattr(stats, outcome, getattr(stats, outcome) + 1)
            if "sent" not in outcomes and "failed" not in outcomes and not more:
                return stats
            more = self._run_chore()
        while more and not self._stop.is_set():  # Slack refuses the token: still open every report
            more = self._run_chore()
        return stats

    def _run_chore(self) -> bool:
        """One batch of the chore (received reports opened as cases); whether it did any. In
        batches, so that a burst's first cards go out while the rest of it is being opened."""
        return self.chore is not None and bool(self.chore.run(CHORE_BATCH))

    def busy(self) -> bool:
        """Whether a message is due now or being sent, or the chore has work waiting (messages
        waiting behind a failed one, for a later retry, or for Slack to take the app back,
        don't count)."""
        if self.chore is not None and self.chore.waiting():
            return True
        return not self.pauses.workspace_paused and bool(self._due_heads(include_in_flight=True))

    def slack_status(self) -> dict[str, object]:
        """What Slack refuses right now, for /healthz: the workspace's token, or channels."""
        status = self.pauses.report()
        status["rate_limited"] = self.methods.report()
        return status

    def pause_for_token(self, code: str) -> None:
        """Slack said the token is gone (``app_uninstalled``, ``tokens_revoked``): pause as if a
        call had been refused with ``code``; the probe resumes sending once a token works."""
        self.pauses.pause_workspace(code)

    def _due_heads(self, *, include_in_flight: bool = False, probing: bool = False) -> list[rows.Pending]:
        """The first pending message of each stream, if it is due, no earlier one failed for
        good, and its channel isn't paused (but for one message per paused channel, now and
        then, as its probe)."""
        now = self.clock()
        pending, blocked = rows.pending_heads(self.sessions, BATCH, held_by=GAVE_UP)
        heads = []
        for row in pending:
            if row.stream in blocked:
                continue
            blocked.add(row.stream)
            in_flight = row.claimed_until is not None and row.claimed_until > now
            if row.available_at > now or (in_flight and not include_in_flight):
                continue
            if self.pauses.held(row.stream, row.channel_id, now, probing=probing):
                continue
            heads.append(row)
        return heads

    def _deliver(self, message_id: int, *, generation: int | None = None) -> str:
        with self.claims.holding(message_id):  # its claim is renewed while it is being sent
            return self._send(message_id, generation=generation)

    def _send(self, message_id: int, *, generation: int | None = None) -> str:
        """Send one claimed message; says whether it was "sent", will be "retried", "failed", or
        waits for a pause ("paused"). A pause begun since this pass chose it (``generation``)
        holds it unsent."""
        with self.sessions.begin() as session:
            message = session.get(OutboxMessage, message_id)
            session.expunge(message)
        if generation is not None and (
            pause := self.pauses.began_after(generation, message.stream, partial(self._channel_of, message))
        ):
            self._release(message, f"{PAUSED}{pause.code}: {pause.hint}")
            return "paused"
        handler = self.handlers.get(message.kind)
        try:
            if handler is None:
                raise LookupError(f"no handler for outbox message kind {message.kind!r}")
            with guarding(self.methods, self.pacing.pacer):
                recorder = handler(message)
        except Paced as paced:
            self.pacing.paced(message.stream, paced)
            rows.unclaim(self.sessions, message)
            return "paced"
        except MethodPaused as paused:
            self.pacing.wake_in(paused.wait)
            self._release(message, f"{paused.method} is rate-limited")
            return "paced"
        except Retry as retry:
            self._reschedule(message, str(retry), self._backoff(message.attempts))
            return "retried"
        except SlackApiError as error:
            return self._on_slack_error(message, error)
        except (TimeoutError, urllib.error.URLError, ConnectionError, http.client.HTTPException) as error:
            reason, backoff = f"connection: {type(error).__name__}", self._backoff(message.attempts)
            self._reschedule(message, reason, backoff, maybe_sent=slack_errors.may_have_reached_slack(error))
            return "retried"
        rows.mark_sent(self.sessions, message, recorder, self.clock())
        self.pacing.done(message.stream)
        self.pauses.resume_workspace()
        if self.pauses.channels_paused:
            self.pauses.resume_channels(message.stream, self._channel_of(message))
        return "sent"

    def _on_slack_error(self, message: OutboxMessage, error: SlackApiError) -> str:
        response = error.response
        code = error_code(error)
        status = response.status_code
        scope = scope_of(code)
        if status == 429:
            # Not the message's fault: given back with no attempt used up, to go once the
            # method's pause is over (in physical time, like the pacing).
            method, wait = method_of(error), retry_after_seconds(response.headers)
            self.methods.pause(method, wait)
            self.pacing.wake_in(wait)
            logger.warning("Slack rate-limits %s: the outbox calls it again in %s s", method, wait)
            self._release(message, f"ratelimited: {method}")
            return "retried"
        elif scope is Scope.WORKSPACE:
            self.pauses.pause_workspace(code)
            self._release(message, f"{PAUSED}{code}: {hint_for(code)}")
            return "paused"
        elif scope is Scope.CHANNEL:
            self.pauses.pause_channel(channel_of(error) or message.stream, message.stream, code)
            self._release(message, f"{PAUSED}{code}: {hint_for(code)}")
            return "paused"
        elif scope is Scope.MESSAGE:
            self._fail(message, f"{code}: {hint_for(code)}")
            return "failed"
        else:
            self._reschedule(message, f"{status} {code}", self._backoff(message.attempts))
            return "retried"

    def _channel_of(self, message: OutboxMessage) -> str | None:
        if message.case_id is None or message.stream != organizer_stream(message.case_id):
            return None
        with self.sessions.begin() as session:
            return session.scalar(select(Case.channel_id).where(Case.id == message.case_id))

    def _claim(self, message_id: int) -> bool:
        return self.claims.claim(message_id)

    def _release(self, message: OutboxMessage, reason: str, *, available_at: datetime | None = None) -> None:
        rows.release(self.sessions, message, reason, available_at=available_at)

    def _reschedule(self, message: OutboxMessage, reason: str, delay: timedelta, *, maybe_sent: bool = False) -> None:
        now = self.clock()
        if now - message.created_at > self.give_up_after:
            self._fail(message, f"{GAVE_UP} {message.attempts + 1} attempts: {reason}")
            return
        logger.info("outbox message %s (%s) will be retried in %s: %s", message.id, message.kind, delay, reason)
        rows.reschedule(self.sessions, message, reason, now + delay, maybe_sent=maybe_sent)

    def _fail(self, message: OutboxMessage, reason: str) -> None:
        logger.error("outbox message %s (%s) failed for good: %s", message.id, message.kind, reason)
        rows.fail(self.sessions, message, reason)

    @staticmethod
    def _backoff(attempts: int) -> timedelta:
        # 2 s, 4 s, 8 s ... up to five minutes.
        return min(timedelta(seconds=2 ** min(attempts + 1, 10)), MAX_BACKOFF)
