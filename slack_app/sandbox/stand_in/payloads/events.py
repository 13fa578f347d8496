"""Events API requests: the ``event_callback`` envelope and the events the app listens to."""

from __future__ import annotations

import base64
import json
import time
import uuid

from ..models import JsonDict, new_id
from ..web_api import SlackStandIn
from .envelope import VERIFICATION_TOKEN, action_ts


def event_callback(stand_in: SlackStandIn, event: JsonDict, *, event_id: str | None = None) -> JsonDict:
    """The JSON body wrapping ``event``, authorized for the stand-in's bot, with every
    field Slack's Events API puts in an ``event_callback``."""
    return {
        "token": VERIFICATION_TOKEN,
        "team_id": stand_in.team_id,
        "context_team_id": stand_in.team_id,
        "context_enterprise_id": None,
        "api_app_id": stand_in.app_id,
        "event": event,
        "type": "event_callback",
        "event_id": event_id or new_id("Ev"),
        "event_time": int(time.time()),
        "event_context": event_context(stand_in, event),
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": stand_in.team_id,
                "user_id": stand_in.bot_user_id,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
    }


def event_context(stand_in: SlackStandIn, event: JsonDict) -> str:
    """An opaque ``event_context`` (for ``apps.event.authorizations.list``); Slack's look
    like ``4-`` followed by base64 of the event's type, team, app and channel."""
    context = {"et": event.get("type"), "tid": stand_in.team_id, "aid": stand_in.app_id}
    if isinstance(event.get("channel"), str):
        context["cid"] = event["channel"]
    encoded = base64.urlsafe_b64encode(json.dumps(context, separators=(",", ":")).encode()).decode()
    return "4-" + encoded.rstrip("=")


def retry_headers(retry_num: int | None, retry_reason: str) -> dict[str, str]:
    """Slack marks a redelivered event (the app was slow or failed) with these headers."""
    if retry_num is None:
        return {}
    return {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": retry_reason}


def dm_message_event(stand_in: SlackStandIn, user_id: str, text: str, *, thread_ts: str | None = None) -> JsonDict:
    """A ``message`` event for ``user_id`` writing ``text`` to the bot; the message
    is also recorded in the stand-in's DM channel (so replies can thread on it)."""
    channel = stand_in.dm_channel_for(user_id)
    posted = stand_in.post_user_message(user_id, channel, text, thread_ts=thread_ts)
    event: JsonDict = {
        "type": "message",
        "channel": channel,
        "user": user_id,
        "text": text,
        "ts": posted.ts,
        "event_ts": posted.ts,
        "channel_type": "im",
        "team": stand_in.team_id,
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


def home_opened_event(stand_in: SlackStandIn, user_id: str) -> JsonDict:
    """``app_home_opened`` for the Home tab, carrying the published view if there is one."""
    event: JsonDict = {
        "type": "app_home_opened",
        "user": user_id,
        "channel": stand_in.dm_channel_for(user_id),
        "tab": "home",
        "event_ts": action_ts(),
    }
    home = stand_in.home_view(user_id)
    if home is not None:
        event["view"] = home
    return event
