"""Plain data types shared by the stand-in's server and request sides: errors,
recorded calls, and the workspace's messages, users and channels."""

from __future__ import annotations

import copy
import secrets
import string
import time
from dataclasses import dataclass, field, replace
from typing import Any

JsonDict = dict[str, Any]

_ID_ALPHABET = string.ascii_uppercase + string.digits


def new_id(prefix: str, length: int = 10) -> str:
    """A Slack-looking identifier such as ``V0A1B2C3D4`` (prefix + uppercase alphanumerics)."""
    return prefix + "".join(secrets.choice(_ID_ALPHABET) for _ in range(length))


class ApiError(Exception):
    """Raised by a Web API method implementation to answer ``{"ok": false, "error": ...}``.

    ``messages`` become ``response_metadata.messages``, the way Slack explains
    ``invalid_arguments`` / ``invalid_blocks`` errors.
    """

    def __init__(self, error: str, *, status: int = 200, messages: list[str] | None = None) -> None:
        super().__init__(error)
        self.error = error
        self.status = status
        self.messages = messages or []

    def body(self) -> JsonDict:
        """The JSON body Slack answers with."""
        body: JsonDict = {"ok": False, "error": self.error}
        if self.messages:
            body["response_metadata"] = {"messages": list(self.messages)}
        return body


@dataclass(frozen=True)
class Call:
    """One request the stand-in received, in arrival order.

    ``params`` holds the decoded request fields (JSON-string fields such as
    ``blocks`` or ``view`` already decoded); ``at`` is ``time.monotonic()``
    when the request arrived; ``failed`` is true when the answer was not
    ``ok`` (an injected failure, an auth error or a Slack-side error such as
    ``channel_not_found``), and ``error`` then names it (``"dropped"`` for a
    connection closed without an answer).
    """

    method: str
    params: JsonDict
    token: str | None
    at: float
    failed: bool = False
    error: str | None = None


@dataclass
class Message:
    """A message as the stand-in stores it (what users would see in Slack).

    ``edits`` lists the previous versions (oldest first) when the message was
    changed with ``chat.update``; ``ephemeral_for`` is the only user who can
    see it for ``chat.postEphemeral`` / ephemeral ``response_url`` answers.
    """

    channel: str
    ts: str
    thread_ts: str | None = None
    text: str = ""
    blocks: list[JsonDict] | None = None
    user: str | None = None
    edits: list[Message] = field(default_factory=list)
    ephemeral_for: str | None = None
    bot_id: str | None = None
    metadata: JsonDict | None = None
    attachments: list[JsonDict] | None = None
    # As chat.postMessage was asked: None where the call didn't say.
    unfurl_links: bool | None = None
    unfurl_media: bool | None = None

    def snapshot(self) -> Message:
        """A deep copy, so callers never share mutable state with the server."""
        return copy.deepcopy(self)

    def previous_version(self) -> Message:
        """This version as an entry for ``edits``."""
        return replace(copy.deepcopy(self), edits=[])

    def to_dict(self) -> JsonDict:
        """The message the way Slack shows it in payloads and API answers."""
        message: JsonDict = {"type": "message", "ts": self.ts, "text": self.text}
        if self.user is not None:
            message["user"] = self.user
        if self.bot_id is not None:
            message["bot_id"] = self.bot_id
        if self.blocks is not None:
            message["blocks"] = copy.deepcopy(self.blocks)
        if self.attachments is not None:
            message["attachments"] = copy.deepcopy(self.attachments)
        if self.metadata is not None:
            message["metadata"] = copy.deepcopy(self.metadata)
        if self.thread_ts is not None:
            message["thread_ts"] = self.thread_ts
        return message


@dataclass
class User:
    """A workspace member."""

    id: str
    name: str
    real_name: str
    is_bot: bool = False


@dataclass
class Channel:
    """A conversation: public/private channel or a DM (``is_im``) with ``user``."""

    id: str
    name: str
    is_private: bool = True
    is_im: bool = False
    members: list[str] = field(default_factory=list)
    user: str | None = None
    is_archived: bool = False
    created: int = field(default_factory=lambda: int(time.time()))
