"""The stand-in's in-memory workspace: users, channels, messages, and the
``auth``/``chat``/``conversations``/``users`` Web API methods that act on them.

Nothing here is thread-safe on its own; ``SlackStandIn`` serialises access.
Each API method takes the decoded request parameters and returns the ``ok``
answer, or raises ``ApiError`` for Slack's ``{"ok": false}`` answers.
"""

from __future__ import annotations

import base64
import binascii
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .blocks import blocks_problems
from .models import ApiError, JsonDict, Message, new_id

PERMALINK_HOST = "https://stand-in.slack.test"
MAX_TEXT_LENGTH = 40_000
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000


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
    created: int = field(default_factory=lambda: int(time.time()))


@dataclass(frozen=True)
class ResponseUrlTarget:
    """Where answers to an interaction's ``response_url`` go."""

    user_id: str
    channel_id: str
    message_ts: str | None = None


def param(params: Mapping[str, Any], name: str) -> str | None:
    """A request parameter as a string (JSON bodies may carry numbers or booleans)."""
    value = params.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else str(value)


def is_true(params: Mapping[str, Any], name: str) -> bool:
    """A boolean request parameter (``true``/``1`` in forms, ``true`` in JSON)."""
    return param(params, name) in ("true", "1")


class Workspace:
    """Users, channels and messages of the stand-in workspace."""

    def __init__(self, *, team_id: str, bot_user_id: str, bot_id: str, app_id: str) -> None:
        self.team_id = team_id
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.app_id = app_id
        self.users: dict[str, User] = {}
        self.channels: dict[str, Channel] = {}
        self._messages: list[Message] = []
        self._last_ts_micros = 0
        self._response_urls: dict[str, ResponseUrlTarget] = {}
        self.add_user(bot_user_id, "speakout", real_name="Speak Out", is_bot=True)

    # ----------------------------------------------------------------- setup

    def add_user(self, user_id: str, name: str, *, real_name: str | None = None, is_bot: bool = False) -> None:
        self.users[user_id] = User(user_id, name, real_name or name, is_bot)

    def add_channel(
        self,
        channel_id: str,
        name: str,
        *,
        members: Iterable[str] = (),
        is_private: bool = True,
        is_im: bool = False,
        bot_member: bool = True,
    ) -> None:
        member_list = list(dict.fromkeys(members))
        if bot_member and self.bot_user_id not in member_list:
            member_list.append(self.bot_user_id)
        user = next((m for m in member_list if m != self.bot_user_id), None) if is_im else None
        self.channels[channel_id] = Channel(channel_id, name, is_private, is_im, member_list, user)

    def set_members(self, channel_id: str, members: Iterable[str], *, bot_member: bool | None = None) -> None:
        channel = self.channels[channel_id]
        keep_bot = self.bot_user_id in channel.members if bot_member is None else bot_member
        member_list = [m for m in dict.fromkeys(members) if m != self.bot_user_id]
        if keep_bot:
            member_list.append(self.bot_user_id)
        channel.members = member_list

    @staticmethod
    def dm_channel_for(user_id: str) -> str:
        """The id of the DM between ``user_id`` and the bot (``U123`` -> ``D123``)."""
        return "D" + (user_id[1:] if user_id[:1] in ("U", "W") else user_id)

    def ensure_dm(self, user_id: str) -> Channel:
        """The DM channel with ``user_id``, created on first use."""
        channel_id = self.dm_channel_for(user_id)
        if channel_id not in self.channels:
            self.channels[channel_id] = Channel(
                channel_id, channel_id, True, True, [user_id, self.bot_user_id], user_id
            )
        return self.channels[channel_id]

    def new_ts(self) -> str:
        """A unique, increasing message timestamp such as ``1700000000.000100``."""
        micros = max(time.time_ns() // 1000, self._last_ts_micros + 100)
        self._last_ts_micros = micros
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def new_response_url(self, target: ResponseUrlTarget) -> str:
        """Register a response_url target; returns its id (the last path segment)."""
        hook_id = new_id("R", 16)
        self._response_urls[hook_id] = target
        return hook_id

    # ------------------------------------------------------------- accessors

    def messages(self, channel: str | None = None) -> list[Message]:
        return [m.snapshot() for m in self._messages if channel is None or m.channel == channel]

    def find_message(self, channel: str, ts: str, *, ephemeral: bool = True) -> Message | None:
        for message in self._messages:
            visible = ephemeral or message.ephemeral_for is None
            if message.channel == channel and message.ts == ts and visible:
                return message
        return None

    def user_info(self, user_id: str) -> JsonDict | None:
        user = self.users.get(user_id)
        if user is None:
            return None
        return {
            "id": user.id,
            "team_id": self.team_id,
            "name": user.name,
            "real_name": user.real_name,
            "deleted": False,
            "is_bot": user.is_bot,
            "is_app_user": False,
            "is_admin": False,
            "is_owner": False,
            "tz": "Etc/UTC",
            "tz_label": "Coordinated Universal Time",
            "tz_offset": 0,
            "profile": {
                "display_name": user.name,
                "display_name_normalized": user.name,
                "real_name": user.real_name,
                "real_name_normalized": user.real_name,
                "team": self.team_id,
            },
        }

    def channel_info(self, channel_id: str, *, num_members: bool = False) -> JsonDict | None:
        channel = self.channels.get(channel_id)
        if channel is None:
            return None
        if channel.is_im:
            info: JsonDict = {
                "id": channel.id,
                "created": channel.created,
                "is_im": True,
                "is_org_shared": False,
                "user": channel.user,
                "is_user_deleted": False,
                "priority": 0,
            }
        else:
            info = {
                "id": channel.id,
                "name": channel.name,
                "name_normalized": channel.name,
                "is_channel": not channel.is_private,
                "is_group": channel.is_private,
                "is_im": False,
                "is_mpim": False,
                "is_private": channel.is_private,
                "is_archived": False,
                "is_general": False,
                "is_shared": False,
                "is_org_shared": False,
                "is_member": self.bot_user_id in channel.members,
                "created": channel.created,
                "creator": "",
                "topic": {"value": "", "creator": "", "last_set": 0},
                "purpose": {"value": "", "creator": "", "last_set": 0},
            }
        if num_members:
            info["num_members"] = len(channel.members)
        return info

    # -------------------------------------------------------------- helpers

    def _channel(self, channel_id: str | None, *, allow_user: bool = True) -> Channel:
        """Resolve a ``channel`` argument; a user id (or ``D`` id of a user) means that DM."""
        if channel_id is None:
            raise ApiError("channel_not_found")
        if channel_id in self.channels:
            return self.channels[channel_id]
        user_id = channel_id if allow_user and channel_id[:1] in ("U", "W") else None
        if channel_id.startswith("D"):
            user_id = next((u for u in self.users if self.dm_channel_for(u) == channel_id), None)
        user = self.users.get(user_id or "")
        if user is None:
            raise ApiError("channel_not_found")
        if user.is_bot:
            raise ApiError("cannot_dm_bot")
        return self.ensure_dm(user.id)

    def _content(self, params: Mapping[str, Any], *, require: bool = True) -> JsonDict:
        """Validated ``text``/``blocks``/``attachments``/``metadata`` of a message."""
        content: JsonDict = {}
        text = params.get("text")
        if text is not None:
            text = str(text)
            if len(text) > MAX_TEXT_LENGTH:
                raise ApiError("msg_too_long")
            content["text"] = text
        if params.get("blocks") is not None:
            blocks = params["blocks"]
            if isinstance(blocks, str):
                raise ApiError("invalid_blocks_format")
            problems = blocks_problems(blocks)
            if problems:
                raise ApiError("invalid_blocks", messages=problems)
            content["blocks"] = blocks
        for name, error in (("attachments", "invalid_attachments"), ("metadata", "invalid_metadata_format")):
            if params.get(name) is not None:
                if isinstance(params[name], str):
                    raise ApiError(error)
                content[name] = params[name]
        if require and not (content.get("text") or content.get("blocks") or content.get("attachments")):
            raise ApiError("no_text")
        return content

    def _thread_root(self, channel: Channel, thread_ts: str | None) -> str | None:
        """Slack files a reply to a reply under the thread's parent."""
        if thread_ts is None:
            return None
        parent = self.find_message(channel.id, thread_ts, ephemeral=False)
        return parent.thread_ts if parent is not None and parent.thread_ts else thread_ts

    def _post(
        self,
        channel: Channel,
        content: JsonDict,
        *,
        thread_ts: str | None = None,
        ephemeral_for: str | None = None,
        user: str | None = None,
    ) -> Message:
        message = Message(
            channel=channel.id,
            ts=self.new_ts(),
            thread_ts=self._thread_root(channel, thread_ts),
            text=content.get("text", ""),
            blocks=content.get("blocks"),
            user=user or self.bot_user_id,
            ephemeral_for=ephemeral_for,
            bot_id=self.bot_id if user is None else None,
            metadata=content.get("metadata"),
            attachments=content.get("attachments"),
        )
        self._messages.append(message)
        return message

    def post_as_user(self, user_id: str, channel_id: str, text: str, *, thread_ts: str | None = None) -> Message:
        """Record a message a person wrote (e.g. a DM to the bot sent as an event)."""
        channel = self._channel(channel_id)
        return self._post(channel, {"text": text}, thread_ts=thread_ts, user=user_id).snapshot()

    def _bot_message_dict(self, message: Message) -> JsonDict:
        body = message.to_dict()
        body.update(
            team=self.team_id,
            app_id=self.app_id,
            bot_profile={"id": self.bot_id, "app_id": self.app_id, "name": "Speak Out", "team_id": self.team_id},
        )
        return body

    def _bot_message(self, params: Mapping[str, Any]) -> tuple[Channel, Message]:
        """The bot's own, non-ephemeral message addressed by ``channel`` + ``ts``."""
        channel = self._channel(param(params, "channel"), allow_user=False)
        message = self.find_message(channel.id, param(params, "ts") or "", ephemeral=False)
        if message is None:
            raise ApiError("message_not_found")
        return channel, message

    # ------------------------------------------------------------ Web API

    def auth_test(self, params: Mapping[str, Any]) -> JsonDict:
        return {
            "ok": True,
            "url": f"{PERMALINK_HOST}/",
            "team": "Speak Out (stand-in)",
            "user": self.users[self.bot_user_id].name,
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def chat_post_message(self, params: Mapping[str, Any]) -> JsonDict:
        channel = self._channel(param(params, "channel"))
        if not channel.is_im and self.bot_user_id not in channel.members:
            raise ApiError("not_in_channel")
        message = self._post(channel, self._content(params), thread_ts=param(params, "thread_ts"))
        return {"ok": True, "channel": channel.id, "ts": message.ts, "message": self._bot_message_dict(message)}

    def chat_update(self, params: Mapping[str, Any]) -> JsonDict:
        channel, message = self._bot_message(params)
        if message.user != self.bot_user_id:
            raise ApiError("cant_update_message")
        content = self._content(params)
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
            "message": self._bot_message_dict(message),
        }

    def chat_delete(self, params: Mapping[str, Any]) -> JsonDict:
        channel, message = self._bot_message(params)
        if message.user != self.bot_user_id:
            raise ApiError("cant_delete_message")
        self._messages.remove(message)
        return {"ok": True, "channel": channel.id, "ts": message.ts}

    def chat_post_ephemeral(self, params: Mapping[str, Any]) -> JsonDict:
        channel = self._channel(param(params, "channel"))
        user_id = param(params, "user")
        if user_id is None or user_id not in self.users:
            raise ApiError("user_not_found")
        visible = channel.user == user_id if channel.is_im else user_id in channel.members
        if not visible:
            raise ApiError("user_not_in_channel")
        message = self._post(
            channel, self._content(params), thread_ts=param(params, "thread_ts"), ephemeral_for=user_id
        )
        return {"ok": True, "message_ts": message.ts}

    def chat_get_permalink(self, params: Mapping[str, Any]) -> JsonDict:
        channel = self._channel(param(params, "channel"), allow_user=False)
        message = self.find_message(channel.id, param(params, "message_ts") or "", ephemeral=False)
        if message is None:
            raise ApiError("message_not_found")
        return {
            "ok": True,
            "channel": channel.id,
            "permalink": f"{PERMALINK_HOST}/archives/{channel.id}/p{message.ts.replace('.', '')}",
        }

    def conversations_open(self, params: Mapping[str, Any]) -> JsonDict:
        channel_id = param(params, "channel")
        if channel_id is not None:
            channel = self._channel(channel_id, allow_user=False)
        else:
            users = [u.strip() for u in (param(params, "users") or "").split(",") if u.strip()]
            if not users:
                raise ApiError("users_list_not_supplied")
            if len(users) > 1:
                raise ApiError("not_supported", messages=["the stand-in only opens 1:1 DMs"])
            user = self.users.get(users[0])
            if user is None:
                raise ApiError("user_not_found")
            if user.is_bot:
                raise ApiError("cannot_dm_bot")
            existed = self.dm_channel_for(user.id) in self.channels
            channel = self.ensure_dm(user.id)
        body: JsonDict = {"ok": True, "channel": {"id": channel.id}}
        if channel_id is None:
            body.update(no_op=existed, already_open=existed)
        if is_true(params, "return_im"):
            body["channel"] = self.channel_info(channel.id)
        return body

    def conversations_members(self, params: Mapping[str, Any]) -> JsonDict:
        channel = self._channel(param(params, "channel"), allow_user=False)
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

    def conversations_info(self, params: Mapping[str, Any]) -> JsonDict:
        channel = self._channel(param(params, "channel"), allow_user=False)
        info = self.channel_info(channel.id, num_members=is_true(params, "include_num_members"))
        return {"ok": True, "channel": info}

    def conversations_kick(self, params: Mapping[str, Any]) -> JsonDict:
        channel = self._channel(param(params, "channel"), allow_user=False)
        user_id = param(params, "user")
        if user_id is None:
            raise ApiError("no_user")
        if user_id not in self.users:
            raise ApiError("user_not_found")
        if channel.is_im:
            raise ApiError("method_not_supported_for_channel_type")
        if user_id == self.bot_user_id:
            raise ApiError("cant_kick_self")
        if user_id not in channel.members or self.bot_user_id not in channel.members:
            raise ApiError("not_in_channel")
        channel.members.remove(user_id)
        return {"ok": True, "errors": {}}

    def users_info(self, params: Mapping[str, Any]) -> JsonDict:
        info = self.user_info(param(params, "user") or "")
        if info is None:
            raise ApiError("user_not_found")
        return {"ok": True, "user": info}

    # ---------------------------------------------------------- response_url

    def respond(self, hook_id: str, body: Mapping[str, Any]) -> None:
        """Act on a JSON body POSTed to an interaction's ``response_url``."""
        target = self._response_urls.get(hook_id)
        if target is None:
            raise ApiError("no_service", status=404)
        original = self.find_message(target.channel_id, target.message_ts) if target.message_ts is not None else None
        if body.get("delete_original"):
            if original is not None:
                self._messages.remove(original)
            return
        content = self._content(body)
        if body.get("replace_original") and original is not None:
            original.edits.append(original.previous_version())
            original.text = content.get("text", original.text)
            original.blocks = content.get("blocks", original.blocks)
            return
        channel = self.channels.get(target.channel_id) or Channel(target.channel_id, target.channel_id)
        in_channel = body.get("response_type") == "in_channel"
        thread_ts = param(body, "thread_ts")
        self._post(channel, content, thread_ts=thread_ts, ephemeral_for=None if in_channel else target.user_id)


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
