"""Rate limits per Web API method: after a 429, the outbox calls that method no more until
its ``Retry-After`` is over, whichever stream wants it; other methods go on.

Slack limits each method separately, so one busy method (``chat.update``, say) shouldn't hold
the rest. The dispatcher marks its sending with ``guarding``; ``OutboxWebClient`` refuses a
paused method's call there, before it reaches Slack, and one its ``Pacer`` says would come
too soon (``pacing``). Listeners' calls, made outside ``guarding``, pass as they always did.
"""

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.web import SlackResponse

from slack_app.delivery.pacing import Paced, Pacer, key_of


class MethodPaused(Exception):
    """The outbox may not call ``method`` for ``wait`` more seconds (Slack rate-limited it)."""

    def __init__(self, method: str, wait: float):
        super().__init__(f"{method} is rate-limited for {wait:.1f}s")
        self.method = method
        self.wait = wait


class MethodPauses:
    """Which methods are rate-limited, and for how long (thread-safe). Kept in physical time,
    like the pacing: Slack's ``Retry-After`` runs out whatever the domain clock says; ``clock``
    only dates the report."""

    def __init__(self, clock: Callable[[], datetime], monotonic: Callable[[], float] = time.monotonic):
        self.clock = clock
        self.monotonic = monotonic
        self._lock = threading.Lock()
        self._until: dict[str, float] = {}

    def pause(self, method: str, seconds: float) -> None:
        until = self.monotonic() + seconds
        with self._lock:
            self._until[method] = max(until, self._until.get(method, until))

    def check(self, method: str) -> None:
        """Raise ``MethodPaused`` if ``method`` may not be called now."""
        now = self.monotonic()
        with self._lock:
            until = self._until.get(method)
            if until is not None and until <= now:
                del self._until[method]
                until = None
        if until is not None:
            raise MethodPaused(method, until - now)

    def report(self) -> dict[str, str]:
        now, today = self.monotonic(), self.clock()
        with self._lock:
            return {
                method: (today + timedelta(seconds=until - now)).isoformat()
                for method, until in sorted(self._until.items())
                if until > now
            }


_guard: ContextVar[tuple[MethodPauses, Pacer | None] | None] = ContextVar("outbox_method_pauses", default=None)


@contextmanager
def guarding(pauses: MethodPauses, pacer: Pacer | None = None) -> Iterator[None]:
    """Calls made through an ``OutboxWebClient`` in this block respect ``pauses`` and ``pacer``."""
    token = _guard.set((pauses, pacer))
    try:
        yield
    finally:
        _guard.reset(token)


class OutboxWebClient(WebClient):
    """A ``WebClient`` that, inside ``guarding``, doesn't call a rate-limited method, nor one
    whose next slot hasn't come (raising ``MethodPaused`` or ``Paced`` instead)."""

    def api_call(self, api_method: str, **kwargs: Any) -> SlackResponse:  # type: ignore[override]
        guard = _guard.get()
        if guard is not None:
            pauses, pacer = guard
            pauses.check(api_method)
            key = key_of(api_method, kwargs.get("json") or kwargs.get("params") or kwargs.get("data") or {})
            if pacer is not None and key is not None and (wait := pacer.take(key)) > 0:
                raise Paced(key, wait)
        return super().api_call(api_method, **kwargs)


def retry_after_seconds(headers) -> int:
    """Slack's ``Retry-After`` in seconds (30 if it is missing or unreadable)."""
    for name, value in (headers or {}).items():
        if name.lower() == "retry-after":
            values = value if isinstance(value, list) else [value]
            try:
                return max(1, int(values[0]))
            except (TypeError, ValueError):
                break
    return 30
