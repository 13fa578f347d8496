"""Slack's rate limits, as the stand-in applies them (on unless ``SlackStandIn(rate_limits=False)``).

Slack limits each Web API method per app per workspace by tier (Tier 2: 20+ calls a minute,
Tier 3: 50+, Tier 4: 100+, each "allowing bursts"), and ``chat.postMessage`` to about one
message per second per channel, short bursts allowed. A call over its limit is answered HTTP
429 ``{"ok": false, "error": "ratelimited"}`` with ``Retry-After: <seconds>``.

Here each limit is a token bucket in physical (monotonic) time: a tier's bucket holds a
minute's worth of calls and refills at that rate; a channel's ``chat.postMessage`` bucket
holds ``POST_BURST`` messages and refills at one a second. Methods without a tier here
(``auth.test``, response_urls) are not limited, as in Slack for the calls the app makes.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from .models import JsonDict

PER_MINUTE = {2: 20, 3: 50, 4: 100}
"""Calls a minute per tier (Slack's documented floor for each)."""

TIERS = {
    # Tier 3 in docs.slack.dev's method reference (api.slack.com's older page said Tier 1).
    "apps.connections.open": 3,
    "chat.update": 3,
    "chat.delete": 3,
    "chat.postEphemeral": 4,
    "chat.getPermalink": 4,
    "conversations.open": 3,
    "conversations.info": 3,
    "conversations.history": 3,
    "conversations.replies": 3,
    "conversations.kick": 3,
    "conversations.members": 4,
    "users.info": 4,
    "views.open": 4,
    "views.update": 4,
    "views.push": 4,
    "views.publish": 4,
}
"""Each limited method's tier, from Slack's method reference."""

POST_METHOD = "chat.postMessage"
POST_RATE = 1.0  # messages a second per channel
POST_BURST = 4  # messages a channel takes at once after a quiet spell


@dataclass
class Bucket:
    capacity: float
    rate: float  # tokens a second
    tokens: float
    stamp: float

    def take(self, now: float) -> float:
        """Take a token: 0.0 if there was one, else the seconds until there is one."""
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return 0.0
        return (1.0 - self.tokens) / self.rate


class RateLimits:
    """Which calls Slack would refuse now (not thread-safe: the stand-in's lock guards it)."""

    def __init__(self, *, enabled: bool = True, clock: Callable[[], float] = time.monotonic) -> None:
        self.enabled = enabled
        self._clock = clock
        self._buckets: dict[tuple[str, ...], Bucket] = {}

    def retry_after(self, method: str, params: JsonDict) -> int | None:
        """None if Slack would take this call now; else the ``Retry-After`` it would answer
        (whole seconds, at least 1). A refused call uses up nothing."""
        if not self.enabled:
            return None
        limit = self._limit(method, params)
        if limit is None:
            return None
        key, capacity, rate = limit
        now = self._clock()
        bucket = self._buckets.setdefault(key, Bucket(capacity, rate, capacity, now))
        wait = bucket.take(now)
        return None if wait == 0.0 else max(1, math.ceil(wait))

    @staticmethod
    def _limit(method: str, params: JsonDict) -> tuple[tuple[str, ...], float, float] | None:
        if method == POST_METHOD:
            return (method, str(params.get("channel"))), POST_BURST, POST_RATE
        tier = TIERS.get(method)
        if tier is None:
            return None
        per_minute = PER_MINUTE[tier]
        return (method,), per_minute, per_minute / 60.0
