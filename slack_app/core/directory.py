"""Who is in a channel, from Slack's Web API: fresh each time, or through a short cache; and
the link to a reported message, where organizers may follow one.

Authorization (may this person act on a case, see its facts, be assigned it) always asks
Slack afresh with ``channel_members``, so someone removed from the organizers' channel is
refused on their very next click. ``MembersCache`` is only for what renders a list: the App
Home tab, which a crowd opens at once (everyone opening the app after an announcement) and
which would otherwise cost two ``conversations.members`` calls per person, beyond Slack's
rate limit. Its staleness is bounded by its TTL: for that many seconds after leaving the
channel someone may still see the open cases' numbers, categories and ages on their Home
tab (never a report, and never the power to act), a window no longer than a Home tab that was
already open.
"""

import threading
import time
from collections.abc import Callable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

HOME_MEMBERS_TTL = 5.0
"""Seconds a channel's members are reused for the Home tab."""


def channel_members(client: WebClient, channel_id: str) -> frozenset[str]:
    members: set[str] = set()
    cursor = None
    while True:
        response = client.conversations_members(channel=channel_id, cursor=cursor, limit=200)
        members.update(response.get("members") or [])
        cursor = (response.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return frozenset(members)


class MembersCache:
    """``channel_members`` reused for ``ttl`` seconds, per channel and thread-safe. Concurrent
    misses on one channel make one call to Slack; a failed call is never remembered."""

    def __init__(self, ttl: float = HOME_MEMBERS_TTL, clock: Callable[[], float] = time.monotonic):
        self._ttl = ttl
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[float, frozenset[str]]] = {}
        self._fetching: dict[str, threading.Lock] = {}

    def members(self, client: WebClient, channel_id: str) -> frozenset[str]:
        found = self._fresh(channel_id)
        if found is not None:
            return found
        with self._lock:
            fetching = self._fetching.setdefault(channel_id, threading.Lock())
        with fetching:  # whoever came first asks Slack; the others wait for its answer
            found = self._fresh(channel_id)
            if found is not None:
                return found
            members = channel_members(client, channel_id)
            with self._lock:
                self._entries[channel_id] = (self._clock(), members)
            return members

    def _fresh(self, channel_id: str) -> frozenset[str] | None:
        with self._lock:
            entry = self._entries.get(channel_id)
        if entry is None or self._clock() - entry[0] >= self._ttl:
            return None
        return entry[1]


def link_to_evidence(client: WebClient, channel_id: str | None, ts: str | None) -> str | None:
    """The permalink to a reported message, or None: never to a DM (organizers can't open one
    anyway, and its link names the pair of people in it), nor when Slack won't say (the
    report still names the channel and author)."""
    if channel_id is None or ts is None or channel_id.startswith("D"):
        return None
    try:
        return client.chat_getPermalink(channel=channel_id, message_ts=ts)["permalink"]
    except SlackApiError:
        return None
