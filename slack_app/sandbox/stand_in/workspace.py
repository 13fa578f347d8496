"""The stand-in's in-memory workspace: who is in it, its channels and DMs, its
messages and the ``response_url``s handed out with interactions.

The Web API methods that act on it live in ``methods/``. Nothing here is
thread-safe on its own; ``SlackStandIn`` serialises access.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .message_log import MessageLog
from .models import ApiError, Channel, JsonDict, Message, User, new_id
from .slack_objects import channel_object, user_object


@dataclass(frozen=True)
class ResponseUrlTarget:
    """Where answers to an interaction's ``response_url`` go."""

    user_id: str
    channel_id: str
    message_ts: str | None = None


class Workspace:
    """Users, channels, messages and response_urls of the stand-in workspace."""

    def __init__(self, *, team_id: str, bot_user_id: str, bot_id: str, app_id: str) -> None:
        self.team_id = team_id
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.app_id = app_id
        self.users: dict[str, User] = {}
        self.channels: dict[str, Channel] = {}
        self.log = MessageLog()
        self._response_urls: dict[str, ResponseUrlTarget] = {}
        self.add_user(bot_user_id, "speakout", real_name="Speak Out", is_bot=True)

    # ------------------------------------------------------ people, channels

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

    def resolve_channel(self, channel_id: str | None, *, allow_user: bool = True) -> Channel:
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

    def bot_channel(self, channel_id: str | None, *, allow_user: bool = True) -> Channel:
        """Resolve a Web API ``channel`` argument as the bot sees it: a private
        channel the bot is not a member of does not exist for it (Slack answers
        ``channel_not_found``, never ``not_in_channel``)."""
        channel = self.resolve_channel(channel_id, allow_user=allow_user)
        if channel.is_private and not channel.is_im and self.bot_user_id not in channel.members:
            raise ApiError("channel_not_found")
        return channel

    def user_info(self, user_id: str) -> JsonDict | None:
        user = self.users.get(user_id)
        return user_object(user, self.team_id) if user is not None else None

    def channel_info(self, channel_id: str, *, num_members: bool = False) -> JsonDict | None:
        channel = self.channels.get(channel_id)
        if channel is None:
            return None
        return channel_object(channel, bot_user_id=self.bot_user_id, num_members=num_members)

    # -------------------------------------------------------------- messages

    def messages(self, channel: str | None = None) -> list[Message]:
        return self.log.snapshots(channel)

    def find_message(self, channel: str, ts: str, *, ephemeral: bool = True) -> Message | None:
        return self.log.find(channel, ts, ephemeral=ephemeral)

    def post(
        self,
        channel: Channel,
        content: JsonDict,
        *,
        thread_ts: str | None = None,
        ephemeral_for: str | None = None,
        user: str | None = None,
    ) -> Message:
        """Store a new message (``content`` already checked); without ``user`` the bot posts it."""
        message = Message(
            channel=channel.id,
            ts=self.log.new_ts(),
            thread_ts=self.log.thread_root(channel.id, thread_ts),
            text=content.get("text", ""),
            blocks=content.get("blocks"),
            user=user or self.bot_user_id,
            ephemeral_for=ephemeral_for,
            bot_id=self.bot_id if user is None else None,
            metadata=content.get("metadata"),
            attachments=content.get("attachments"),
            unfurl_links=content.get("unfurl_links"),
            unfurl_media=content.get("unfurl_media"),
        )
        self.log.append(message)
        return message

    def post_as_user(self, user_id: str, channel_id: str, text: str, *, thread_ts: str | None = None) -> Message:
        """Record a message a person wrote (e.g. a DM to the bot sent as an event)."""
        channel = self.resolve_channel(channel_id)
        return self.post(channel, {"text": text}, thread_ts=thread_ts, user=user_id).snapshot()

    def remove_message(self, message: Message) -> None:
        self.log.remove(message)

    # ---------------------------------------------------------- response_url

    def new_response_url(self, target: ResponseUrlTarget) -> str:
        """Register a response_url target; returns its id (the last path segment)."""
        hook_id = new_id("R", 16)
        self._response_urls[hook_id] = target
        return hook_id

    def response_url_target(self, hook_id: str) -> ResponseUrlTarget | None:
        return self._response_urls.get(hook_id)
