"""``chat.*``: the bot posts, edits and deletes messages, and links to them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..content import message_content
from ..models import ApiError, Channel, JsonDict, Message
from ..params import is_true, param
from ..slack_objects import bot_message_object
from ..workspace import Workspace

PERMALINK_HOST = "https://stand-in.slack.test"


def post_message(workspace: Workspace, params: Mapping[str, Any]) -> JsonDict:
    channel = _channel_to_post_in(workspace, params)
    content = message_content(params)
    for flag in ("unfurl_links", "unfurl_media"):
        if param(params, flag) is not None:
            content[flag] = is_true(params, flag)
    message = workspace.post(channel, content, thread_ts=param(params, "thread_ts"))
    return {"ok": True, "channel": channel.id, "ts": message.ts, "message": _echo(workspace, message)}


def update_message(workspace: Workspace, params: Mapping[str, Any]) -> JsonDict:
    channel, message = _bot_message(workspace, params)
    if message.user != workspace.bot_user_id:
        raise ApiError("cant_update_message")
    content = message_content(params)
    message.edits.append(message.previous_version())
    message.text = content.get("text", message.text)
    for name in ("blocks", "attachments", "metadata"):
        if name in content:
            setattr(message, name, content[name])
    return {
        "ok": True,
        "channel": channel.id,
        "ts": message.ts,
        "text": message.text,
        "message": _echo(workspace, message),
    }


def delete_message(workspace: Workspace, params: Mapping[str, Any]) -> JsonDict:
    channel, message = _bot_message(workspace, params)
    if message.user != workspace.bot_user_id:
        raise ApiError("cant_delete_message")
    workspace.remove_message(message)
    return {"ok": True, "channel": channel.id, "ts": message.ts}


def post_ephemeral(workspace: Workspace, params: Mapping[str, Any]) -> JsonDict:
    """Slack shows an ephemeral message only where the bot may post and the user is a member."""
    channel = _channel_to_post_in(workspace, params)
    user_id = param(params, "user")
    if user_id is None or user_id not in workspace.users:
        raise ApiError("user_not_found")
    visible = channel.user == user_id if channel.is_im else user_id in channel.members
    if not visible:
        raise ApiError("user_not_in_channel")
    message = workspace.post(
        channel, message_content(params), thread_ts=param(params, "thread_ts"), ephemeral_for=user_id
    )
    return {"ok": True, "message_ts": message.ts}


def get_permalink(workspace: Workspace, params: Mapping[str, Any]) -> JsonDict:
    channel = workspace.bot_channel(param(params, "channel"), allow_user=False)
    message = workspace.find_message(channel.id, param(params, "message_ts") or "", ephemeral=False)
    if message is None:
        raise ApiError("message_not_found")
    return {
        "ok": True,
        "channel": channel.id,
        "permalink": f"{PERMALINK_HOST}/archives/{channel.id}/p{message.ts.replace('.', '')}",
    }


def _channel_to_post_in(workspace: Workspace, params: Mapping[str, Any]) -> Channel:
    """The ``channel`` argument, if the bot may post there (it must be a member)."""
    channel = workspace.bot_channel(param(params, "channel"))
    if channel.is_archived:
        raise ApiError("is_archived")
    if not channel.is_im and workspace.bot_user_id not in channel.members:
        raise ApiError("not_in_channel")
    return channel


def _bot_message(workspace: Workspace, params: Mapping[str, Any]) -> tuple[Channel, Message]:
    """The bot's own, non-ephemeral message addressed by ``channel`` + ``ts``."""
    channel = workspace.bot_channel(param(params, "channel"), allow_user=False)
    message = workspace.find_message(channel.id, param(params, "ts") or "", ephemeral=False)
    if message is None:
        raise ApiError("message_not_found")
    return channel, message


def _echo(workspace: Workspace, message: Message) -> JsonDict:
    return bot_message_object(message, team_id=workspace.team_id, app_id=workspace.app_id, bot_id=workspace.bot_id)
