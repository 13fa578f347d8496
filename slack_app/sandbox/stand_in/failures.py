"""Failure injection: the rules ``SlackStandIn.fail()`` queues up, and the
controls that make the whole stand-in go down."""

from __future__ import annotations

import threading
from dataclasses import dataclass


@dataclass
class Failure:
    """One ``fail()`` rule; ``remaining`` None means until cleared."""

    error: str | None
    status: int
    remaining: int | None
    retry_after: int | None
    delay: float
    drop: bool
    channel: str | None = None  # only calls naming this channel
    answer_delay: float = 0.0  # seconds between doing the call and answering it

    def answer_headers(self) -> dict[str, str]:
        """Headers of the failed answer: rate limits tell the client when to retry."""
        if self.status == 429 or self.retry_after is not None:
            return {"Retry-After": str(self.retry_after if self.retry_after is not None else 1)}
        return {}


class FailurePlan:
    """Failure rules per method, used up in the order they were added (not thread-safe)."""

    def __init__(self) -> None:
        self._rules: dict[str, list[Failure]] = {}

    def add(self, method: str, rule: Failure) -> None:
        self._rules.setdefault(method, []).append(rule)

    def clear(self, method: str | None = None) -> None:
        if method is None:
            self._rules.clear()
        else:
            self._rules.pop(method, None)

    def take(self, method: str, channel: object = None) -> Failure | None:
        """The rule that applies to this call of ``method`` (naming ``channel``), if any: the
        first one queued for it, skipping rules meant for other channels."""
        rules = self._rules.get(method) or []
        rule = next((r for r in rules if r.channel is None or r.channel == channel), None)
        if rule is None:
            return None
        if rule.remaining is not None:
            rule.remaining -= 1
            if rule.remaining <= 0:
                rules.remove(rule)
        return rule


class FailureControls:
    """The failure-injection part of ``SlackStandIn``'s public API."""

    _cond: threading.Condition
    _failures: FailurePlan
    _down: bool

    def fail(
        self,
        method: str,
        *,
        error: str | None = "internal_error",
        status: int = 200,
        times: int | None = 1,
        retry_after: int | None = None,
        delay: float = 0.0,
        drop: bool = False,
        channel: str | None = None,
        answer_delay: float = 0.0,
    ) -> None:
        """Make the next ``times`` calls of ``method`` (None: until ``clear_failures``)
        misbehave: wait ``delay`` seconds, then close the connection (``drop``), or
        answer ``{"ok": false, "error": error}`` with HTTP ``status`` (a 429 also gets
        ``Retry-After: retry_after``, default 1), or with ``error=None`` answer
        normally (just slow). ``answer_delay`` holds the answer back that long *after* the call
        was carried out (and recorded): Slack has posted the message, the app doesn't know yet.
        With ``channel``, only calls naming that channel count. Rules queue up per method in
        the order given."""
        rule = Failure(error, status, times, retry_after, delay, drop, channel, answer_delay)
        with self._cond:
            self._failures.add(method, rule)

    def clear_failures(self, method: str | None = None) -> None:
        with self._cond:
            self._failures.clear(method)

    def go_down(self) -> None:
        """Answer every request with HTTP 503 until ``come_back()``."""
        with self._cond:
            self._down = True

    def come_back(self) -> None:
        with self._cond:
            self._down = False
