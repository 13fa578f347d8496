"""Global shortcuts (``type: shortcut``) and message shortcuts (``type: message_action``)."""

from __future__ import annotations

from ..models import JsonDict, Message
from ..web_api import SlackStandIn
from .envelope import action_ts, channel, common, message_dict


def shortcut_payload(stand_in: SlackStandIn, user_id: str, callback_id: str) -> JsonDict:
    payload = common(stand_in, "shortcut", user_id)
    payload.update(callback_id=callback_id, trigger_id=stand_in.issue_trigger(user_id), action_ts=action_ts())
    return payload


def message_shortcut_payload(
    stand_in: SlackStandIn, user_id: str, callback_id: str, channel_id: str, message: JsonDict | Message
) -> JsonDict:
    body = message_dict(message)
    payload = common(stand_in, "message_action", user_id)
    payload.update(
        callback_id=callback_id,
        trigger_id=stand_in.issue_trigger(user_id),
        action_ts=action_ts(),
        channel=channel(stand_in, channel_id),
        message_ts=body["ts"],
        message=body,
        response_url=stand_in.new_response_url(user_id, channel_id, message_ts=body["ts"]),
    )
    return payload
