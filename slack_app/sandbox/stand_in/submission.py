"""What Slack does with the app's answer to a ``view_submission``: close the
modal, clear the stack, update or push a view, or show field errors."""

from __future__ import annotations

from typing import Any

from .models import ApiError
from .state import input_blocks
from .view_store import ViewStore


def apply_submission_answer(views: ViewStore, user_id: str, view_id: str, answer: Any) -> str | None:
    """Change the user's modals the way Slack does after the app answered a
    ``view_submission`` for ``view_id`` with HTTP 200 and body ``answer``
    (decoded JSON, or None for an empty body).

    Returns None, or the reason Slack would show the user an error instead.
    """
    if answer is None or answer == {}:
        views.close_view(user_id, view_id)
        return None
    if not isinstance(answer, dict):
        return "the answer is not a JSON object"
    action = answer.get("response_action")
    try:
        if action == "clear":
            views.close_views(user_id)
        elif action == "update":
            view = views.check(answer.get("view"), "modal", replacing=view_id)
            views.store(user_id, view, view_id=view_id)
        elif action == "push":
            views.push(user_id, views.check(answer.get("view"), "modal"))
        elif action == "errors":
            return _errors_problem(views, view_id, answer.get("errors"))
        else:
            return f"unknown response_action {action!r}"
    except ApiError as error:
        return "; ".join([error.error, *error.messages])
    return None


def _errors_problem(views: ViewStore, view_id: str, errors: Any) -> str | None:
    """Slack only shows errors under input blocks, and refuses an answer naming any other."""
    if not isinstance(errors, dict) or not errors:
        return "response_action errors needs a non-empty errors object"
    view = views.view(view_id) or {}
    known = {b.get("block_id") for b in input_blocks(view)}
    unknown = sorted(set(errors) - known)
    if unknown:
        return f"errors name blocks that are not input blocks of the view: {unknown}"
    return None
