"""The outbox keeps itself a little below Slack's rate limits, so that it gets no 429s.

Slack takes about one ``chat.postMessage`` a second per channel (short bursts allowed) and a
minute's worth of each other method by tier (Tier 3: 50+ a minute, Tier 4: 100+), per
workspace. ``Pacer`` keeps a token bucket per limit, a little smaller and slower than Slack's,
in physical time (``time.monotonic``): the domain clock may stand still in tests, and Slack's
limits don't. It leaves part of each tier's burst to the listeners, which call Slack while a
person waits and are never paced.

``OutboxWebClient`` (``rate_limits``) asks the pacer before each of the outbox's calls and
raises ``Paced`` instead of calling too soon; the dispatcher gives the message back unsent,
without using up an attempt, and wakes up when the next slot opens. The dispatcher also asks
before it sends (``available``), for the channels it knows, so that when several streams
compete for a channel's next slot the one that matters most gets it (``priority``).
"""

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

POST_METHOD = "chat.postMessage"
POST_INTERVAL = 1.01  # seconds between messages in one channel, once the burst is used
POST_BURST = 3  # Slack's is a little more

PER_MINUTE = {3: 50, 4: 100}  # Slack's floors
TIER_SHARE = 0.9  # of the rate; the burst is 0.8 of a minute's worth
TIERS = {
    "chat.update": 3,
    "chat.delete": 3,
    "conversations.open": 3,
    "conversations.info": 3,
    "conversations.history": 3,
    "conversations.replies": 3,
    "conversations.kick": 3,
    "conversations.members": 4,
    "chat.postEphemeral": 4,
    "chat.getPermalink": 4,
    "users.info": 4,
    "views.publish": 4,
}

Key = tuple[str, ...]
EPSILON = 1e-9  # a slot due now is free, whatever the float arithmetic of refilling says


class Paced(Exception):
    """The outbox may not call ``key``'s method yet: its next slot opens in ``wait`` seconds."""

    def __init__(self, key: Key, wait: float):
        super().__init__(f"{key[0]} is paced for {wait:.2f}s")
        self.key = key
        self.method = key[0]
        self.wait = wait


def post_key(channel: str) -> Key:
    return (POST_METHOD, channel)


def key_of(method: str, params: dict[str, object]) -> Key | None:
    """What limits this call, if the outbox paces it: the channel for a post, else the method."""
    if method == POST_METHOD:
        channel = params.get("channel")
        return post_key(channel) if isinstance(channel, str) else None
    return (method,) if method in TIERS else None


@dataclass
class _Bucket:
    capacity: float
    rate: float
    tokens: float
    stamp: float

    def refill(self, now: float) -> None:
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now


class Pacer:
    """Token buckets per limit, thread-safe."""

    def __init__(self, monotonic: Callable[[], float] = time.monotonic):
        self.monotonic = monotonic
        self._lock = threading.Lock()
        self._buckets: dict[Key, _Bucket] = {}

    def take(self, key: Key) -> float:
        """Take a slot for one call: 0.0 if there was one, else the seconds until there is."""
        with self._lock:
            bucket = self._bucket(key)
            if bucket.tokens >= 1.0 - EPSILON:
                bucket.tokens = max(0.0, bucket.tokens - 1.0)
                return 0.0
            return (1.0 - bucket.tokens) / bucket.rate

    def available(self, key: Key) -> int:
        """How many calls could be made now."""
        with self._lock:
            return int(self._bucket(key).tokens + EPSILON)

    def opens_in(self, key: Key) -> float:
        """Seconds until the next slot (0.0 if one is free)."""
        with self._lock:
            bucket = self._bucket(key)
            return 0.0 if bucket.tokens >= 1.0 - EPSILON else (1.0 - bucket.tokens) / bucket.rate

    def _bucket(self, key: Key) -> _Bucket:
        now = self.monotonic()
        bucket = self._buckets.get(key)
        if bucket is None:
            capacity, rate = _limit(key)
            bucket = self._buckets[key] = _Bucket(capacity, rate, capacity, now)
        bucket.refill(now)
        return bucket


def _limit(key: Key) -> tuple[float, float]:
    if key[0] == POST_METHOD:
        return POST_BURST, 1.0 / POST_INTERVAL
    per_minute = PER_MINUTE[TIERS[key[0]]]
    return max(1.0, per_minute * 0.8), per_minute * TIER_SHARE / 60.0


class Admission:
    """One delivery round's share of the slots: heads are offered in priority order, and each
    takes a slot of every limit it is known to need (a channel gives one a round), or waits
    for the next round."""

    def __init__(self, pacer: Pacer):
        self.pacer = pacer
        self._left: dict[Key, int] = {}
        self.opens_in: float | None = None  # the soonest a refused head's slot opens

    def admit(self, keys: list[Key]) -> bool:
        if not keys:
            return True
        for key in keys:
            if key not in self._left:
                # One post per channel a round: a round's sends run in parallel, and the one that
                # matters most must also arrive first. The rest of a burst goes in the next rounds.
                available = self.pacer.available(key)
                self._left[key] = min(available, 1) if key[0] == POST_METHOD else available
        if all(self._left[key] > 0 for key in keys):
            for key in keys:
                self._left[key] -= 1
            return True
        wait = max(self.pacer.opens_in(key) for key in keys if self._left[key] <= 0)
        self.opens_in = wait if self.opens_in is None else min(self.opens_in, wait)
        return False


class Head(Protocol):
    id: int
    stream: str
    channel_id: str | None
    to_organizers: bool


class StreamPacing:
    """The dispatcher's side: which heads go this round, which limit each stream waits for,
    and when the loop should look again."""

    def __init__(self, pacer: Pacer, organizer_channel: str | None = None):
        self.pacer = pacer
        # Where a case not routed yet is most likely to go (it is the card that routes it).
        self.organizer_channel = organizer_channel
        self._lock = threading.Lock()
        self._waiting: dict[str, Key] = {}  # stream -> the limit its head was last paced by
        self._opens_at: float | None = None

    def choose(self, heads: Iterable[Head]) -> list[int]:
        """The heads that may go now, in the order given (``pending_heads`` puts an urgent
        case's messages first, then cards): each takes a slot of its channel, when that is
        known, and of the limit it last waited for."""
        admission = Admission(self.pacer)
        chosen = [head.id for head in heads if admission.admit(self._keys(head))]
        if admission.opens_in is not None:
            self._note(admission.opens_in)
        return chosen

    def paced(self, stream: str, paced: Paced) -> None:
        with self._lock:
            self._waiting[stream] = paced.key
        self._note(paced.wait)

    def wake_in(self, seconds: float) -> None:
        """Look again in ``seconds`` (a rate-limited method's pause ends then)."""
        self._note(seconds)

    def done(self, stream: str) -> None:
        with self._lock:
            self._waiting.pop(stream, None)

    def begin_pass(self) -> None:
        with self._lock:
            self._opens_at = None

    def wait(self, longest: float) -> float:
        """Seconds the loop may sleep: until the next slot a head waits for, at most ``longest``."""
        with self._lock:
            opens_at = self._opens_at
        if opens_at is None:
            return longest
        return min(longest, max(0.02, opens_at - self.pacer.monotonic()))

    def _keys(self, head: Head) -> list[Key]:
        keys = []
        channel = head.channel_id or (self.organizer_channel if head.to_organizers else None)
        if channel is not None:
            keys.append(post_key(channel))
        with self._lock:
            waiting = self._waiting.get(head.stream)
        if waiting is not None and waiting not in keys:
            keys.append(waiting)
        return keys

    def _note(self, wait: float) -> None:
        at = self.pacer.monotonic() + wait
        with self._lock:
            self._opens_at = at if self._opens_at is None else min(self._opens_at, at)
