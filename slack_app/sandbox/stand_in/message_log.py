"""Every message in the stand-in workspace, in post order, with Slack's timestamps."""

from __future__ import annotations

import time

from .models import Message


class MessageLog:
    """The workspace's messages (not thread-safe; ``SlackStandIn`` serialises access)."""

    def __init__(self) -> None:
        self._messages: list[Message] = []
        self._last_ts_micros = 0

    def new_ts(self) -> str:
        """A unique, increasing message timestamp such as ``1700000000.000100``."""
        # Two posts in the same microsecond must still get distinct, ordered ts values.
        micros = max(time.time_ns() // 1000, self._last_ts_micros + 100)
        self._last_ts_micros = micros
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def append(self, message: Message) -> None:
        self._messages.append(message)

    def remove(self, message: Message) -> None:
        self._messages.remove(message)

    def snapshots(self, channel: str | None = None) -> list[Message]:
        """Copies of the messages (of ``channel``, or all), in post order."""
        return [m.snapshot() for m in self._messages if channel is None or m.channel == channel]

    def find(self, channel: str, ts: str, *, ephemeral: bool = True) -> Message | None:
        """The stored message itself (not a copy), so methods can edit it in place."""
        for message in self._messages:
            visible = ephemeral or message.ephemeral_for is None
            if message.channel == channel and message.ts == ts and visible:
                return message
        return None

    def thread_root(self, channel: str, thread_ts: str | None) -> str | None:
        """Slack files a reply to a reply under the thread's parent."""
        if thread_ts is None:
            return None
        parent = self.find(channel, thread_ts, ephemeral=False)
        return parent.thread_ts if parent is not None and parent.thread_ts else thread_ts
