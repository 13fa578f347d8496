"""The workspace part of ``SlackStandIn``'s public API: setting up people and
channels, and reading what was posted, each under the stand-in's lock."""

from __future__ import annotations

import threading
from collections.abc import Iterable

from .models import ApiError, JsonDict, Message
from .workspace import ResponseUrlTarget, Workspace


class WorkspaceAccess:
    """Locked accessors over the stand-in's ``Workspace``; they return copies."""

    _cond: threading.Condition
    _workspace: Workspace
    bot_user_id: str
    base_url: str

    # -------------------------------------------------------- workspace setup

    def add_user(self, user_id: str, name: str, *, real_name: str | None = None, is_bot: bool = False) -> None:
        with self._cond:
            self._workspace.add_user(user_id, name, real_name=real_name, is_bot=is_bot)
            self._cond.notify_all()

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
        """Create (or replace) a channel; the bot joins it unless ``bot_member=False``."""
        with self._cond:
            self._workspace.add_channel(
                channel_id, name, members=members, is_private=is_private, is_im=is_im, bot_member=bot_member
            )
            self._cond.notify_all()

    def set_members(self, channel_id: str, members: Iterable[str], *, bot_member: bool | None = None) -> None:
        """Replace a channel's human members; the bot's membership stays as it was
        unless ``bot_member`` says otherwise."""
        with self._cond:
            self._workspace.set_members(channel_id, members, bot_member=bot_member)
            self._cond.notify_all()

    def archive_channel(self, channel_id: str) -> None:
        """Archive a channel: its members can still be listed, but nothing can be posted in it."""
        with self._cond:
            self._workspace.channels[channel_id].is_archived = True
            self._cond.notify_all()

    def members(self, channel_id: str) -> list[str]:
        with self._cond:
            return list(self._workspace.channels[channel_id].members)

    def user(self, user_id: str) -> JsonDict | None:
        """The ``users.info`` ``user`` object, or None for an unknown user."""
        with self._cond:
            return self._workspace.user_info(user_id)

    def channel(self, channel_id: str) -> JsonDict | None:
        """The ``conversations.info`` ``channel`` object, or None."""
        with self._cond:
            return self._workspace.channel_info(channel_id)

    # -------------------------------------------------------------- messages

    def messages(self, channel: str | None = None) -> list[Message]:
        """Messages (ephemeral ones included, see ``Message.ephemeral_for``) in post order."""
        with self._cond:
            return self._workspace.messages(channel)

    def message(self, channel: str, ts: str) -> Message | None:
        with self._cond:
            found = self._workspace.find_message(channel, ts)
            return found.snapshot() if found is not None else None

    def thread(self, channel: str, ts: str) -> list[Message]:
        """The replies to the message ``ts`` in ``channel``."""
        return [m for m in self.messages(channel) if m.thread_ts == ts and m.ts != ts]

    def dm_channel_for(self, user_id: str) -> str:
        return Workspace.dm_channel_for(user_id)

    def dms_to(self, user_id: str) -> list[Message]:
        """What the bot said in its DM with ``user_id``."""
        channel = self.dm_channel_for(user_id)
        return [m for m in self.messages(channel) if m.user == self.bot_user_id]

    def ephemerals_for(self, user_id: str) -> list[Message]:
        return [m for m in self.messages() if m.ephemeral_for == user_id]

    def post_user_message(self, user_id: str, channel_id: str, text: str, *, thread_ts: str | None = None) -> Message:
        """Record a message a person wrote (as when they type in Slack); returns it with its ts."""
        with self._cond:
            try:
                message = self._workspace.post_as_user(user_id, channel_id, text, thread_ts=thread_ts)
            except ApiError as error:
                raise ValueError(f"cannot post as {user_id} in {channel_id}: {error.error}") from None
            self._cond.notify_all()
            return message

    def new_response_url(self, user_id: str, channel_id: str, *, message_ts: str | None = None) -> str:
        """A ``response_url`` for an interaction by ``user_id`` in ``channel_id``
        (``message_ts``: the message the interaction came from)."""
        with self._cond:
            hook_id = self._workspace.new_response_url(ResponseUrlTarget(user_id, channel_id, message_ts))
        return f"{self.base_url}/hooks/response/{hook_id}"
