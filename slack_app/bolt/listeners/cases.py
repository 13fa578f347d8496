"""Organizers handling a case from its card: buttons, the status menu, and their modals.

Every click is acknowledged first. Who may act is decided by ``CaseDesk`` from the signed
request's user id (see ``slack_app.bolt.case_desk``).
"""

from collections.abc import Callable
from functools import partial
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.views import View

from db import queries
from db.enums import ActionKind, ActionResult, CaseStatus, Outcome
from slack_app.bolt.bind import bind
from slack_app.bolt.case_desk import (
    CaseDesk,
    Change,
    answer_modal,
    case_id_from,
    open_after_lookup,
    refusal_of,
    refuse,
)
from slack_app.bolt.forms import ViewState, view_metadata
from slack_app.core.ids import CaseAction, CaseField, CaseModal
from slack_app.core.services import Services
from slack_app.views import case_modals
from slack_app.views.waiting import NOT_DONE
from workflows import actions, cases
from workflows.errors import WorkflowError

NOT_CONTACTABLE = "The reporter asked not to be contacted, so they can't be messaged."

# How a modal's submitted state becomes a change: one per modal.
Form = Callable[[ViewState], Change]


def register(app: App, services: Services) -> None:
    desk = CaseDesk(services)
    app.action(CaseAction.ACKNOWLEDGE)(bind(acknowledge, desk=desk))
    app.action(CaseAction.STATUS)(bind(change_status, desk=desk))
    app.action(CaseAction.ASSIGN)(bind(open_case_modal, desk=desk, builder=case_modals.assign_modal))
    app.action(CaseAction.NOTE)(bind(open_case_modal, desk=desk, builder=case_modals.note_modal))
    app.action(CaseAction.MESSAGE_REPORTER)(
        bind(open_case_modal, desk=desk, builder=case_modals.message_reporter_modal, needs_follow_up=True)
    )
    app.action(CaseAction.RECORD_ACTION)(bind(open_case_modal, desk=desk, builder=case_modals.record_action_modal))
    app.action(CaseAction.CLOSE)(bind(open_case_modal, desk=desk, builder=case_modals.close_modal))
    app.action(CaseAction.REOPEN)(bind(open_case_modal, desk=desk, builder=case_modals.reopen_modal))

    app.view(CaseModal.ASSIGN)(bind(submit_case_modal, desk=desk, form=assign_form))
    app.view(CaseModal.NOTE)(bind(submit_case_modal, desk=desk, form=note_form))
    app.view(CaseModal.MESSAGE_REPORTER)(bind(submit_case_modal, desk=desk, form=message_form))
    app.view(CaseModal.RECORD_ACTION)(bind(submit_case_modal, desk=desk, form=action_form, confirm=True))
    app.view(CaseModal.CLOSE)(bind(submit_case_modal, desk=desk, form=close_form))
    app.view(CaseModal.REOPEN)(bind(submit_case_modal, desk=desk, form=reopen_form))
    app.view(CaseModal.CONFIRM_ACTION)(bind(confirm_action, desk=desk))
    app.view_closed(CaseModal.CONFIRM_ACTION)(bind(cancel_action, desk=desk))


# -- buttons and the status menu -----------------------------------------------------------------
def acknowledge(ack: Ack, body: dict, action: dict, client: WebClient, *, desk: CaseDesk) -> None:
    ack()
    _run_click(desk, body, action, client, cases.acknowledge_case)


def change_status(ack: Ack, body: dict, action: dict, client: WebClient, *, desk: CaseDesk) -> None:
    ack()
    wanted = _selected(action).split(":", 1)[-1]
    if wanted not in CaseStatus.__members__.values():
        change = refusal_of("Choose a status from the list.")
    else:
        change = partial(cases.change_status, status=CaseStatus(wanted))
    _run_click(desk, body, action, client, change)


def _run_click(desk: CaseDesk, body: dict, action: dict, client: WebClient, change: Change) -> None:
    """Run a click's change; a refusal goes to the clicker alone."""
    desk.click(client, body, case_id_from(action.get("value") or _selected(action)), change)


def open_case_modal(
    ack: Ack,
    body: dict,
    action: dict,
    client: WebClient,
    *,
    desk: CaseDesk,
    builder: Callable[[queries.CaseFacts], View],
    needs_follow_up: bool = False,
) -> None:
    ack()

    def build() -> View:
        case = desk.facts(client, case_id_from(action.get("value")), body["user"]["id"])
        if needs_follow_up and not case.follow_up_allowed:
            raise WorkflowError(NOT_CONTACTABLE)
        return builder(case)

    open_after_lookup(client, body, build)


# -- the modals' submissions ---------------------------------------------------------------------
def submit_case_modal(
    ack: Ack, body: dict, view: dict, client: WebClient, *, desk: CaseDesk, form: Form, confirm: bool = False
) -> None:
    """Run the modal's change; with ``confirm``, an action that awaits confirmation pushes
    the confirmation modal instead of closing this one."""
    case_id = case_id_from(view_metadata(view).get("case_id"))
    answer_modal(
        ack,
        view,
        lambda: desk.change(client, case_id, body["user"]["id"], form(ViewState(view)), once=view.get("id")),
        respond=partial(_confirm_if_needed, desk) if confirm else None,
    )


def _confirm_if_needed(desk: CaseDesk, ack: Ack, action: Any) -> None:
    if action.result is not ActionResult.AWAITING_CONFIRMATION:
        ack()
        return
    with desk.services.sessions.begin() as session:
        facts = queries.case_facts(session, action.case_id)
        action_facts = queries.action_facts(session, action.id)
    ack(response_action="push", view=case_modals.confirm_action_modal(facts, action_facts))


def _text(state: ViewState, field: CaseField) -> str:
    return state.text(field, field.action) or ""


def assign_form(state: ViewState) -> Change:
    return partial(cases.assign_case, assignee_id=state.user(CaseField.ASSIGNEE, CaseField.ASSIGNEE.action))


def note_form(state: ViewState) -> Change:
    return partial(cases.add_note, text=_text(state, CaseField.NOTE))


def message_form(state: ViewState) -> Change:
    return partial(cases.message_reporter, text=_text(state, CaseField.MESSAGE))


def reopen_form(state: ViewState) -> Change:
    return partial(cases.reopen_case, reason=_text(state, CaseField.REASON))


def action_form(state: ViewState) -> Change:
    kind = state.selected(CaseField.KIND, CaseField.KIND.action)
    form = actions.ActionForm(
        kind=ActionKind(kind) if kind in ActionKind.__members__.values() else None,
        subject_id=state.user(CaseField.SUBJECT, CaseField.SUBJECT.action),
        reason=_text(state, CaseField.REASON),
        decided_by=state.user(CaseField.DECIDED_BY, CaseField.DECIDED_BY.action),
        message=_text(state, CaseField.MESSAGE) or None,
        channel_ids=state.conversations(CaseField.CHANNELS, CaseField.CHANNELS.action),
    )
    return partial(actions.record_action, form=form)


def close_form(state: ViewState) -> Change:
    outcome = state.selected(CaseField.OUTCOME, CaseField.OUTCOME.action)
    return partial(
        cases.close_case,
        outcome=Outcome(outcome) if outcome in Outcome.__members__.values() else None,
        summary=_text(state, CaseField.SUMMARY),
    )


# -- confirming a recorded action ----------------------------------------------------------------
def confirm_action(ack: Ack, body: dict, view: dict, client: WebClient, *, desk: CaseDesk) -> None:
    try:
        _run_confirmation(desk, body, view, client, confirmed=True)
    except WorkflowError as refusal:
        ack(response_action="clear")  # nothing to correct in this modal: say why in Slack
        refuse(client, body, str(refusal))
        return
    except SlackApiError:
        ack(response_action="clear")
        refuse(client, body, NOT_DONE)
        return
    ack(response_action="clear")


def cancel_action(ack: Ack, body: dict, view: dict, client: WebClient, *, desk: CaseDesk) -> None:
    ack()
    try:
        _run_confirmation(desk, body, view, client, confirmed=False)
    except WorkflowError as refusal:
        refuse(client, body, str(refusal))
    except SlackApiError:
        refuse(client, body, NOT_DONE)


def _run_confirmation(desk: CaseDesk, body: dict, view: dict, client: WebClient, *, confirmed: bool) -> None:
    metadata = view_metadata(view)
    action_id = case_id_from(metadata.get("action_id"))
    change = partial(actions.confirm_action, action_id=action_id or 0, confirmed=confirmed)
    desk.change(client, case_id_from(metadata.get("case_id")), body["user"]["id"], change)


def _selected(action: dict) -> str:
    option = action.get("selected_option")
    value = option.get("value") if isinstance(option, dict) else None
    return value if isinstance(value, str) else ""
