"""Deleting a purged case's own messages from Slack: its card and thread replies, and the DMs
the app sent about it (receipts, relayed messages, own-up messages), with ``chat.delete``
(Tier 3: paced like every outbox call). A bot may delete its own messages with ``chat:write``.

One outbox message deletes them all, one by one, noting each one's fate in a transaction of
its own as it goes (``workflows.posted_messages``), so that a pace, a rate limit or a restart
carries on with the rest. What Slack answers decides each fate:

- deleted, or ``message_not_found``: gone (someone deleted it already), counted, not an error;
- the channel can't be reached any more (``channel_not_found``, ``not_in_channel``,
  ``is_archived``), or the message may not be deleted by the app: left, counted, and the
  deletion goes on with the rest;
- anything else is raised, for the dispatcher to treat as it treats every call: a refused
  token pauses the outbox, a 429 pauses ``chat.delete``, the rest is retried with backoff.

Once every message is settled, the timeline says how many went, in counts only.
"""

import logging

from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from db.enums import SlackDeletion
from db.models import OutboxMessage
from slack_app.delivery.handlers.context import DeliveryContext, Send
from slack_app.delivery.outcomes import Recorder
from slack_app.delivery.slack_errors import CHANNEL_HINTS, error_code
from workflows import posted_messages
from workflows.messages import MessageKind

logger = logging.getLogger(__name__)

ALREADY_GONE = "message_not_found"
# The channel refuses the app, or the message isn't the app's to delete: this one stays.
LEFT = frozenset({*CHANNEL_HINTS, "cant_delete_message"})


def delete_case_messages(context: DeliveryContext, message: OutboxMessage) -> Recorder:
    case_id = message.case_id
    for posted in context.load(posted_messages.messages_to_delete, case_id):
        outcome, code = delete_one(context, posted)
        if code is not None:
            # Ids of neither the channel (it may be someone's DM) nor the message: the code says why.
            logger.warning("a Slack message of case id %s can't be deleted: %s", case_id, code)
        with context.sessions.begin() as session:
            posted_messages.note_deletion(session, posted.id, outcome, code)

    def record(session: Session) -> None:
        posted_messages.record_messages_deleted(session, case_id=case_id, now=context.clock())

    return record


def delete_one(context: DeliveryContext, posted: posted_messages.ToDelete) -> tuple[SlackDeletion, str | None]:
    """What became of one message: deleted, already gone, or unreachable (with Slack's code)."""
    try:
        context.client.chat_delete(channel=posted.channel, ts=posted.ts)
    except SlackApiError as error:
        code = error_code(error)
        if code == ALREADY_GONE:
            return SlackDeletion.ALREADY_GONE, None
        if code in LEFT and error.response.status_code != 429:
            return SlackDeletion.UNREACHABLE, code
        raise
    return SlackDeletion.DELETED, None


# Not behind the held-case rule: a held case's DMs were sent, and go too.
HANDLERS: dict[MessageKind, Send] = {
    MessageKind.DELETE_SLACK_MESSAGES: delete_case_messages,
}
