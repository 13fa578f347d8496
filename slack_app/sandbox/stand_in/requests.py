"""``SlackRequests``: Slack-shaped, correctly signed requests into the app.

Each method builds the body Slack would send for an interaction or event,
signs it the way Slack does (``v0`` HMAC-SHA256 of ``v0:<timestamp>:<body>``)
and POSTs it to the app with ``urllib``. Trigger ids, ``response_url``s and
view state come from the ``SlackStandIn``, and the app's answers to
``view_submission`` are applied to the user's modals there, so
``stand_in.open_view(user)`` shows what the user would see next.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.request
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.error import HTTPError
from urllib.parse import urlencode

from .models import JsonDict, Message, new_id
from .state import STATEFUL_TYPES, build_state_values, element_state, find_element, required_problems
from .web_api import SlackStandIn

VERIFICATION_TOKEN = "stand-in-verification-token"
"""The (deprecated) verification ``token`` field Slack puts in every payload."""
SLACK_USER_AGENT = "Slackbot 1.0 (+https://api.slack.com/robots)"
FORM = "application/x-www-form-urlencoded"
ACK_DEADLINE = 3.0
"""Seconds Slack waits for the app to acknowledge an interaction."""


@dataclass(frozen=True)
class Response:
    """The app's HTTP answer. ``headers`` has lower-case names; ``elapsed`` is in seconds.

    ``slack_error`` is set (by ``submit_view``) when Slack would not accept the
    answer and would show the user an error in the modal instead.
    """

    status: int
    body: str
    headers: dict[str, str] = field(default_factory=dict)
    elapsed: float = 0.0
    slack_error: str | None = None

    def json(self) -> Any:
        """The decoded JSON body, or None if the body is not JSON."""
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    @property
    def response_action(self) -> str | None:
        data = self.json()
        return data.get("response_action") if isinstance(data, dict) else None

    @property
    def errors(self) -> dict[str, str] | None:
        """The ``errors`` of a ``response_action: errors`` answer, else None."""
        data = self.json()
        if isinstance(data, dict) and data.get("response_action") == "errors":
            return data.get("errors")
        return None


def slack_signature(secret: str, timestamp: str, body: str | bytes) -> str:
    """Slack's ``X-Slack-Signature`` for ``body`` sent at ``timestamp``."""
    raw = body.encode() if isinstance(body, str) else body
    base = f"v0:{timestamp}:".encode() + raw
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


class SlackRequests:
    """Sends what Slack would send to the app at ``app_url`` (e.g.
    ``http://127.0.0.1:PORT/slack/events``)."""

    def __init__(self, app_url: str, signing_secret: str, stand_in: SlackStandIn, *, timeout: float = 10.0) -> None:
        self.app_url = app_url
        self.signing_secret = signing_secret
        self.stand_in = stand_in
        self.timeout = timeout
        # Never route requests to the local app through an environment proxy.
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

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
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        request_headers = {"Content-Type": content_type, "User-Agent": SLACK_USER_AGENT}
        if sign:
            request_headers["X-Slack-Request-Timestamp"] = stamp
            key = self.signing_secret if secret is None else secret
            request_headers["X-Slack-Signature"] = slack_signature(key, stamp, body)
        request_headers.update(headers or {})
        data = body.encode() if isinstance(body, str) else body
        request = urllib.request.Request(self.app_url, data=data, headers=request_headers, method="POST")
        started = time.monotonic()
        try:
            with self._opener.open(request, timeout=self.timeout) as answer:
                status, raw, answer_headers = answer.status, answer.read(), answer.headers
        except HTTPError as error:
            status, raw, answer_headers = error.code, error.read(), error.headers
        return Response(
            status=status,
            body=raw.decode("utf-8", errors="replace"),
            headers={name.lower(): value for name, value in answer_headers.items()},
            elapsed=time.monotonic() - started,
        )

    def interactive(self, payload: JsonDict) -> Response:
        """POST an interactivity payload the way Slack does (form field ``payload``)."""
        return self.post(urlencode({"payload": json.dumps(payload)}))

    # --------------------------------------------------------------- shapes

    def _team(self) -> JsonDict:
        return {"id": self.stand_in.team_id, "domain": "speakout-stand-in"}

    def _user(self, user_id: str) -> JsonDict:
        name = (self.stand_in.user(user_id) or {}).get("name", user_id)
        return {"id": user_id, "username": name, "name": name, "team_id": self.stand_in.team_id}

    def _channel(self, channel_id: str) -> JsonDict:
        info = self.stand_in.channel(channel_id) or {}
        name = info.get("name") or ("directmessage" if channel_id.startswith("D") else channel_id)
        return {"id": channel_id, "name": name}

    def _common(self, kind: str, user_id: str) -> JsonDict:
        return {
            "type": kind,
            "token": VERIFICATION_TOKEN,
            "api_app_id": self.stand_in.app_id,
            "team": self._team(),
            "user": self._user(user_id),
            "enterprise": None,
            "is_enterprise_install": False,
        }

    # ------------------------------------------------------- interactions

    def slash_command(
        self,
        user_id: str,
        command: str = "/report",
        text: str = "",
        channel_id: str = "C0GENERAL",
        channel_name: str = "general",
    ) -> Response:
        """A slash command invocation (form-encoded, like Slack)."""
        form = {
            "token": VERIFICATION_TOKEN,
            "team_id": self.stand_in.team_id,
            "team_domain": "speakout-stand-in",
            "channel_id": channel_id,
            "channel_name": channel_name,
            "user_id": user_id,
            "user_name": self._user(user_id)["name"],
            "command": command,
            "text": text,
            "api_app_id": self.stand_in.app_id,
            "is_enterprise_install": "false",
            "response_url": self.stand_in.new_response_url(user_id, channel_id),
            "trigger_id": self.stand_in.issue_trigger(user_id),
        }
        return self.post(urlencode(form))

    def shortcut(self, user_id: str, callback_id: str) -> Response:
        """A global shortcut (``type: shortcut``)."""
        payload = self._common("shortcut", user_id)
        payload.update(
            callback_id=callback_id,
            trigger_id=self.stand_in.issue_trigger(user_id),
            action_ts=_action_ts(),
        )
        return self.interactive(payload)

    def message_shortcut(
        self, user_id: str, callback_id: str, *, channel_id: str, message: JsonDict | Message
    ) -> Response:
        """A message shortcut (``type: message_action``) on ``message`` in ``channel_id``."""
        body = _message_dict(message)
        payload = self._common("message_action", user_id)
        payload.update(
            callback_id=callback_id,
            trigger_id=self.stand_in.issue_trigger(user_id),
            action_ts=_action_ts(),
            channel=self._channel(channel_id),
            message_ts=body["ts"],
            message=body,
            response_url=self.stand_in.new_response_url(user_id, channel_id, message_ts=body["ts"]),
        )
        return self.interactive(payload)

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
        if view is None and message is None:
            view = self.stand_in.open_view(user_id)
            if view is None:
                raise LookupError(f"{user_id} has no open modal and no view or message was given")
        if view is not None:
            view = self.stand_in.view(view.get("id", "")) or view  # what Slack has now, not a stale copy
            blocks = view.get("blocks") or []
        else:
            blocks = _message_dict(message or {}).get("blocks") or []
        found = find_element(blocks, action_id, block_id)
        element: JsonDict = found["element"] if found else {}
        block_id = block_id or (found["block_id"] if found else None) or "b"
        action = _action(element, action_id, block_id, value, selected)
        payload = self._common("block_actions", user_id)
        payload.update(trigger_id=self.stand_in.issue_trigger(user_id), actions=[action])
        state_entry = {k: v for k, v in action.items() if k not in ("action_id", "block_id", "action_ts")}
        stateful = action["type"] in STATEFUL_TYPES
        if view is not None:
            if stateful and self.stand_in.view(view.get("id", "")) is not None:
                self.stand_in.set_view_state(view["id"], block_id, action_id, state_entry)
                view = self.stand_in.view(view["id"]) or view
            payload.update(container={"type": "view", "view_id": view.get("id")}, view=view)
            return self.interactive(payload)
        body = _message_dict(message or {})
        channel = channel_id or (message.channel if isinstance(message, Message) else None)
        channel = channel or body.get("channel") or self._channel_of(body["ts"])
        ephemeral = isinstance(message, Message) and message.ephemeral_for is not None
        payload.update(
            container={"type": "message", "message_ts": body["ts"], "channel_id": channel, "is_ephemeral": ephemeral},
            channel=self._channel(channel),
            message=body,
            state={"values": {block_id: {action_id: state_entry}} if stateful else {}},
            response_url=self.stand_in.new_response_url(user_id, channel, message_ts=body["ts"]),
        )
        return self.interactive(payload)

    def _channel_of(self, ts: str) -> str:
        for message in self.stand_in.messages():
            if message.ts == ts:
                return message.channel
        raise LookupError(f"no message with ts {ts} in the stand-in; pass channel_id")

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
        view = self.stand_in.view(view_id) if view_id else self.stand_in.open_view(user_id)
        if view is None:
            raise LookupError(f"no open modal {view_id or ''} for {user_id}")
        state = build_state_values(view, values, current=view["state"]["values"])
        if enforce_required:
            problems = required_problems(view, state)
            if problems:
                raise ValueError("Slack would not submit this modal: " + "; ".join(problems))
        payload = self._common("view_submission", user_id)
        payload.update(
            trigger_id=self.stand_in.issue_trigger(user_id),
            view={**view, "state": {"values": state}},
            response_urls=[],
        )
        response = self.interactive(payload)
        if response.status != 200:
            problem: str | None = f"the app answered HTTP {response.status}"
        elif response.elapsed >= ACK_DEADLINE:
            problem = f"the app took {response.elapsed:.1f}s to answer (Slack gives up after 3s)"
        elif response.body.strip() and response.json() is None:
            problem = "the app's answer is not JSON"
        else:
            answer = response.json() if response.body.strip() else None
            problem = self.stand_in.apply_view_submission_answer(user_id, view["id"], answer)
        return replace(response, slack_error=problem)

    def close_view(self, user_id: str, *, view_id: str | None = None) -> Response | None:
        """The user pressed the modal's close button: the view closes in the stand-in
        and, if it has ``notify_on_close``, the app gets a ``view_closed`` payload."""
        view = self.stand_in.view(view_id) if view_id else self.stand_in.open_view(user_id)
        if view is None:
            raise LookupError(f"no open modal {view_id or ''} for {user_id}")
        self.stand_in.record_view_closed(user_id, view["id"])
        if not view.get("notify_on_close"):
            return None
        payload = self._common("view_closed", user_id)
        payload.update(view=view, is_cleared=bool(view.get("clear_on_close")))
        return self.interactive(payload)

    # ----------------------------------------------------------------- events

    def event(
        self,
        event: JsonDict,
        *,
        retry_num: int | None = None,
        retry_reason: str = "http_timeout",
        event_id: str | None = None,
    ) -> Response:
        """An Events API ``event_callback`` wrapping ``event`` (JSON body)."""
        body = {
            "token": VERIFICATION_TOKEN,
            "team_id": self.stand_in.team_id,
            "api_app_id": self.stand_in.app_id,
            "event": event,
            "type": "event_callback",
            "event_id": event_id or new_id("Ev"),
            "event_time": int(time.time()),
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": self.stand_in.team_id,
                    "user_id": self.stand_in.bot_user_id,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
        }
        headers = {}
        if retry_num is not None:
            headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": retry_reason}
        return self.post(json.dumps(body), content_type="application/json", headers=headers)

    def dm_message(self, user_id: str, text: str, *, thread_ts: str | None = None) -> JsonDict:
        """A ``message`` event for ``user_id`` writing ``text`` to the bot; the message
        is also recorded in the stand-in's DM channel (so replies can thread on it)."""
        channel = self.stand_in.dm_channel_for(user_id)
        posted = self.stand_in.post_user_message(user_id, channel, text, thread_ts=thread_ts)
        event: JsonDict = {
            "type": "message",
            "channel": channel,
            "user": user_id,
            "text": text,
            "ts": posted.ts,
            "event_ts": posted.ts,
            "channel_type": "im",
            "team": self.stand_in.team_id,
            "client_msg_id": str(uuid.uuid4()),
            "blocks": [
                {
                    "type": "rich_text",
                    "block_id": new_id("", 5),
                    "elements": [{"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}],
                }
            ],
        }
        if posted.thread_ts is not None:
            event["thread_ts"] = posted.thread_ts
        return event

    def home_opened(self, user_id: str) -> Response:
        """The user opened the app's Home tab (``app_home_opened``)."""
        event: JsonDict = {
            "type": "app_home_opened",
            "user": user_id,
            "channel": self.stand_in.dm_channel_for(user_id),
            "tab": "home",
            "event_ts": _action_ts(),
        }
        home = self.stand_in.home_view(user_id)
        if home is not None:
            event["view"] = home
        return self.event(event)


def _action(element: JsonDict, action_id: str, block_id: str, value: str | None, selected: JsonDict | None) -> JsonDict:
    """One entry of a block_actions payload's ``actions``."""
    kind = (selected or {}).get("type") or element.get("type") or "button"
    action: JsonDict = {"action_id": action_id, "block_id": block_id, "type": kind, "action_ts": _action_ts()}
    if kind == "button":
        action["text"] = element.get("text", {"type": "plain_text", "text": action_id})
        action["value"] = value if value is not None else element.get("value")
        if "style" in element:
            action["style"] = element["style"]
        return action
    if selected is None and value is not None:
        if not element:
            action["value"] = value
            return action
        selected = element_state(element, value)
    action.update({k: v for k, v in (selected or {}).items() if k != "type"})
    return action


def _action_ts() -> str:
    return f"{time.time():.6f}"


def _message_dict(message: JsonDict | Message) -> JsonDict:
    if isinstance(message, Message):
        return message.to_dict()
    return {"type": "message", **message}
