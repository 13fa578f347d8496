"""The own-up flow's modals: the organizers' request and review notes, the three replies of
the person asked, and /ownup. ``private_metadata`` carries ids only; on submit everything
is reloaded and re-authorized."""

import json

from slack_sdk.models.blocks import (
    InputBlock,
    Option,
    PlainTextInputElement,
    StaticSelectElement,
    UserMultiSelectElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from db.queries import CaseFacts, OwnUpFacts
from slack_app.core.ids import OwnUpField, OwnUpModal
from slack_app.views.message import quote, section
from slack_app.views.own_up import COC_PARTS
from workflows.own_up import TEXT_MAX

DEADLINES = {"1d": "1 day", "3d": "3 days", "7d": "1 week"}


def _input(
    field: OwnUpField, label: str, *, optional: bool = False, placeholder: str | None = None, initial: str | None = None
) -> InputBlock:
    return InputBlock(
        block_id=field,
        label=label,
        optional=optional,
        element=PlainTextInputElement(
            action_id=field.action,
            multiline=True,
            max_length=TEXT_MAX,
            placeholder=placeholder,
            initial_value=initial,
        ),
    )


def _modal(callback: OwnUpModal, title: str, submit: str, blocks: list, **ids: int) -> View:
    return View(
        type="modal",
        callback_id=callback,
        title=title,
        submit=submit,
        close="Cancel",
        private_metadata=json.dumps(ids),
        blocks=blocks,
    )


# -- organizers ----------------------------------------------------------------------------------
def request_modal(case: CaseFacts) -> View:
    subject = case.involved[0] if len(case.involved) == 1 else None
    blocks = [
        section(
            f"*{case.reference}* · The person gets a private message from Speak Out with your description "
            "and the Code of Conduct's ask to own up. They never see the report or who made it."
        ),
        InputBlock(
            block_id=OwnUpField.SUBJECT,
            label="Who is asked to own up?",
            element=UserSelectElement(action_id=OwnUpField.SUBJECT.action, initial_user=subject),
        ),
        _input(
            OwnUpField.DESCRIPTION,
            "What happened, in neutral words",
            placeholder="Describe the behaviour, not the person; nothing that points at who reported it.",
        ),
        InputBlock(
            block_id=OwnUpField.COC_PART,
            label="Which part of the Code of Conduct?",
            element=StaticSelectElement(
                action_id=OwnUpField.COC_PART.action, options=[Option(value=k, text=v) for k, v in COC_PARTS.items()]
            ),
        ),
        InputBlock(
            block_id=OwnUpField.DEADLINE,
            label="Reply within",
            element=StaticSelectElement(
                action_id=OwnUpField.DEADLINE.action,
                options=[Option(value=k, text=v) for k, v in DEADLINES.items()],
                initial_option=Option(value="3d", text=DEADLINES["3d"]),
            ),
        ),
    ]
    return _modal(OwnUpModal.REQUEST, "Request own-up", "Send", blocks, case_id=case.id)


def note_modal(own_up: OwnUpFacts, *, callback: OwnUpModal, title: str, field: OwnUpField, label: str) -> View:
    return _modal(
        callback,
        title,
        "Send" if field is OwnUpField.NOTE else "Record",
        [section(f"*{own_up.reference}*"), _input(field, label)],
        case_id=own_up.case_id,
        own_up_id=own_up.id,
    )


# -- the person asked to own up ------------------------------------------------------------------
def apology_modal(own_up: OwnUpFacts) -> View:
    note = [section(f"*The organizers asked for changes:*\n{quote(own_up.review_note)}")] if own_up.review_note else []
    blocks = [
        *note,
        _input(OwnUpField.ACKNOWLEDGEMENT, "What do you acknowledge?", initial=own_up.acknowledgement),
        _input(
            OwnUpField.APOLOGY,
            "Your apology, to be passed on",
            initial=own_up.apology,
            placeholder="The organizers read it first; it is passed on only if the other person agrees.",
        ),
        _input(OwnUpField.CHANGE, "What will you do differently?", optional=True, initial=own_up.change),
    ]
    return _modal(OwnUpModal.APOLOGY, "Own up", "Send", blocks, own_up_id=own_up.id)


def talk_modal(own_up: OwnUpFacts) -> View:
    return _modal(
        OwnUpModal.TALK,
        "Talk to an organizer",
        "Send",
        [_input(OwnUpField.MESSAGE, "Your message to the organizers")],
        own_up_id=own_up.id,
    )


def account_modal(own_up: OwnUpFacts) -> View:
    return _modal(
        OwnUpModal.DIFFERENTLY,
        "Your account",
        "Send",
        [_input(OwnUpField.ACCOUNT, "How do you see it?")],
        own_up_id=own_up.id,
    )


# -- /ownup --------------------------------------------------------------------------------------
def self_report_modal() -> View:
    blocks = [
        section(
            "Owning up takes courage. Tell the organizers what happened; if you'd like to apologize, "
            "they read it first and pass it on only if the other person wants to read it."
        ),
        _input(OwnUpField.WHAT, "What did you do?"),
        InputBlock(
            block_id=OwnUpField.AFFECTED,
            label="Who was affected?",
            optional=True,
            element=UserMultiSelectElement(action_id=OwnUpField.AFFECTED.action, max_selected_items=20),
        ),
        _input(OwnUpField.APOLOGY, "Your apology (optional)", optional=True),
    ]
    return View(
        type="modal", callback_id=OwnUpModal.SELF_REPORT, title="Own up", submit="Send", close="Cancel", blocks=blocks
    )
