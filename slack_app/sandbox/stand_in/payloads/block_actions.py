"""Block actions (``type: block_actions``): a click or choice in a modal, Home tab or message."""

from __future__ import annotations

from ..models import JsonDict, Message
from ..state import STATEFUL_TYPES, element_state, find_element
from ..web_api import SlackStandIn
from .envelope import action_ts, channel, common, message_dict


def block_actions_payload(
    stand_in: SlackStandIn,
    user_id: str,
    action_id: str,
    *,
    value: str | None,
    block_id: str | None,
    view: JsonDict | None,
    message: JsonDict | Message | None,
    channel_id: str | None,
    selected: JsonDict | None,
) -> JsonDict:
    """The payload for ``user_id`` acting on ``action_id`` (see ``SlackRequests.block_action``).

    Values of stateful elements in a view are recorded in the stand-in first,
    so the payload's view (and later submissions) carry them.
    """
    view, blocks = _surface(stand_in, user_id, view, message)
    found = find_element(blocks, action_id, block_id)
    element: JsonDict = found["element"] if found else {}
    block_id = block_id or (found["block_id"] if found else None) or "b"
    action = action_entry(element, action_id, block_id, value, selected)
    payload = common(stand_in, "block_actions", user_id)
    payload.update(trigger_id=stand_in.issue_trigger(user_id), actions=[action])
    entry = {k: v for k, v in action.items() if k not in ("action_id", "block_id", "action_ts")}
    state_entry = entry if action["type"] in STATEFUL_TYPES else None
    if view is not None:
        payload.update(_in_view(stand_in, view, block_id, action_id, state_entry))
    else:
        payload.update(_in_message(stand_in, user_id, message or {}, channel_id, block_id, action_id, state_entry))
    return payload


def _surface(
    stand_in: SlackStandIn, user_id: str, view: JsonDict | None, message: JsonDict | Message | None
) -> tuple[JsonDict | None, list[JsonDict]]:
    """The view acted in (by default the user's open modal) and the blocks to find the element in."""
    if view is None and message is None:
        view = stand_in.open_view(user_id)
        if view is None:
            raise LookupError(f"{user_id} has no open modal and no view or message was given")
    if view is not None:
        view = stand_in.view(view.get("id", "")) or view  # what Slack has now, not a stale copy
        return view, view.get("blocks") or []
    return None, message_dict(message or {}).get("blocks") or []


def _in_view(
    stand_in: SlackStandIn, view: JsonDict, block_id: str, action_id: str, state_entry: JsonDict | None
) -> JsonDict:
    if state_entry is not None and stand_in.view(view.get("id", "")) is not None:
        stand_in.set_view_state(view["id"], block_id, action_id, state_entry)
        view = stand_in.view(view["id"]) or view
    return {"container": {"type": "view", "view_id": view.get("id")}, "view": view}


def _in_message(
    stand_in: SlackStandIn,
    user_id: str,
    message: JsonDict | Message,
    channel_id: str | None,
    block_id: str,
    action_id: str,
    state_entry: JsonDict | None,
) -> JsonDict:
    body = message_dict(message)
    where = channel_id or (message.channel if isinstance(message, Message) else None)
    where = where or body.get("channel") or _channel_of(stand_in, body["ts"])
    ephemeral = isinstance(message, Message) and message.ephemeral_for is not None
    return {
        "container": {"type": "message", "message_ts": body["ts"], "channel_id": where, "is_ephemeral": ephemeral},
        "channel": channel(stand_in, where),
        "message": body,
        "state": {"values": {block_id: {action_id: state_entry}} if state_entry is not None else {}},
        "response_url": stand_in.new_response_url(user_id, where, message_ts=body["ts"]),
    }


def _channel_of(stand_in: SlackStandIn, ts: str) -> str:
    for message in stand_in.messages():
        if message.ts == ts:
            return message.channel
    raise LookupError(f"no message with ts {ts} in the stand-in; pass channel_id")


def action_entry(
    element: JsonDict, action_id: str, block_id: str, value: str | None, selected: JsonDict | None
) -> JsonDict:
    """One entry of a block_actions payload's ``actions``."""
    kind = (selected or {}).get("type") or element.get("type") or "button"
    action: JsonDict = {"action_id": action_id, "block_id": block_id, "type": kind, "action_ts": action_ts()}
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
