"""Reminder messages: they name the case and how long it has waited, never its content."""

from slack_sdk.models.blocks import MarkdownTextObject, SectionBlock

from db.queries import CaseFacts, ReporterContact
from slack_app.views.labels import mention
from slack_app.views.message import Message


def _waited(seconds: int) -> str:
    minutes = seconds // 60
    if seconds < 120:
        return f"{seconds} seconds"
    if minutes < 120:
        return f"{minutes} minutes"
    if minutes < 48 * 60:
        return f"{minutes // 60} hours"
    return f"{minutes // (24 * 60)} days"


def _everyone(ping: str, organizers: list[str] | None) -> str:
    """The whole channel, or (when someone stepped back, and must not be reminded) each
    organizer of the case by name."""
    return ping if organizers is None else " ".join(mention(user_id) for user_id in organizers)


def ack_reminder(case: CaseFacts, seconds: int, organizers: list[str] | None = None) -> Message:
    text = (
        f"{_everyone('<!channel>', organizers)} :alarm_clock: *{case.reference}* has waited {_waited(seconds)} "
        "and nobody has acknowledged it yet. Press *Acknowledge* on the card when you pick it up."
    )
    return Message(
        text=f"{case.reference} needs acknowledging", blocks=[SectionBlock(text=MarkdownTextObject(text=text))]
    )


def ack_escalation(case: CaseFacts, count: int, link: str | None) -> Message:
    where = f"<{link}|{case.reference}>" if link else f"*{case.reference}* in <#{case.channel_id}>"
    text = (
        f":rotating_light: {where} is still unacknowledged after {count} reminders. "
        "Please make sure someone picks it up."
    )
    return Message(
        text=f"{case.reference} is still unacknowledged", blocks=[SectionBlock(text=MarkdownTextObject(text=text))]
    )


def stale_nudge(case: CaseFacts, days: int, organizers: list[str] | None = None) -> Message:
    who = mention(case.assignee_id) if case.assignee_id else _everyone("<!here>", organizers)
    plural = "day" if days == 1 else "days"
    text = f"{who} :hourglass: *{case.reference}* has had no activity for {days} {plural}. What's next for it?"
    return Message(text=f"{case.reference} has gone quiet", blocks=[SectionBlock(text=MarkdownTextObject(text=text))])


def reporter_update(contact: ReporterContact) -> Message:
    return Message(
        text=f"An update on your report {contact.reference}: it is still open and the organizers are working "
        "on it. You can reply here at any time to add something or ask a question."
    )
