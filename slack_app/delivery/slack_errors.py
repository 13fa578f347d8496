"""Slack's errors in the groups the outbox treats differently, with what an admin should do.

- **workspace**: the token itself doesn't work; nothing can go out until it does, so the whole
  outbox pauses (no message fails, no attempt is used up) and probes with ``auth.test``.
- **channel**: one channel refuses the app; only messages for that channel wait, and the
  channel is probed by sending its oldest waiting message again.
- **message**: this message can never go out as it is; it fails at once, and the messages
  after it in its stream go on.

Anything else (5xx, unknown codes, timeouts) is retried with backoff until the outbox gives up.
"""

import socket
import urllib.error
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from slack_sdk.errors import SlackApiError

REINSTALL = "reinstall the app in the workspace and set SLACK_BOT_TOKEN to its new bot token"

WORKSPACE_HINTS = {
    "invalid_auth": "SLACK_BOT_TOKEN is wrong: set it to the app's bot token (xoxb-...)",
    "not_authed": "SLACK_BOT_TOKEN is missing: set it to the app's bot token (xoxb-...)",
    "account_inactive": f"the app was uninstalled or its token deactivated: {REINSTALL}",
    "token_revoked": f"the app's token was revoked: {REINSTALL}",
    "token_expired": f"the app's token expired: {REINSTALL} (or turn token rotation off)",
    "missing_scope": "the app lacks a scope it needs: reinstall it from manifest.yml",
    "ekm_access_denied": "Slack's Enterprise Key Management refused access: ask the workspace's admins",
}

CHANNEL_HINTS = {
    "channel_not_found": "check ORGANIZER_CHANNEL_ID / ESCALATION_CHANNEL_ID and invite the app there",
    "not_in_channel": "invite the app to the channel (/invite @Speak Out)",
    "is_archived": "the channel is archived: unarchive it or point the setting at a new channel",
}

MESSAGE_HINTS = {
    "invalid_blocks": "Slack refused the message's blocks (a bug in Speak Out: please report it)",
    "invalid_blocks_format": "Slack refused the message's blocks (a bug in Speak Out: please report it)",
    "msg_blocks_too_long": "the message is longer than Slack allows",
    "msg_too_long": "the message is longer than Slack allows",
    "no_text": "the message had no text (a bug in Speak Out: please report it)",
    "invalid_arguments": "Slack refused the call's arguments (a bug in Speak Out: please report it)",
    "view_too_large": "the view is larger than Slack allows",
    "too_many_attachments": "the message has more attachments than Slack allows",
    "invalid_attachments": "Slack refused the message's attachments",
    "message_not_found": "the message to change was deleted",
    "cant_update_message": "the message to change can't be changed by the app",
    "edit_window_closed": "the message to change is too old to change",
    "user_not_found": "the person is no longer in the workspace",
    "users_not_found": "the person is no longer in the workspace",
    "cannot_dm_bot": "the recipient is a bot",
    "user_disabled": "the person's account is deactivated",
}


class Scope(StrEnum):
    WORKSPACE = "workspace"
    CHANNEL = "channel"
    MESSAGE = "message"
    TRANSIENT = "transient"


def error_code(error: SlackApiError) -> str:
    return str(error.response.get("error") or "unknown_error")


def scope_of(code: str) -> Scope:
    if code in WORKSPACE_HINTS:
        return Scope.WORKSPACE
    if code in CHANNEL_HINTS:
        return Scope.CHANNEL
    if code in MESSAGE_HINTS:
        return Scope.MESSAGE
    return Scope.TRANSIENT


def hint_for(code: str) -> str:
    return WORKSPACE_HINTS.get(code) or CHANNEL_HINTS.get(code) or MESSAGE_HINTS.get(code) or ""


def method_of(error: SlackApiError) -> str:
    """The Web API method that answered, from the URL slack-sdk called (``.../api/chat.update``)."""
    url = getattr(error.response, "api_url", "") or ""
    return url.rstrip("/").rsplit("/", 1)[-1] or "unknown"


def channel_of(error: SlackApiError) -> str | None:
    """The channel the refused call named, as slack-sdk sent it (JSON body, form or query)."""
    request: dict[str, Any] = getattr(error.response, "req_args", None) or {}
    for part in ("json", "data", "params"):
        args = request.get(part)
        if isinstance(args, dict) and args.get("channel"):
            return str(args["channel"])
    return None


@dataclass
class Pause:
    """Why sending stopped, since when, and when to try again."""

    code: str
    since: datetime
    next_probe: datetime
    streams: set[str] = field(default_factory=set)  # for a channel: the streams seen failing there
    generation: int = 0  # pauses are numbered, so that a pass knows which began after it chose its messages

    @property
    def hint(self) -> str:
        return hint_for(self.code)

    def report(self) -> dict[str, str]:
        return {"paused": self.code, "since": self.since.isoformat(), "hint": self.hint}


def may_have_reached_slack(error: Exception) -> bool:
    """Whether a call that ended in a connection ``error`` (a timeout, a reset, an answer cut
    short) may have been received, and acted on, by Slack: only a connection never made says not."""
    reason = error.reason if isinstance(error, urllib.error.URLError) else error
    return not isinstance(reason, ConnectionRefusedError | socket.gaierror)
