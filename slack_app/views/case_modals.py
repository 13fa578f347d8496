"""Modals organizers fill from a case card. ``private_metadata`` carries the case id only:
on submit everything is reloaded and the organizer authorized again."""

import json

from slack_sdk.models.blocks import (
    ContextBlock,
    ConversationMultiSelectElement,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    RadioButtonsElement,
    SectionBlock,
    StaticSelectElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from db.enums import ActionKind, Outcome
from db.queries import ActionFacts, CaseFacts
from slack_app.core.ids import CaseField, CaseModal
from slack_app.views.labels import ACTION_LABELS, OUTCOME_LABELS, mention
from workflows.timeline import TEXT_MAX


def case_metadata(case_id: int, **ids: int) -> str:
    return json.dumps({"case_id": case_id, **ids})


def _text_input(field: CaseField, label: str, *, placeholder: str | None = None, optional: bool = False) -> InputBlock:
    return InputBlock(
        block_id=field,
        label=label,
        optional=optional,
        element=PlainTextInputElement(
            action_id=field.action, multiline=True, max_length=TEXT_MAX, placeholder=placeholder
        ),
    )


def _modal(
    callback: CaseModal,
    title: str,
    submit: str,
    case: CaseFacts,
    blocks: list,
    *,
    close: str = "Cancel",
    notify_on_close: bool = False,
    **ids: int,
) -> View:
    return View(
        type="modal",
        callback_id=callback,
        title=title,
        submit=submit,
        close=close,
        notify_on_close=notify_on_close,
        private_metadata=case_metadata(case.id, **ids),
        blocks=blocks,
    )


def _about(case: CaseFacts) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=f"*{case.reference}*"))


def assign_modal(case: CaseFacts) -> View:
    picker = InputBlock(
        block_id=CaseField.ASSIGNEE,
        label="Who leads this case?",
        hint="An organizer of this case who is not named in it.",
        element=UserSelectElement(action_id=CaseField.ASSIGNEE.action, initial_user=case.assignee_id),
    )
    return _modal(CaseModal.ASSIGN, "Assign a lead", "Assign", case, [_about(case), picker])


def note_modal(case: CaseFacts) -> View:
    note = _text_input(CaseField.NOTE, "Note", placeholder="Kept on the case and shown in its thread")
    return _modal(CaseModal.NOTE, "Add a note", "Add note", case, [_about(case), note])


def message_reporter_modal(case: CaseFacts) -> View:
    who = "The reporter is anonymous: they stay anonymous, and so do you." if case.anonymous else ""
    intro = SectionBlock(
        text=MarkdownTextObject(
            text=f"*{case.reference}* · Speak Out sends this to the reporter in its own name, never yours. "
            f"Their replies come back to the case thread. {who}".strip()
        )
    )
    message = _text_input(CaseField.MESSAGE, "Message")
    return _modal(CaseModal.MESSAGE_REPORTER, "Message the reporter", "Send", case, [intro, message])


def record_action_modal(case: CaseFacts) -> View:
    kinds = [Option(value=kind.value, text=ACTION_LABELS[kind]) for kind in ActionKind]
    subject = case.involved[0] if len(case.involved) == 1 else None
    blocks = [
        _about(case),
        InputBlock(
            block_id=CaseField.KIND,
            label="What was done?",
            element=StaticSelectElement(action_id=CaseField.KIND.action, options=kinds),
        ),
        InputBlock(
            block_id=CaseField.SUBJECT,
            label="Who does it apply to?",
            optional=True,
            element=UserSelectElement(action_id=CaseField.SUBJECT.action, initial_user=subject),
        ),
        _text_input(CaseField.REASON, "Why was this decided?"),
        InputBlock(
            block_id=CaseField.DECIDED_BY,
            label="Who decided?",
            optional=True,
            hint="Leave empty if it was you.",
            element=UserSelectElement(action_id=CaseField.DECIDED_BY.action),
        ),
        _text_input(
            CaseField.MESSAGE,
            'Message to send them (for "asked to stop")',
            placeholder="Sent in Speak Out's name with a reminder of the Code of Conduct. "
            "Don't name or hint at who reported.",
            optional=True,
        ),
        InputBlock(
            block_id=CaseField.CHANNELS,
            label="Channels to remove them from",
            optional=True,
            hint='For "removed from channels" or "expelled": you\'ll be asked to confirm first.',
            element=ConversationMultiSelectElement(action_id=CaseField.CHANNELS.action, max_selected_items=20),
        ),
    ]
    return _modal(CaseModal.RECORD_ACTION, "Record an action", "Record", case, blocks)


def confirm_action_modal(case: CaseFacts, action: ActionFacts) -> View:
    channels = ", ".join(f"<#{channel}>" for channel in action.channel_ids)
    text = (
        f"*{case.reference}* · Remove {mention(action.subject_id or '')} from {channels} now?\n"
        "Speak Out will do it and record the result on the case, including anything that fails."
    )
    return _modal(
        CaseModal.CONFIRM_ACTION,
        "Confirm removal",
        "Remove",
        case,
        [SectionBlock(text=MarkdownTextObject(text=text))],
        close="Don't remove",
        notify_on_close=True,  # closing this modal calls the removal off
        action_id=action.id,
    )


def close_modal(case: CaseFacts) -> View:
    outcomes = [Option(value=outcome.value, text=OUTCOME_LABELS[outcome]) for outcome in Outcome]
    blocks = [
        _about(case),
        InputBlock(
            block_id=CaseField.OUTCOME,
            label="Outcome",
            element=RadioButtonsElement(action_id=CaseField.OUTCOME.action, options=outcomes),
        ),
        _text_input(CaseField.SUMMARY, "Closing summary for the record"),
    ]
    if case.follow_up_allowed:
        blocks.append(
            ContextBlock(
                elements=[MarkdownTextObject(text="The reporter gets a short message that the case is closed.")]
            )
        )
    return _modal(CaseModal.CLOSE, "Close the case", "Close case", case, blocks)


def reopen_modal(case: CaseFacts) -> View:
    reason = _text_input(CaseField.REASON, "Why is it reopened?")
    return _modal(CaseModal.REOPEN, "Reopen the case", "Reopen", case, [_about(case), reason])
