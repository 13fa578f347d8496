"""Rate limits per Web API method: after a 429, the outbox calls that method no more until
its ``Retry-After`` is over, whichever stream wants it; other methods go on.

Slack limits each method separately, so one busy method (``chat.update``, say) shouldn't hold
the rest. The dispatcher marks its sending with ``guarding``; ``OutboxWebClient`` refuses a
paused method's call there, before it reaches Slack, and one its ``Pacer`` says would come
too soon (``pacing``). Listeners' calls, made outside ``guarding``, pass as they always did.
"""

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from slack_sdk import WebClient
from slack_sdk.web import SlackResponse

from slack_app.delivery.pacing import Paced, Pacer, key_of


class MethodPaused(Exception):
    """The outbox may not call ``method`` until ``until`` (Slack rate-limited it)."""

    def __init__(self, method: str, until: datetime):
        super().__init__(f"{method} is rate-limited until {until.isoformat()}")
        self.method = method
        self.until = until


class MethodPauses:
    """Which methods are rate-limited, and until when (thread-safe)."""

    def __init__(self, clock: Callable[[], datetime]):
        self.clock = clock
        self._lock = threading.Lock()
        self._until: dict[str, datetime] = {}

    def pause(self, method: str, until: datetime) -> None:
        with self._lock:
            self._until[method] = max(until, self._until.get(method, until))

    def check(self, method: str) -> None:
        """Raise ``MethodPaused`` if ``method`` may not be called now."""
        now = self.clock()
        with self._lock:
            until = self._until.get(method)
            if until is not None and until <= now:
                del self._until[method]
                until = None
        if until is not None:
            raise MethodPaused(method, until)

    def report(self) -> dict[str, str]:
        now = self.clock()
        with self._lock:
            return {method: until.isoformat() for method, until in sorted(self._until.items()) if until > now}


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
