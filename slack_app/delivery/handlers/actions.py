"""Work done in Slack on the organizers' behalf: removing someone from channels."""

from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from db.models import OutboxMessage
from db.queries import action_facts
from slack_app.delivery.dispatcher import Recorder
from slack_app.delivery.handlers.context import DeliveryContext, Send
from workflows.actions import record_action_result
from workflows.messages import MessageKind
from workflows.outbox import OutboxNotifier


def carry_out_action(context: DeliveryContext, message: OutboxMessage) -> Recorder:
    """Remove the person from each chosen channel, then record what happened, failures too."""
    action = context.load(action_facts, message.payload["action_id"])
    failures: dict[str, str] = {}
    for channel in action.channel_ids:
        try:
            context.client.conversations_kick(channel=channel, user=action.subject_id)
        except SlackApiError as error:
            if error.response.status_code >= 500 or error.response.status_code == 429:
                raise  # Slack is having trouble: retry the whole removal later
            # Anything else (not in the channel, say) won't change on retry: the organizers see it.
            failures[channel] = str(error.response.get("error"))

    def record(session: Session) -> None:
        record_action_result(
            session,
            OutboxNotifier(session, context.clock()),
            action_id=action.id,
            failures=failures,
            now=context.clock(),
        )

    return record


HANDLERS: dict[MessageKind, Send] = {
    MessageKind.CARRY_OUT_ACTION: carry_out_action,
}
