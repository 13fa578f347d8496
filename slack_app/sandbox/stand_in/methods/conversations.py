"""``conversations.*``: opening DMs, listing and removing members, channel info, and reading a
conversation's history and a thread's replies as the bot may."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Any

from ..models import ApiError, Channel, JsonDict, Message
from ..params import is_true, param
from ..slack_objects import bot_message_object
from ..workspace import Workspace

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
HISTORY_PAGE_SIZE, HISTORY_MAX_PAGE_SIZE = 100, 999
REPLIES_PAGE_SIZE = 1000


def open_conversation(workspace: Workspace, params: Mapping[str, Any]) -> JsonDict:
    channel_id = param(params, "channel")
    if channel_id is not None:
        channel = workspace.bot_channel(channel_id, allow_user=False)
        body: JsonDict = {"ok": True, "channel": {"id": channel.id}}
    else:
        channel, existed = _open_dm(workspace, param(params, "users") or "")
        body = {"ok": True, "channel": {"id": channel.id}, "no_op": existed, "already_open": existed}
    if is_true(params, "return_im"):
        body["channel"] = workspace.channel_info(channel.id)
    return body


def _open_dm(workspace: Workspace, users_param: str) -> tuple[Channel, bool]:
    """The DM with the one user named in ``users``, and whether it was open already."""
    users = [u.strip() for u in users_param.split(",") if u.strip()]
    if not users:
        raise ApiError("users_list_not_supplied")
    if len(users) > 1:
        raise ApiError("not_supported", messages=["the stand-in only opens 1:1 DMs"])
    user = workspace.users.get(users[0])
    if user is None:
        raise ApiError("user_not_found")
    if user.is_bot:
        raise ApiError("cannot_dm_bot")
    existed = workspace.dm_channel_for(user.id) in workspace.channels
    return workspace.ensure_dm(user.id), existed


def list_members(workspace: Workspace, params: Mapping[str, Any]) -> JsonDict:
    channel = workspace.bot_channel(param(params, "channel"), allow_user=False)
    try:
        limit = int(param(params, "limit") or DEFAULT_PAGE_SIZE)
    except ValueError:
        raise ApiError("invalid_limit") from None
    limit = min(limit, MAX_PAGE_SIZE) if limit > 0 else DEFAULT_PAGE_SIZE
    start = _decode_cursor(param(params, "cursor"))
    page = channel.members[start : start + limit]
    more = start + limit < len(channel.members)
    return {
        "ok": True,
        "members": list(page),
        "response_metadata": {"next_cursor": _encode_cursor(start + limit) if more else ""},
    }


def describe_conversation(workspace: Workspace, params: Mapping[str, Any]) -> JsonDict:
    channel = workspace.bot_channel(param(params, "channel"), allow_user=False)
    return {
        "ok": True,
        "channel": workspace.channel_info(channel.id, num_members=is_true(params, "include_num_members")),
    }


def kick_member(workspace: Workspace, params: Mapping[str, Any]) -> JsonDict:
    channel = workspace.bot_channel(param(params, "channel"), allow_user=False)
    user_id = param(params, "user")
    if user_id is None:
        raise ApiError("no_user")
    if user_id not in workspace.users:
        raise ApiError("user_not_found")
    if channel.is_im:
        raise ApiError("method_not_supported_for_channel_type")
    if user_id == workspace.bot_user_id:
        raise ApiError("cant_kick_self")
    if user_id not in channel.members or workspace.bot_user_id not in channel.members:
        raise ApiError("not_in_channel")
    channel.members.remove(user_id)
    return {"ok": True, "errors": {}}


def read_history(workspace: Workspace, params: Mapping[str, Any]) -> JsonDict:
    """``conversations.history``: the conversation's messages (not thread replies), newest first."""
    channel = _readable_channel(workspace, params)
    messages = [m for m in workspace.messages(channel.id) if m.thread_ts is None or m.thread_ts == m.ts]
    messages.reverse()
    return _page(workspace, messages, params, HISTORY_PAGE_SIZE, HISTORY_MAX_PAGE_SIZE)


def read_replies(workspace: Workspace, params: Mapping[str, Any]) -> JsonDict:
    """``conversations.replies``: a thread's parent, then its replies oldest first. The parent
    leads every page, whatever ``oldest``/``latest`` say, as on Slack."""
    channel = _readable_channel(workspace, params)
    ts = param(params, "ts")
    if ts is None:
        raise ApiError("invalid_arguments", messages=["[ERROR] missing required field: ts"])
    parent = workspace.find_message(channel.id, workspace.log.thread_root(channel.id, ts) or ts, ephemeral=False)
    if parent is None:
        raise ApiError("thread_not_found")
    replies = [m for m in workspace.messages(channel.id) if m.thread_ts == parent.ts and m.ts != parent.ts]
    answer = _page(workspace, replies, params, REPLIES_PAGE_SIZE, REPLIES_PAGE_SIZE)
    answer["messages"].insert(0, _message_object(workspace, parent.snapshot(), is_true(params, "include_all_metadata")))
    return answer


def _readable_channel(workspace: Workspace, params: Mapping[str, Any]) -> Channel:
    """The bot reads a conversation it is in (a public one it isn't in: ``not_in_channel``)."""
    channel = workspace.bot_channel(param(params, "channel"), allow_user=False)
    if not channel.is_im and workspace.bot_user_id not in channel.members:
        raise ApiError("not_in_channel")
    return channel


def _page(
    workspace: Workspace, messages: list[Message], params: Mapping[str, Any], default: int, most: int
) -> JsonDict:
    """One page of ``messages`` between ``oldest`` and ``latest`` (exclusive, unless ``inclusive``)."""
    oldest, latest = _ts_bound(params, "oldest", "0"), _ts_bound(params, "latest", None)
    inclusive = is_true(params, "inclusive")
    within = [
        m
        for m in messages
        if m.ephemeral_for is None
        and (float(m.ts) > oldest or (inclusive and float(m.ts) == oldest))
        and (latest is None or float(m.ts) < latest or (inclusive and float(m.ts) == latest))
    ]
    try:
        limit = int(param(params, "limit") or default)
    except ValueError:
        raise ApiError("invalid_limit") from None
    limit = min(limit, most) if limit > 0 else default
    start = _decode_cursor(param(params, "cursor"))
    page, more = within[start : start + limit], start + limit < len(within)
    metadata = is_true(params, "include_all_metadata")
    return {
        "ok": True,
        "messages": [_message_object(workspace, m, metadata) for m in page],
        "has_more": more,
        "response_metadata": {"next_cursor": _encode_cursor(start + limit) if more else ""},
    }


def _ts_bound(params: Mapping[str, Any], name: str, default: str | None) -> float | None:
    value = param(params, name) or default
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        raise ApiError(f"invalid_ts_{name}") from None


def _message_object(workspace: Workspace, message: Message, include_metadata: bool) -> JsonDict:
    """A message as history shows it; its ``metadata`` only with ``include_all_metadata``."""
    if message.bot_id is not None:
        body = bot_message_object(message, team_id=workspace.team_id, app_id=workspace.app_id, bot_id=workspace.bot_id)
    else:
        body = {**message.to_dict(), "team": workspace.team_id}
    if not include_metadata:
        body.pop("metadata", None)
    return body


# Slack's cursors are opaque; these look like Slack's (base64) and carry an offset.
def _encode_cursor(offset: int) -> str:
    return base64.b64encode(f"offset:{offset}".encode()).decode()


def _decode_cursor(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        kind, _, offset = base64.b64decode(cursor, validate=True).decode().partition(":")
        if kind != "offset":
            raise ValueError(cursor)
        return int(offset)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ApiError("invalid_cursor") from None
