"""Direct messages from the app to a reporter, always in the app's name."""

from slack_sdk.models.blocks import MarkdownTextObject, SectionBlock

from db.enums import Outcome
from db.queries import ReporterContact
from slack_app.views.message import Message, quote


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
        text="You don't have an open report with us, so this message wasn't passed on. To report something, "
        'use the /report command or the "Report this message" shortcut on a message. If you are answering '
        "the organizers, please use the buttons on their message."
    )


def acknowledged(contact: ReporterContact) -> Message:
    return Message(
        text=f"An organizer has read your report {contact.reference} and is looking into it. "
        "You can reply here at any time."
    )


def organizer_message(contact: ReporterContact, text: str) -> Message:
    body = f"*A message from the organizers about {contact.reference}:*\n{quote(text)}\n_Reply here to answer._"
    return Message(
        text=f"A message from the organizers about {contact.reference}",
        blocks=[SectionBlock(text=MarkdownTextObject(text=body[:3000]))],
    )


CLOSING_WORDS = {
    Outcome.ACTION_TAKEN: "The organizers took action.",
    Outcome.NO_ACTION_NEEDED: "The organizers decided no further action was needed.",
    Outcome.UNRESOLVED: "The organizers could not resolve it fully.",
    Outcome.WITHDRAWN: "It was closed as withdrawn.",
}


def closed(contact: ReporterContact, outcome: Outcome | None) -> Message:
    words = CLOSING_WORDS.get(outcome, "") if outcome else ""
    return Message(
        text=f"Your report {contact.reference} is now closed. {words} Thank you for speaking up. "
        "If anything else happens, or this continues, reply here or use /report again."
    )


def asked_to_stop(message: str, coc_reminder: str) -> Message:
    """To the person asked to stop: the organizer's words, in the app's name, and nothing
    about the report or who made it."""
    body = f"*A message from the event organizers:*\n{quote(message)}\n\n{coc_reminder}"
    return Message(
        text="A message from the event organizers", blocks=[SectionBlock(text=MarkdownTextObject(text=body[:3000]))]
    )


COC_REMINDER = (
    "_Our Code of Conduct asks everyone at the event to be kind and respectful, and to stop right away when asked to._"
)
