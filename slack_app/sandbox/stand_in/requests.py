"""``SlackRequests``: Slack-shaped, correctly signed requests into the app.

Each method builds the body Slack would send for an interaction or event
(``payloads/``), signs it the way Slack does (``v0`` HMAC-SHA256 of
``v0:<timestamp>:<body>``) and POSTs it to the app (``transport``). Trigger
ids, ``response_url``s and view state come from the ``SlackStandIn``, and the
app's answers to ``view_submission`` are applied to the user's modals there, so
``stand_in.open_view(user)`` shows what the user would see next.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

from .models import JsonDict, Message
from .payloads.block_actions import block_actions_payload
from .payloads.commands import slash_command_form
from .payloads.envelope import VERIFICATION_TOKEN
from .payloads.events import dm_message_event, event_callback, home_opened_event, retry_headers
from .payloads.shortcuts import message_shortcut_payload, shortcut_payload
from .payloads.views import view_closed_payload, view_submission_payload
from .transport import FORM, SLACK_USER_AGENT, Response, direct_opener, request_headers, send, slack_signature
from .web_api import SlackStandIn

__all__ = [
    "ACK_DEADLINE",
    "FORM",
    "SLACK_USER_AGENT",
    "VERIFICATION_TOKEN",
    "Response",
    "SlackRequests",
    "slack_signature",
]

ACK_DEADLINE = 3.0
"""Seconds Slack waits for the app to acknowledge an interaction."""


class SlackRequests:
    """Sends what Slack would send to the app at ``app_url`` (e.g.
    ``http://127.0.0.1:PORT/slack/events``), or with ``socket_mode=True`` as envelopes over the
    app's Socket Mode connection to the stand-in (the same payloads; the ack is the answer).
    ``post`` always sends raw HTTP."""

    def __init__(
        self,
        app_url: str,
        signing_secret: str,
        stand_in: SlackStandIn,
        *,
        timeout: float = 10.0,
        socket_mode: bool = False,
    ) -> None:
        self.app_url = app_url
        self.signing_secret = signing_secret
        self.stand_in = stand_in
        self.timeout = timeout
        self.socket_mode = socket_mode
        self._opener = direct_opener()

    # ------------------------------------------------------------------ raw

    def post(
        self,
        body: str | bytes,
        *,
        content_type: str = FORM,
        sign: bool = True,
        secret: str | None = None,
        timestamp: str | int | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        """POST ``body`` as-is, str or raw bytes (signed unless ``sign=False``; ``secret``/``timestamp``
        override the signing inputs). HTTP errors come back as Responses; only a
        failure to connect raises (``urllib.error.URLError``)."""
        key = (self.signing_secret if secret is None else secret) if sign else None
        sent = request_headers(body, content_type=content_type, secret=key, timestamp=timestamp, extra=headers)
        return send(self._opener, self.app_url, body, sent, self.timeout)

    def interactive(self, payload: JsonDict) -> Response:
        """An interactivity payload the way Slack sends it (over HTTP, form field ``payload``)."""
        if self.socket_mode:
            return self._envelope("interactive", payload)
        return self.post(urlencode({"payload": json.dumps(payload)}))

    def _envelope(self, kind: str, payload: JsonDict, *, retry_attempt: int = 0, retry_reason: str = "") -> Response:
        """Deliver over Socket Mode; the ack comes back as a 200 Response (its payload as the
        JSON body), no ack at all as status 0."""
        ack = self.stand_in.socket_mode.deliver(
            kind, payload, retry_attempt=retry_attempt, retry_reason=retry_reason or None, connect_timeout=self.timeout
        )
        if ack is None:
            return Response(status=0, body="", elapsed=ACK_DEADLINE)
        body = json.dumps(ack.payload) if ack.payload is not None else ""
        return Response(status=200, body=body, elapsed=ack.elapsed)

    # ------------------------------------------------------- interactions

    def slash_command(
        self,
        user_id: str,
        command: str = "/report",
        text: str = "",
        channel_id: str = "C0GENERAL",
        channel_name: str = "general",
    ) -> Response:
        """A slash command invocation (form-encoded over HTTP, like Slack)."""
        form = slash_command_form(self.stand_in, user_id, command, text, channel_id, channel_name)
        if self.socket_mode:
            return self._envelope("slash_commands", dict(form))
        return self.post(urlencode(form))

    def shortcut(self, user_id: str, callback_id: str) -> Response:
        """A global shortcut (``type: shortcut``)."""
        return self.interactive(shortcut_payload(self.stand_in, user_id, callback_id))

    def message_shortcut(
        self, user_id: str, callback_id: str, *, channel_id: str, message: JsonDict | Message
    ) -> Response:
        """A message shortcut (``type: message_action``) on ``message`` in ``channel_id``."""
        return self.interactive(message_shortcut_payload(self.stand_in, user_id, callback_id, channel_id, message))

    def block_action(
        self,
        user_id: str,
        action_id: str,
        *,
        value: str | None = None,
        block_id: str | None = None,
        view: JsonDict | None = None,
        message: JsonDict | Message | None = None,
        channel_id: str | None = None,
        selected: JsonDict | None = None,
    ) -> Response:
        """The user clicked/chose something (``type: block_actions``).

        In a view (``view``, or by default the user's open modal) or in a
        ``message``. The element is looked up by ``action_id`` (and ``block_id``)
        to fill in its type, text and value; for selects, ``value`` picks the
        option with that value, or pass the raw ``selected`` part of the action
        (e.g. ``{"type": "radio_buttons", "selected_option": {...}}``). Values of
        stateful elements are remembered in the stand-in's view state.
        """
        payload = block_actions_payload(
            self.stand_in,
            user_id,
            action_id,
            value=value,
            block_id=block_id,
            view=view,
            message=message,
            channel_id=channel_id,
            selected=selected,
        )
        return self.interactive(payload)

    def submit_view(
        self,
        user_id: str,
        values: Mapping[str, Any] | None = None,
        *,
        view_id: str | None = None,
        enforce_required: bool = True,
    ) -> Response:
        """Submit the user's top modal (or ``view_id``) with ``values`` by block_id
        (see ``state.element_state`` for the accepted forms); other inputs keep
        what the user entered or their initial values.

        Like Slack's client, refuses (``ValueError``) to submit an empty required
        input or text outside min/max_length unless ``enforce_required=False``.
        The app's answer is then applied to the user's modals in the stand-in.
        """
        view = self._modal(user_id, view_id)
        payload = view_submission_payload(self.stand_in, user_id, view, values, enforce_required=enforce_required)
        response = self.interactive(payload)
        return replace(response, slack_error=self._judge_submission_answer(user_id, view["id"], response))

    def close_view(self, user_id: str, *, view_id: str | None = None) -> Response | None:
        """The user pressed the modal's close button: the view closes in the stand-in
        and, if it has ``notify_on_close``, the app gets a ``view_closed`` payload."""
        view = self._modal(user_id, view_id)
        self.stand_in.record_view_closed(user_id, view["id"])
        if not view.get("notify_on_close"):
            return None
        return self.interactive(view_closed_payload(self.stand_in, user_id, view))

    def _modal(self, user_id: str, view_id: str | None) -> JsonDict:
        view = self.stand_in.view(view_id) if view_id else self.stand_in.open_view(user_id)
        if view is None:
            raise LookupError(f"no open modal {view_id or ''} for {user_id}")
        return view

    def _judge_submission_answer(self, user_id: str, view_id: str, response: Response) -> str | None:
        """Why Slack would show the user an error instead of the app's answer; else
        None, after applying the answer to the user's modals."""
        if response.status != 200:
            return f"the app answered HTTP {response.status}"
        if response.elapsed >= ACK_DEADLINE:
            return f"the app took {response.elapsed:.1f}s to answer (Slack gives up after 3s)"
        if response.body.strip() and response.json() is None:
            return "the app's answer is not JSON"
        answer = response.json() if response.body.strip() else None
        return self.stand_in.apply_view_submission_answer(user_id, view_id, answer)

    # ----------------------------------------------------------------- events

    def event(
        self,
        event: JsonDict,
        *,
        retry_num: int | None = None,
        retry_reason: str = "http_timeout",
        event_id: str | None = None,
    ) -> Response:
        """An Events API ``event_callback`` wrapping ``event`` (JSON body); ``retry_num`` marks a
        redelivery (``retry_attempt`` over Socket Mode)."""
        body = event_callback(self.stand_in, event, event_id=event_id)
        if self.socket_mode:
            return self._envelope("events_api", body, retry_attempt=retry_num or 0, retry_reason=retry_reason)
        headers = retry_headers(retry_num, retry_reason)
        return self.post(json.dumps(body), content_type="application/json", headers=headers)

    def dm_message(self, user_id: str, text: str, *, thread_ts: str | None = None) -> JsonDict:
        """A ``message`` event for ``user_id`` writing ``text`` to the bot; the message
        is also recorded in the stand-in's DM channel (so replies can thread on it)."""
        return dm_message_event(self.stand_in, user_id, text, thread_ts=thread_ts)

    def home_opened(self, user_id: str) -> Response:
        """The user opened the app's Home tab (``app_home_opened``)."""
        return self.event(home_opened_event(self.stand_in, user_id))
