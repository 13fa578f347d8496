"""Trigger ids: the short-lived, single-use tickets an app needs to open a modal."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .models import ApiError
from .params import param

TRIGGER_TTL = 3.0
"""Seconds a trigger_id stays valid (Slack: three seconds)."""


@dataclass
class Trigger:
    user_id: str
    issued_at: float
    used: bool = False


class TriggerBook:
    """The trigger ids issued so far (not thread-safe)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._triggers: dict[str, Trigger] = {}

    def issue(self, user_id: str, *, issued_at: float | None = None) -> str:
        """A fresh trigger_id for ``user_id``, valid ``TRIGGER_TTL`` seconds after ``issued_at``
        (a ``time.monotonic()`` value; default now)."""
        trigger_id = f"{len(self._triggers) + 1}.{int(time.time())}.{secrets.token_hex(16)}"
        self._triggers[trigger_id] = Trigger(user_id, self._clock() if issued_at is None else issued_at)
        return trigger_id

    def exchange(self, params: Mapping[str, Any]) -> str:
        """Use up the request's trigger_id; returns the user it was issued for."""
        trigger = self._triggers.get(param(params, "trigger_id") or param(params, "interactivity_pointer") or "")
        if trigger is None:
            raise ApiError("invalid_trigger_id")
        if trigger.used:
            raise ApiError("exchanged_trigger_id")
        if self._clock() - trigger.issued_at >= TRIGGER_TTL:
            raise ApiError("expired_trigger_id")
        trigger.used = True
        return trigger.user_id
