"""Stepping back in: the modal in which an organizer who stepped back asks another to confirm
their return, and the direct message that asks that organizer."""

import json

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ContextBlock,
    InputBlock,
    MarkdownTextObject,
    SectionBlock,
    UserSelectElement,
)
from slack_sdk.models.views import View

from db.queries import CaseFacts, StepBackFacts
from slack_app.core.ids import CaseAction, CaseField, CaseModal
from slack_app.views.labels import mention
from slack_app.views.message import Message

STEPPED_BACK = (
    "You stepped back from {reference}. Until another organizer confirms your return you can't open "
    "its report, act on it or lead it, and its reminders don't ping you. Nobody was told who stepped back."
)


def step_in_modal(case: CaseFacts) -> View:
    picker = InputBlock(
        block_id=CaseField.CONFIRMER,
        label="Who confirms your return?",
        hint="Another organizer of this case. Only they are told, by direct message, and they confirm.",
        element=UserSelectElement(action_id=CaseField.CONFIRMER.action),
    )
    return View(
        type="modal",
        callback_id=CaseModal.STEP_BACK_IN,
        title="Step back in",
        submit="Ask",
        close="Cancel",
        private_metadata=json.dumps({"case_id": case.id}),
        blocks=[SectionBlock(text=MarkdownTextObject(text=f"*{case.reference}*")), picker],
    )


def step_in_request(step_back: StepBackFacts, answered: str | None = None) -> Message:
    text = (
        f"{mention(step_back.user_id)} stepped back from *{step_back.reference}* and asks to step back in. "
        "You were asked to confirm: once you do, they can open the report and act on the case again."
    )
    value = f"{step_back.case_id}:{step_back.id}"
    last = (
        ContextBlock(elements=[MarkdownTextObject(text=answered)])
        if answered is not None
        else ActionsBlock(
            elements=[
                ButtonElement(text="Confirm", action_id=CaseAction.CONFIRM_STEP_IN, value=value, style="primary"),
                ButtonElement(text="Decline", action_id=CaseAction.DECLINE_STEP_IN, value=value),
            ]
        )
    )
    return Message(
        text=f"A request to step back in on {step_back.reference}",
        blocks=[SectionBlock(text=MarkdownTextObject(text=text)), last],
    )
