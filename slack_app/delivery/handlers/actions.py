"""Work done in Slack on the organizers' behalf: removing someone from channels.

A removal is a message of its own in the outbox and may be tried more than once (Slack having
trouble, a crash). Each channel the person is out of is noted on the message as it happens, so
a retry asks Slack only about the rest, and ``not_in_channel`` ("User was not in the channel")
is what was asked for, not a failure: the person is out of that channel either way.
"""

from slack_sdk.errors import SlackApiError
from sqlalchemy import update
from sqlalchemy.orm import Session

from db.models import OutboxMessage
from db.queries import action_facts
from slack_app.delivery.handlers.context import DeliveryContext, Send
from slack_app.delivery.outcomes import Recorder
from workflows.actions import record_action_result
from workflows.messages import MessageKind
from workflows.outbox import OutboxNotifier

PROGRESS = "removed_from"  # the payload's list of channels the person is out of already


def carry_out_action(context: DeliveryContext, message: OutboxMessage) -> Recorder:
    """Remove the person from each chosen channel, then record what happened, failures too."""
    action = context.load(action_facts, message.payload["action_id"])
    done: list[str] = list(message.payload.get(PROGRESS, []))
    failures: dict[str, str] = {}
    for channel in action.channel_ids:
        if channel in done:
            continue
        try:
            context.client.conversations_kick(channel=channel, user=action.subject_id)
        except SlackApiError as error:
            code = str(error.response.get("error"))
            if error.response.status_code >= 500 or error.response.status_code == 429:
                raise  # Slack is having trouble: retry later, from this channel on
            if code != "not_in_channel":
                # Anything else (can't kick from #general, say) won't change on retry: the organizers see it.
                failures[channel] = code
                continue
        done.append(channel)
        note_progress(context, message, done)

    def record(session: Session) -> None:
        record_action_result(
            session,
            OutboxNotifier(session, context.clock()),
            action_id=action.id,
            failures=failures,
            now=context.clock(),
        )

    return record


def note_progress(context: DeliveryContext, message: OutboxMessage, done: list[str]) -> None:
    """Keep on the message which channels are done, in a transaction of its own (no Slack call
    is in flight), so that neither a retry nor a restart asks Slack about them again."""
    message.payload = {**message.payload, PROGRESS: list(done)}
    with context.sessions.begin() as session:
        session.execute(update(OutboxMessage).where(OutboxMessage.id == message.id).values(payload=message.payload))


HANDLERS: dict[MessageKind, Send] = {
    MessageKind.CARRY_OUT_ACTION: carry_out_action,
}
