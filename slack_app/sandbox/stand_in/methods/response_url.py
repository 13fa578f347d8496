"""What an app's POST to an interaction's ``response_url`` does: reply
(ephemerally unless ``in_channel``), replace or delete the original message."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ..content import message_content
from ..models import ApiError, Channel, JsonDict
from ..params import param
from ..server import Answer
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


def hook_body(body: bytes) -> tuple[JsonDict, str | None]:
    """A response_url body: a JSON object, or Slack's error for anything else."""
    try:
        decoded = json.loads(body or b"{}")
    except ValueError:
        decoded = None
    if isinstance(decoded, dict):
        return decoded, None
    return {}, "invalid_payload"


def render_answer(result: JsonDict | ApiError, headers: dict[str, str], *, as_hook: bool) -> Answer:
    """The HTTP answer: a response_url answers in plain text, the Web API in JSON."""
    if as_hook:
        status, text = (result.status, result.error) if isinstance(result, ApiError) else (200, "ok")
        return Answer.text(status, text, headers)
    if isinstance(result, ApiError):
        return Answer.json(result.status, result.body(), headers)
    return Answer.json(200, result, headers)
