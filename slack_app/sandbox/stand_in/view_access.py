"""The modal and Home tab part of ``SlackStandIn``'s public API: trigger ids,
what each user sees, and what they do to their modals, under the stand-in's lock."""

from __future__ import annotations

import threading
from typing import Any

from .models import JsonDict
from .submission import apply_submission_answer
from .view_store import ViewStore


class ViewAccess:
    """Locked accessors over the stand-in's ``ViewStore``; they return copies."""

    _cond: threading.Condition
    _views: ViewStore

    def issue_trigger(self, user_id: str, *, issued_at: float | None = None) -> str:
        """A trigger_id for ``user_id``, usable once within 3 s of ``issued_at``
        (a ``time.monotonic()`` value, default now)."""
        with self._cond:
            return self._views.triggers.issue(user_id, issued_at=issued_at)

    def open_view(self, user_id: str) -> JsonDict | None:
        """The modal the user sees (top of their stack), or None."""
        with self._cond:
            return self._views.open_view(user_id)

    def view_stack(self, user_id: str) -> list[JsonDict]:
        """The user's open modals, bottom first."""
        with self._cond:
            return self._views.stack(user_id)

    def view(self, view_id: str) -> JsonDict | None:
        """Any open modal or Home tab by id."""
        with self._cond:
            return self._views.view(view_id)

    def home_view(self, user_id: str) -> JsonDict | None:
        with self._cond:
            return self._views.home_view(user_id)

    def close_views(self, user_id: str) -> None:
        with self._cond:
            self._views.close_views(user_id)
            self._cond.notify_all()

    def record_view_closed(self, user_id: str, view_id: str | None = None) -> JsonDict | None:
        """The user closed ``view_id`` (default: the top modal), as with the close
        button; returns the closed view."""
        with self._cond:
            closed = self._views.close_view(user_id, view_id)
            self._cond.notify_all()
            return closed

    def set_view_state(self, view_id: str, block_id: str, action_id: str, entry: JsonDict) -> None:
        """Record a value the user entered in a view (reported in ``view.state``)."""
        with self._cond:
            self._views.set_state(view_id, block_id, action_id, entry)
            self._cond.notify_all()

    def apply_view_submission_answer(self, user_id: str, view_id: str, answer: Any) -> str | None:
        """Update the user's modals after the app answered a view_submission with
        HTTP 200 and ``answer`` (decoded JSON, None for an empty body). Returns
        None, or the reason Slack would show an error in the modal instead."""
        with self._cond:
            problem = apply_submission_answer(self._views, user_id, view_id, answer)
            self._cond.notify_all()
            return problem
