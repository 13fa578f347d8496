"""The shape every listener relies on, checked once before any of them (or Bolt's own
matchers) looks at a request; and an acknowledgement that stays sent.

The signature is already verified (in ``web.py``), so a bad shape means a broken or forged
request from someone holding the signing secret, or a Slack change. Either way it gets a
400 and a log line naming the problem, never the body; listeners can then index
``body["user"]["id"]`` or ``view["id"]`` without a KeyError turning into a 500.
Values inside those shapes (button values, ``private_metadata``, modal state) are still
only pointers: listeners reload and re-authorize everything from the signed user id.

Listeners acknowledge first and work after; a failure after ``ack()`` is logged by the
``@app.error`` handler. Bolt 1.30 then also resets ``ack.response`` to None, and when that
happens before the request thread has seen the acknowledgement (a failure within ~10 ms of
``ack()``), the request thread waits out the 3 s timeout and answers 404. ``StickyAck``
keeps the first answer, so Slack gets the acknowledgement the listener sent.
"""

import logging
import re
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, BoltContext, BoltResponse

logger = logging.getLogger(__name__)

# Slack's ids, no longer than the columns that store them.
USER_ID = re.compile(r"[UW][A-Z0-9]{2,31}")
VIEW_ID = re.compile(r"V[A-Z0-9]{2,63}")

INTERACTIVE = {"block_actions", "view_submission", "view_closed", "shortcut", "message_action"}
VIEWS = {"view_submission", "view_closed"}
# Slack's notice that it is holding back events (no inner event); answered 200 here, since Bolt
# has no listener for it and a non-200 answer counts towards having the subscriptions disabled.
RATE_LIMITED = "app_rate_limited"
KNOWN_TYPES = INTERACTIVE | {"event_callback", "url_verification", RATE_LIMITED}


class StickyAck(Ack):
    """An ``ack`` whose answer, once given, is not taken back."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "response" and value is None and getattr(self, "response", None) is not None:
            return
        super().__setattr__(name, value)


def check_shape(body: dict[str, Any], context: BoltContext, next: Callable[[], None]) -> BoltResponse | None:
    """A Bolt global middleware (registered as ``before_authorize``, so it runs before Bolt's
    own middleware): pass on a well-shaped request, answer 400 to any other.

    Bolt reads a little of the body to build this function's arguments; a body that breaks
    even that (a submitted view without a ``type``) is answered 400 by ``web.py``.
    """
    problem = shape_problem(body)
    if problem is not None:
        logger.warning("refused a malformed Slack request: %s", problem)
        return BoltResponse(status=400, body="")
    if body.get("type") == RATE_LIMITED:
        logger.warning(
            "Slack is rate limiting this app's events (more than 30,000 an hour) since minute %s: "
            "some events are not being delivered",
            minute if isinstance(minute := body.get("minute_rate_limited"), int) else "unknown",
        )
        return BoltResponse(status=200, body="")
    context["ack"] = StickyAck()
    next()
    return None


def shape_problem(body: Any) -> str | None:
    """What is wrong with the request's shape, or None. Every kind the body claims to be
    is checked, because Bolt tries every listener's matcher on it."""
    if not isinstance(body, dict):
        return "the body is not an object"
    kind = body.get("type")
    if kind is not None and (not isinstance(kind, str) or kind not in KNOWN_TYPES):
        return "type is not one this app handles"
    if kind is None and "command" not in body:
        return None if body.get("ssl_check") == "1" else "neither a command, an event nor an interaction"
    checks = [
        _command_problem(body) if "command" in body else None,
        _event_problem(body) if kind == "event_callback" or "event" in body else None,
        _interaction_problem(body) if kind in INTERACTIVE else None,
    ]
    return next((problem for problem in checks if problem), None)


def _command_problem(body: dict[str, Any]) -> str | None:
    if not isinstance(body["command"], str):
        return "command is not a string"
    if not _is_user_id(body.get("user_id")):
        return "user_id is missing or not a user id"
    if not isinstance(body.get("trigger_id"), str):
        return "trigger_id is missing or not a string"
    return None


def _event_problem(body: dict[str, Any]) -> str | None:
    event = body.get("event")
    if not isinstance(event, dict) or not isinstance(event.get("type"), str):
        return "event is not an object with a type"
    return None


def _interaction_problem(body: dict[str, Any]) -> str | None:
    user = body.get("user")
    if not isinstance(user, dict) or not _is_user_id(user.get("id")):
        return "user.id is missing or not a user id"
    if "trigger_id" in body and not isinstance(body["trigger_id"], str):
        return "trigger_id is not a string"
    for part in ("channel", "container", "message"):
        if part in body and not isinstance(body[part], dict):
            return f"{part} is not an object"
    if body["type"] == "block_actions":
        actions = body.get("actions")
        if not isinstance(actions, list) or not actions:
            return "actions is not a non-empty list"
        if not all(isinstance(action, dict) and isinstance(action.get("action_id"), str) for action in actions):
            return "an action is not an object with an action_id"
    if body["type"] in VIEWS or "view" in body:
        return _view_problem(body.get("view"), submitted=body["type"] in VIEWS)
    return None


def _view_problem(view: Any, *, submitted: bool) -> str | None:
    """A modal the interaction happened in (``submitted``: a submission or a close)."""
    if not isinstance(view, dict):
        return "view is missing or not an object"
    if not isinstance(view.get("id"), str) or not VIEW_ID.fullmatch(view["id"]):
        return "view.id is missing or not a view id"
    blocks = view.get("blocks", [])
    if not isinstance(blocks, list) or not all(
        isinstance(block, dict) and isinstance(block.get("block_id", ""), str) for block in blocks
    ):
        return "view.blocks is not a list of blocks"
    if not submitted:
        return None
    if not isinstance(view.get("callback_id"), str):
        return "view.callback_id is missing or not a string"
    state = view.get("state")
    if not isinstance(state, dict) or not isinstance(state.get("values"), dict):
        return "view.state.values is missing or not an object"
    if not isinstance(view.get("private_metadata"), str):
        return "view.private_metadata is missing or not a string"
    return None


def _is_user_id(value: Any) -> bool:
    return isinstance(value, str) and USER_ID.fullmatch(value) is not None
