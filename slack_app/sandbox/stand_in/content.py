"""Checking a message's content (``text``, ``blocks``, ``attachments``, ``metadata``)
the way Slack does before it posts, updates or answers a ``response_url``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .blocks import blocks_problems
from .models import ApiError, JsonDict

MAX_TEXT_LENGTH = 40_000

# Fields that must arrive as JSON objects; a string left here means it did not decode.
_JSON_FIELDS = (("attachments", "invalid_attachments"), ("metadata", "invalid_metadata_format"))


def message_content(params: Mapping[str, Any], *, require: bool = True) -> JsonDict:
    """Validated ``text``/``blocks``/``attachments``/``metadata`` of a message, or ``ApiError``."""
    content: JsonDict = {}
    text = params.get("text")
    if text is not None:
        text = str(text)
        if len(text) > MAX_TEXT_LENGTH:
            raise ApiError("msg_too_long")
        content["text"] = text
    if params.get("blocks") is not None:
        content["blocks"] = _checked_blocks(params["blocks"])
    for name, error in _JSON_FIELDS:
        if params.get(name) is not None:
            if isinstance(params[name], str):
                raise ApiError(error)
            content[name] = params[name]
    if require and not (content.get("text") or content.get("blocks") or content.get("attachments")):
        raise ApiError("no_text")
    return content


def _checked_blocks(blocks: Any) -> Any:
    if isinstance(blocks, str):
        raise ApiError("invalid_blocks_format")
    problems = blocks_problems(blocks)
    if problems:
        raise ApiError("invalid_blocks", messages=problems)
    return blocks
