"""The messages each party of the own-up flow is sent (its modals are in ``own_up_modals``).
The person asked to own up is shown the organizer's words only: never the report, never who
made it."""

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ContextBlock,
    MarkdownTextObject,
)

from db.enums import OwnUpState
from db.queries import CaseFacts, OwnUpFacts
from slack_app.core.ids import OwnUpAction
from slack_app.core.mrkdwn import inline
from slack_app.views.code_names import NAMED, People
from slack_app.views.message import Message, quote, section
from workflows.own_up import OPEN, STATE_WORDS

COC_PARTS = {
    "respect": "Be kind and respectful",
    "harassment": "No harassment or intimidation",
    "recording": "No unwanted photography or recording",
    "sexual": "No unwelcome sexual attention",
    "inclusion": "No demeaning or exclusionary jokes or comments",
    "spam": "Keep it human: no spam or unsolicited pitches",
    "stop": "Stop when asked",
}
OWN_UP_ASK = (
    "Our Code of Conduct asks everyone who learns that their words or actions made someone "
    "uncomfortable to own up to it and apologize. Nobody is perfect: what matters is how we handle it."
)


# -- organizers ----------------------------------------------------------------------------------
def review_message(own_up: OwnUpFacts, people: People | None = None) -> Message:
    """In the case thread: the apology, for organizers to deliver, send back, or hold. With
    ``people`` (words on demand), the texts are read with "Open report" on the card."""
    lines = [f":handshake: *{(people or NAMED).name(own_up.subject_id)} owned up* ({own_up.reference})"]
    if people is not None:
        lines.append("Read what they wrote with *Open report* on the card before deciding.")
    else:
        lines.append(f"*What they acknowledge*\n{quote(own_up.acknowledgement or '')}")
        lines.append(f"*Their apology*\n{quote(own_up.apology or '')}")
        if own_up.change:
            lines.append(f"*What they will do differently*\n{quote(own_up.change)}")
    who = "the people it names" if own_up.self_report else "the reporter"
    lines.append(f"_Deliver asks {who} first whether they want to read it._")
    value = f"{own_up.id}"
    return Message(
        text=f"{own_up.reference}: an apology to review",
        blocks=[
            *[section(line) for line in lines],
            ActionsBlock(
                elements=[
                    ButtonElement(text="Deliver", action_id=OwnUpAction.DELIVER, value=value, style="primary"),
                    ButtonElement(text="Ask for changes", action_id=OwnUpAction.ASK_CHANGES, value=value),
                    ButtonElement(
                        text="Don't deliver", action_id=OwnUpAction.DONT_DELIVER, value=value, style="danger"
                    ),
                ]
            ),
        ],
    )


def card_lines(case: CaseFacts, people: People = NAMED) -> str | None:
    if not case.own_ups:
        return None
    lines = []
    for _, subject, state, deadline in case.own_ups:
        line = f"{people.name(subject)}: {STATE_WORDS[state]}"
        if state is OwnUpState.REQUESTED and deadline is not None:
            line += f" (by {deadline:%Y-%m-%d})"
        lines.append(line)
    return "*Own-up*\n" + "\n".join(lines)


# -- the person asked to own up ------------------------------------------------------------------
def request_dm(own_up: OwnUpFacts) -> Message:
    lines = [
        "*A message from the event organizers*",
        f"They'd like to talk with you about this:\n{quote(own_up.description)}",
    ]
    if own_up.coc_part:
        lines.append(f"_Code of Conduct: {COC_PARTS.get(own_up.coc_part) or inline(own_up.coc_part)}_")
    lines.append(OWN_UP_ASK)
    if own_up.deadline_at:
        lines.append(f"Please reply by {own_up.deadline_at:%A %d %B, %H:%M} UTC.")
    value = str(own_up.id)
    return Message(
        text="A message from the event organizers",
        blocks=[
            *[section(line) for line in lines],
            ActionsBlock(
                elements=[
                    ButtonElement(
                        text="Own up and apologize", action_id=OwnUpAction.APOLOGIZE, value=value, style="primary"
                    ),
                    ButtonElement(text="Talk to an organizer", action_id=OwnUpAction.TALK, value=value),
                    ButtonElement(text="I see it differently", action_id=OwnUpAction.DIFFERENTLY, value=value),
                ]
            ),
        ],
    )


def changes_dm(own_up: OwnUpFacts) -> Message:
    text = (
        f"*The organizers read your apology and ask for a change before passing it on:*\n"
        f"{quote(own_up.review_note or '')}"
    )
    return Message(
        text="The organizers ask for a change to your apology",
        blocks=[
            section(text),
            ActionsBlock(
                elements=[
                    ButtonElement(
                        text="Revise my apology", action_id=OwnUpAction.APOLOGIZE, value=str(own_up.id), style="primary"
                    )
                ]
            ),
        ],
    )


def nudge_dm(own_up: OwnUpFacts) -> Message:
    when = f" by {own_up.deadline_at:%A %d %B, %H:%M} UTC" if own_up.deadline_at else ""
    return Message(
        text=f"A reminder: the organizers are waiting for your reply{when}. "
        "You'll find the buttons in their earlier message above."
    )


def delivered_notice() -> Message:
    return Message(text="Your apology was delivered. Thank you for owning up.")


def accepted_notice() -> Message:
    return Message(text="Your apology was delivered, and it was accepted. Thank you for owning up.")


def withdrawn_notice() -> Message:
    return Message(text="The organizers have withdrawn their earlier request. There's nothing more you need to do.")


# -- the person an apology may reach -------------------------------------------------------------
def offer_dm(own_up: OwnUpFacts) -> Message:
    who = "Someone you were affected by" if own_up.self_report else "The other person"
    text = (
        f"{who} has offered an apology. Would you like to read it?\n"
        "_Only you decide. If you say no, nothing is passed on and nobody is told why._"
    )
    value = str(own_up.id)
    return Message(
        text=f"{who} has offered an apology. Would you like to read it?",
        blocks=[
            section(f"*About your report {own_up.reference}*\n{text}" if not own_up.self_report else text),
            ActionsBlock(
                elements=[
                    ButtonElement(text="Yes, show me", action_id=OwnUpAction.READ_YES, value=value, style="primary"),
                    ButtonElement(text="No, thank you", action_id=OwnUpAction.READ_NO, value=value),
                ]
            ),
        ],
    )


def apology_dm(own_up: OwnUpFacts, answered: str | None = None) -> Message:
    lines = [f"*The apology*\n{quote(own_up.apology or '')}"]
    if own_up.change:
        lines.append(f"*What they will do differently*\n{quote(own_up.change)}")
    value = str(own_up.id)
    if answered is not None:  # keep the apology readable; only the buttons go
        return Message(
            text="The apology you chose to read",
            blocks=[*[section(line) for line in lines], ContextBlock(elements=[MarkdownTextObject(text=answered)])],
        )
    return Message(
        text="The apology you chose to read",
        blocks=[
            *[section(line) for line in lines],
            ContextBlock(
                elements=[
                    MarkdownTextObject(
                        text="If you answer, the organizers see it. The other person learns only that it was "
                        "delivered, and that you accepted it if you choose that."
                    )
                ]
            ),
            ActionsBlock(
                elements=[
                    ButtonElement(text="Thank you, I accept", action_id=OwnUpAction.ANSWER, value=f"{value}:accept"),
                    ButtonElement(text="Received", action_id=OwnUpAction.ANSWER, value=f"{value}:received"),
                    ButtonElement(
                        text="I'd rather not respond", action_id=OwnUpAction.ANSWER, value=f"{value}:no_response"
                    ),
                ]
            ),
        ],
    )


# -- /ownup --------------------------------------------------------------------------------------
def self_report_receipt(reference: str) -> Message:
    return Message(
        text=f"Thank you for owning up. The organizers have your self-report {reference}. "
        "If you offered an apology, it reaches the people affected only after the organizers "
        "review it and they agree to read it. You can reply here to add anything."
    )


def withdraw_buttons(case: CaseFacts) -> ActionsBlock | None:
    buttons = [
        ButtonElement(text=f"Withdraw own-up request {index}", action_id=OwnUpAction.WITHDRAW, value=str(own_up_id))
        for index, (own_up_id, _, state, _) in enumerate(case.own_ups, start=1)
        if state in OPEN
    ]
    return ActionsBlock(elements=buttons[:5]) if buttons else None


def answered(text: str) -> Message:
    """Replaces a DM's buttons once they are answered."""
    return Message(text=text, blocks=[ContextBlock(elements=[MarkdownTextObject(text=text)])])
