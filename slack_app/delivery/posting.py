"""Posting an outbox message once, though the process may die or time out mid-post.

Slack's Web API has no idempotency keys. So every post carries its outbox id in its message
metadata, ``{"event_type": "speakout_outbox", "event_payload": {"outbox_id": N}}`` and nothing
else (anyone who can read the conversation through the API can read it: it never carries report
content). A message whose earlier attempt may have reached Slack (``OutboxMessage.maybe_sent``:
its sender died while sending, or the call timed out) is first looked for where it would be, in
its thread (``conversations.replies``) or its conversation (``conversations.history``), from
shortly before it was queued (an id of an older database never matches). Found, it counts as
sent, with the ts Slack gave it; not found, it is posted. Edits (``chat.update``), views and
removals are idempotent and need no lookup.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from db.models import OutboxMessage

logger = logging.getLogger(__name__)

EVENT_TYPE = "speakout_outbox"
SKEW = timedelta(minutes=1)  # this host's clock and Slack's may differ a little
PAGE = 200
MAX_PAGES = 25


@dataclass(frozen=True)
class Posted:
    """Where the message is in Slack; ``found``: an earlier attempt had posted it."""

    channel: str
    ts: str
    found: bool = False


def outbox_metadata(outbox_id: int) -> dict[str, Any]:
    return {"event_type": EVENT_TYPE, "event_payload": {"outbox_id": outbox_id}}


def post_once(
    client: WebClient, message: OutboxMessage, *, channel: str, thread_ts: str | None = None, **content: Any
) -> Posted:
    """``chat.postMessage`` for ``message``, unless an earlier attempt already posted it."""
    if message.maybe_sent:
        found = find_posted(client, message, channel=channel, thread_ts=thread_ts)
        if found is not None:
            logger.info("outbox message %s (%s) reached Slack before: not posting it again", message.id, message.kind)
            return Posted(channel, found, found=True)
    # No previews: a link someone wrote (or the permalink to a reported message) must not
    # unfurl its content into the organizers' channel or someone's DM.
    response = client.chat_postMessage(
        channel=channel,
        thread_ts=thread_ts,
        metadata=outbox_metadata(message.id),
        unfurl_links=False,
        unfurl_media=False,
        **content,
    )
    return Posted(response["channel"], response["ts"])


def find_posted(client: WebClient, message: OutboxMessage, *, channel: str, thread_ts: str | None) -> str | None:
    """The ts of the post carrying ``message``'s id in ``channel`` (in the thread of ``thread_ts``)."""
    read = client.conversations_replies if thread_ts is not None else client.conversations_history
    where = {"ts": thread_ts} if thread_ts is not None else {}
    cursor = None
    try:
        for _ in range(MAX_PAGES):
            page = read(
                channel=channel,
                oldest=slack_ts(message.created_at - SKEW),
                include_all_metadata=True,
                limit=PAGE,
                cursor=cursor,
                **where,
            )
            for posted in page.get("messages") or []:
                if carries(posted, message.id) and posted.get("ts") != thread_ts:
                    return posted["ts"]
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return None
    except SlackApiError as error:
        code = error.response.get("error")
        if code == "thread_not_found":
            return None  # its thread is gone: the post itself will say what to do
        if code != "missing_scope":
            raise  # the outbox handles it as any refusal (a channel paused, a retry later)
        logger.warning(
            "can't look in Slack for outbox message %s before posting it again: the app lacks %s "
            "(reinstall it from manifest.yml); posting it, so it may show twice",
            message.id,
            error.response.get("needed") or "a history scope",
        )
        return None
    logger.warning("outbox message %s not found in %s pages of Slack's history: posting it", message.id, MAX_PAGES)
    return None


def carries(posted: dict[str, Any], outbox_id: int) -> bool:
    metadata = posted.get("metadata") or {}
    payload = metadata.get("event_payload") or {}
    return metadata.get("event_type") == EVENT_TYPE and payload.get("outbox_id") == outbox_id


def slack_ts(moment: datetime) -> str:
    return f"{moment.timestamp():.6f}"
