"""Direct messages from the app to a reporter, always in the app's name."""

from slack_sdk.models.blocks import MarkdownTextObject, SectionBlock

from db.queries import ReporterContact
from slack_app.views.message import Message


def receipt(contact: ReporterContact, urgent_help_text: str) -> Message:
    """The first DM after a report: its reference, what happens next, how to add more."""
    parts = [f"*Thank you for speaking up.* We've received your report *{contact.reference}*."]
    if contact.urgent:
        parts.append(f":sos: *Need help right now?* {urgent_help_text}")
    if contact.anonymous:
        parts.append("Organizers will not see your name: anything you send here reaches them without it.")
    if contact.follow_up_allowed:
        next_steps = "An organizer will read it and get back to you here, through this app."
    else:
        next_steps = "An organizer will read it. As you asked, we won't contact you about it."
    parts.append(f"*What happens next:* {next_steps}")
    parts.append("You can reply to this message at any time to add information.")
    return Message(
        text=f"We've received your report {contact.reference}.",
        blocks=[SectionBlock(text=MarkdownTextObject(text=part)) for part in parts],
    )


def message_added(contact: ReporterContact) -> Message:
    return Message(text=f"Thanks, we've added that to {contact.reference}. The organizers will see it.")


def no_open_report() -> Message:
    return Message(
        text="You don't have an open report with us. To report something, use the /report command "
        'or the "Report this message" shortcut on a message.'
    )
