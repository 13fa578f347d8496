"""``conversations.*``: opening DMs, listing and removing members, channel info."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Any

from ..models import ApiError, Channel, JsonDict
from ..params import is_true, param
from ..workspace import Workspace

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000


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
