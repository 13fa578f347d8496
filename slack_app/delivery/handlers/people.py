"""Direct messages to other people in a case: the person asked to stop, and both parties of
an own-up (the person asked to own up, and the one who receives the apology)."""

from collections.abc import Callable
from functools import partial

from db.models import OutboxMessage
from db.queries import OwnUpFacts, action_facts, own_up_facts, step_back_facts
from slack_app.delivery.handlers.context import DeliveryContext, Send
from slack_app.views import own_up as own_up_views
from slack_app.views import reporter as reporter_views
from slack_app.views import step_back as step_back_views
from slack_app.views.message import Message
from workflows.messages import MessageKind


def send_asked_to_stop(context: DeliveryContext, message: OutboxMessage) -> None:
    action = context.load(action_facts, message.payload["action_id"])
    channel = context.open_dm(message.payload["user_id"])
    content = reporter_views.asked_to_stop(action.message or "", reporter_views.COC_REMINDER)
    context.post(message, channel, content)


def send_step_in_request(context: DeliveryContext, message: OutboxMessage) -> None:
    step_back = context.load(step_back_facts, message.payload["step_back_id"])
    if step_back is None or step_back.ended:
        return  # answered, or the case was erased, before this could go
    channel = context.open_dm(message.payload["user_id"])
    context.post(message, channel, step_back_views.step_in_request(step_back))


def dm_about_own_up(
    context: DeliveryContext, message: OutboxMessage, *, build: Callable[[OwnUpFacts], Message]
) -> None:
    """A DM to one party of an own-up, built from the request as it is now."""
    own_up = context.load(own_up_facts, message.payload["own_up_id"])
    channel = context.open_dm(message.payload["user_id"])
    context.post(message, channel, build(own_up))


# What each own-up DM says; the outbox row names who it goes to.
OWN_UP_DMS: dict[MessageKind, Callable[[OwnUpFacts], Message]] = {
    MessageKind.OWN_UP_REQUEST: own_up_views.request_dm,
    MessageKind.OWN_UP_CHANGES: own_up_views.changes_dm,
    MessageKind.OWN_UP_NUDGE: own_up_views.nudge_dm,
    MessageKind.OWN_UP_WITHDRAWN: lambda _: own_up_views.withdrawn_notice(),
    MessageKind.OWN_UP_DELIVERED_NOTICE: lambda _: own_up_views.delivered_notice(),
    MessageKind.OWN_UP_ACCEPTED_NOTICE: lambda _: own_up_views.accepted_notice(),
    MessageKind.APOLOGY_OFFER: own_up_views.offer_dm,
    MessageKind.APOLOGY_DELIVERED: own_up_views.apology_dm,
}

# DMs go out whether or not the case is held: they never show the case's channel.
HANDLERS: dict[MessageKind, Send] = {
    MessageKind.ASKED_TO_STOP: send_asked_to_stop,
    MessageKind.STEP_IN_REQUEST: send_step_in_request,
    **{kind: partial(dm_about_own_up, build=build) for kind, build in OWN_UP_DMS.items()},
}
