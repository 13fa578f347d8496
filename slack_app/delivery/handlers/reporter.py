"""Direct messages to the reporter: the receipt, and what happens to their case after it."""

from sqlalchemy.orm import Session

from db.models import Case, OutboxMessage
from db.queries import timeline_facts
from slack_app.delivery.handlers.context import DeliveryContext, Send
from slack_app.delivery.outcomes import Recorder
from slack_app.delivery.posting import Posted
from slack_app.views import own_up as own_up_views
from slack_app.views import reminders as reminder_views
from slack_app.views import reporter as reporter_views
from workflows.messages import MessageKind


def send_receipt(context: DeliveryContext, message: OutboxMessage) -> Recorder:
    contact = context.load_contact(message.case_id)
    channel = context.find_reporter_dm(contact)
    content = reporter_views.receipt(contact, context.settings.urgent_help_text)
    return remember_reporter_dm(contact.case_id, context.post(message, channel, content))


def send_self_report_receipt(context: DeliveryContext, message: OutboxMessage) -> Recorder:
    contact = context.load_contact(message.case_id)
    channel = context.find_reporter_dm(contact)
    content = own_up_views.self_report_receipt(contact.reference)
    return remember_reporter_dm(contact.case_id, context.post(message, channel, content))


def remember_reporter_dm(case_id: int, posted: Posted) -> Recorder:
    """Keep the receipt's DM, so later DMs go there without opening it again."""

    def record(session: Session) -> None:
        case = session.get(Case, case_id)
        case.reporter_dm_channel, case.reporter_dm_ts = posted.channel, posted.ts

    return record


def confirm_reporter_message(context: DeliveryContext, message: OutboxMessage) -> None:
    contact = context.load_contact(message.case_id)
    context.dm_reporter(message, contact, reporter_views.message_added(contact))


def tell_reporter_acknowledged(context: DeliveryContext, message: OutboxMessage) -> None:
    contact = context.load_contact(message.case_id)
    context.dm_reporter(message, contact, reporter_views.acknowledged(contact))


def relay_organizer_message(context: DeliveryContext, message: OutboxMessage) -> None:
    contact = context.load_contact(message.case_id)
    entry = context.load(timeline_facts, message.payload["entry_id"])
    context.dm_reporter(message, contact, reporter_views.organizer_message(contact, entry.body or ""))


def tell_reporter_closed(context: DeliveryContext, message: OutboxMessage) -> None:
    contact = context.load_contact(message.case_id)
    case = context.load_case(message.case_id)
    context.dm_reporter(message, contact, reporter_views.closed(contact, case.outcome))


def update_reporter(context: DeliveryContext, message: OutboxMessage) -> None:
    contact = context.load_contact(message.case_id)
    context.dm_reporter(message, contact, reminder_views.reporter_update(contact))


# DMs reach the reporter whether or not the case is held: they never show the case's channel.
HANDLERS: dict[MessageKind, Send] = {
    MessageKind.RECEIPT: send_receipt,
    MessageKind.SELF_REPORT_RECEIPT: send_self_report_receipt,
    MessageKind.REPORTER_MESSAGE_ADDED: confirm_reporter_message,
    MessageKind.ACKNOWLEDGED: tell_reporter_acknowledged,
    MessageKind.ORGANIZER_MESSAGE: relay_organizer_message,
    MessageKind.CLOSED: tell_reporter_closed,
    MessageKind.REPORTER_UPDATE: update_reporter,
}
