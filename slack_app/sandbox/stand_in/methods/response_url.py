"""What an app's POST to an interaction's ``response_url`` does: reply
(ephemerally unless ``in_channel``), replace or delete the original message."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..content import message_content
from ..models import ApiError, Channel
from ..params import param
from ..workspace import Workspace


def respond(workspace: Workspace, hook_id: str, body: Mapping[str, Any]) -> None:
    """Act on a JSON body POSTed to the ``response_url`` with id ``hook_id``."""
    target = workspace.response_url_target(hook_id)
    if target is None:
        raise ApiError("no_service", status=404)
    original = workspace.find_message(target.channel_id, target.message_ts) if target.message_ts is not None else None
    if body.get("delete_original"):
        if original is not None:
            workspace.remove_message(original)
        return
    content = message_content(body)
    if body.get("replace_original") and original is not None:
        original.edits.append(original.previous_version())
        original.text = content.get("text", original.text)
        original.blocks = content.get("blocks", original.blocks)
        return
    # An interaction can come from a conversation the bot is not in; Slack still answers there.
    channel = workspace.channels.get(target.channel_id) or Channel(target.channel_id, target.channel_id)
    in_channel = body.get("response_type") == "in_channel"
    thread_ts = param(body, "thread_ts")
    workspace.post(channel, content, thread_ts=thread_ts, ephemeral_for=None if in_channel else target.user_id)
