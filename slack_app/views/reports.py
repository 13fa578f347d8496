"""The report modal and what the reporter sees after sending it. Pure functions of plain data."""

import functools
import json
from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import (
    CheckboxesElement,
    ContextBlock,
    ConversationSelectElement,
    DatePickerElement,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    RadioButtonsElement,
    SectionBlock,
    StaticSelectElement,
    TimePickerElement,
    UserMultiSelectElement,
)
from slack_sdk.models.views import View

from slack_app.core.ids import Action, Block, Callback, Choice
from slack_app.core.mrkdwn import inline
from slack_app.views.labels import CATEGORY_LABELS
from workflows.reports import DESCRIPTION_MAX, SHORT_TEXT_MAX


@dataclass(frozen=True)
class ModalContext:
    """What the modal was opened with; round-trips through ``private_metadata`` as ids and the
    shortcut's evidence, never anything that grants access."""

    description: str = ""
    involved: tuple[str, ...] = ()
    location_channel_id: str | None = None
    evidence_channel_id: str | None = None
    evidence_ts: str | None = None
    evidence_author_id: str | None = None
    evidence_excerpt: str | None = None

    def to_metadata(self) -> str:
        if self.evidence_ts is None:
            return ""
        return json.dumps(
            {
                "evidence": {
                    "channel": self.evidence_channel_id,
                    "ts": self.evidence_ts,
                    "author": self.evidence_author_id,
                    "excerpt": self.evidence_excerpt,
                }
            }
        )


def _option(value: str, text: str, description: str | None = None) -> Option:
    return Option(value=value, text=text, description=description)


ANONYMITY_OPTIONS = [
    _option(Choice.NAMED, "Organizers may see my name"),
    _option(Choice.ANONYMOUS, "Keep me anonymous to organizers", "They will not see who sent this"),
]
FOLLOW_UP_OPTIONS = [
    _option(Choice.FOLLOW_UP_YES, "Organizers may message me through Speak Out"),
    _option(Choice.FOLLOW_UP_NO, "Please don't follow up with me"),
]
APOLOGY_OPTIONS = [
    _option(Choice.APOLOGY_ASK, "Ask me first, then I'll decide whether to read it"),
    _option(Choice.APOLOGY_NO, "I don't want to receive an apology"),
]
URGENT_OPTION = _option(Choice.URGENT, "I feel unsafe right now / I need help now")

DM_WARNING_TEXT = (
    ":warning: This happened in a direct message or one-to-one conversation, so the other person "
    "may guess who reported it, even though organizers won't see your name. "
    "Organizers will keep that in mind before contacting them."
)


def report_modal(context: ModalContext, *, show_dm_warning: bool = False) -> View:
    """The private modal of ``/report`` and the "Report this message" shortcut."""
    blocks = [
        SectionBlock(
            text=MarkdownTextObject(
                text="Only the event's organizers read reports. Tell us as much or as little as "
                "you're comfortable with: you can add more later by replying to our message."
            )
        ),
    ]
    if context.evidence_ts is not None:
        blocks.append(_evidence_block(context))
    blocks += _what_happened(context) + _where_and_when(context) + _urgency_and_anonymity()
    if show_dm_warning:
        blocks.append(ContextBlock(block_id=Block.DM_WARNING, elements=[MarkdownTextObject(text=DM_WARNING_TEXT)]))
    blocks += _contact_preferences()
    return View(
        type="modal",
        callback_id=Callback.REPORT_MODAL,
        title="Report a concern",
        submit="Send report",
        close="Cancel",
        private_metadata=context.to_metadata(),
        blocks=blocks,
    )


def _what_happened(context: ModalContext) -> list[InputBlock]:
    return [
        InputBlock(
            block_id=Block.DESCRIPTION,
            label="What happened?",
            element=PlainTextInputElement(
                action_id=Action.DESCRIPTION,
                multiline=True,
                max_length=DESCRIPTION_MAX,
                initial_value=context.description[:DESCRIPTION_MAX] or None,
                placeholder="In your own words",
            ),
        ),
        InputBlock(
            block_id=Block.CATEGORY,
            label="What kind of behaviour was it?",
            element=StaticSelectElement(
                action_id=Action.CATEGORY,
                placeholder="Choose the closest",
                options=[_option(category, label) for category, label in CATEGORY_LABELS.items()],
            ),
        ),
        InputBlock(
            block_id=Block.INVOLVED,
            label="Who was involved?",
            optional=True,
            element=UserMultiSelectElement(
                action_id=Action.INVOLVED,
                placeholder="People in this Slack",
                initial_users=list(context.involved) or None,
            ),
        ),
        InputBlock(
            block_id=Block.OTHERS_INVOLVED,
            label="Anyone else (not in Slack)?",
            optional=True,
            element=PlainTextInputElement(
                action_id=Action.OTHERS_INVOLVED,
                max_length=SHORT_TEXT_MAX,
                placeholder="A name or a description",
            ),
        ),
    ]


def _where_and_when(context: ModalContext) -> list[InputBlock]:
    return [
        InputBlock(
            block_id=Block.LOCATION_CHANNEL,
            label="Which Slack conversation, if any?",
            optional=True,
            dispatch_action=True,
            element=ConversationSelectElement(
                action_id=Action.LOCATION_CHANNEL,
                placeholder="A channel or direct message",
                initial_conversation=context.location_channel_id,
            ),
        ),
        InputBlock(
            block_id=Block.LOCATION_TEXT,
            label="Where else? (a room, a talk, a session)",
            optional=True,
            element=PlainTextInputElement(action_id=Action.LOCATION_TEXT, max_length=SHORT_TEXT_MAX),
        ),
        InputBlock(
            block_id=Block.OCCURRED_ON,
            label="On what day?",
            optional=True,
            element=DatePickerElement(action_id=Action.OCCURRED_ON),
        ),
        InputBlock(
            block_id=Block.OCCURRED_AT,
            label="At about what time?",
            optional=True,
            element=TimePickerElement(action_id=Action.OCCURRED_AT),
        ),
    ]


def _urgency_and_anonymity() -> list[InputBlock]:
    # Anonymity dispatches its changes: the DM warning that follows it depends on the choice.
    return [
        InputBlock(
            block_id=Block.URGENT,
            label="Do you need help now?",
            optional=True,
            element=CheckboxesElement(action_id=Action.URGENT, options=[URGENT_OPTION]),
        ),
        InputBlock(
            block_id=Block.ANONYMITY,
            label="May organizers see your name?",
            dispatch_action=True,
            element=RadioButtonsElement(action_id=Action.ANONYMITY, options=ANONYMITY_OPTIONS),
        ),
    ]


def _contact_preferences() -> list[InputBlock]:
    return [
        InputBlock(
            block_id=Block.FOLLOW_UP,
            label="May organizers follow up with you?",
            element=RadioButtonsElement(
                action_id=Action.FOLLOW_UP, options=FOLLOW_UP_OPTIONS, initial_option=FOLLOW_UP_OPTIONS[0]
            ),
        ),
        InputBlock(
            block_id=Block.APOLOGY,
            label="If the other person wants to apologize",
            element=RadioButtonsElement(
                action_id=Action.APOLOGY, options=APOLOGY_OPTIONS, initial_option=APOLOGY_OPTIONS[0]
            ),
        ),
    ]


@functools.cache
def blank_report_modal() -> dict[str, Any]:
    """The modal of a plain ``/report``, the same for everyone: built once, because building it
    costs 1-2 ms of CPU that a burst of reports would otherwise pay per person. Not to be
    changed by callers."""
    return report_modal(ModalContext()).to_dict()


def _evidence_block(context: ModalContext) -> SectionBlock:
    author = f"<@{context.evidence_author_id}>" if context.evidence_author_id else "someone"
    raw = context.evidence_excerpt or ""
    excerpt = inline(raw[:279] + "…" if len(raw) > 280 else raw)
    return SectionBlock(
        text=MarkdownTextObject(text=f"*Message you are reporting* (from {author}):\n>{excerpt or '(no text)'}")
    )


def report_sent(reference: str | None, *, urgent: bool, urgent_help_text: str) -> View:
    """Replaces the modal once the report is stored. A report is answered before it has its
    case number (``reference`` None): the direct message that follows carries it."""
    if reference is None:
        text = (
            "*Thank you for speaking up.* Your report is with the organizers.\n\n"
            "We're sending you a direct message with its reference: reply there any time to add something."
        )
    else:
        text = (
            f"*Thank you for speaking up.* Your report *{reference}* is with the organizers.\n\n"
            "We've sent you a direct message: reply there any time to add something."
        )
    blocks = [SectionBlock(text=MarkdownTextObject(text=text))]
    if urgent:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=f":sos: *Need help right now?* {urgent_help_text}")))
    return View(type="modal", callback_id=Callback.REPORT_SENT, title="Report sent", close="Done", blocks=blocks)
