"""Organizers handling a case from its card: buttons, the status menu, and their modals.

Every click is acknowledged first. Who may act is decided from the signed request's user id
and the current members of the case's channel, never from anything in the payload; the case
id in a button or in ``private_metadata`` is only a pointer, reloaded and re-authorized.
"""

from collections.abc import Callable
from functools import partial
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.views import View

from db import queries
from db.models import ActionKind, ActionResult, CaseStatus, Outcome
from slack_app.bolt.forms import ViewState, first_input_block, view_metadata
from slack_app.core.directory import channel_members
from slack_app.core.ids import CaseAction, CaseField, CaseModal
from slack_app.core.services import Services
from slack_app.views import case_modals
from workflows import cases
from workflows.errors import InvalidInput, WorkflowError
from workflows.outbox import OutboxNotifier
from workflows.reporter_messages import claim_event

# A workflow change, called as change(session, notifier, case_id=..., actor=..., now=...).
Change = Callable[..., Any]
NOT_CONTACTABLE = "The reporter asked not to be contacted, so they can't be messaged."


def case_id_from(value: Any) -> int | None:
    """A case id from a button value or metadata: a pointer, trusted for nothing else."""
    text = str(value or "").split(":", 1)[0]
    # ASCII digits only ("²".isdigit() is true, int("²") fails), and few enough for an INTEGER column.
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else None


class CaseDesk:
    """What every case listener does: find the clicker's standing, run one change, report."""

    def __init__(self, services: Services):
        self.services = services

    def actor(self, client: WebClient, case_id: int | None, user_id: str) -> cases.Actor:
        channel = None
        if case_id is not None:
            with self.services.sessions.begin() as session:
                channel = cases.case_channel(session, case_id)
        if channel is None:
            raise WorkflowError(cases.ONLY_ORGANIZERS)
        # Slack is asked outside any transaction, so a slow answer never holds a lock.
        return cases.Actor(user_id=user_id, channel_members=channel_members(client, channel))

    def change(
        self, client: WebClient, case_id: int | None, user_id: str, change: Change, *, once: str | None = None
    ) -> Any:
        """Run ``change`` for ``user_id``; with ``once`` (a modal's view id), a second delivery
        of the same submission (a double click) changes nothing."""
        actor = self.actor(client, case_id, user_id)
        with self.services.sessions.begin() as session:
            now = self.services.clock()
            if once is not None and not claim_event(session, f"view:{once}", now):
                return None
            result = change(session, OutboxNotifier(session, now), case_id=case_id, actor=actor, now=now)
        self.services.outbox.wake()
        return result

    def facts(self, client: WebClient, case_id: int | None, user_id: str) -> queries.CaseFacts:
        actor = self.actor(client, case_id, user_id)
        with self.services.sessions.begin() as session:
            cases.load_for(session, case_id, actor)
            return queries.case_facts(session, case_id)


def refuse(client: WebClient, body: dict, message: str) -> None:
    """Tell only the person who clicked, where they clicked."""
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
    user = body["user"]["id"]
    if channel:
        try:
            client.chat_postEphemeral(channel=channel, user=user, text=message)
            return
        except SlackApiError:
            pass  # not in that channel (a crafted request): tell them directly instead
    client.chat_postMessage(channel=user, text=message)


def register(app: App, services: Services) -> None:
    desk = CaseDesk(services)

    def click(change_for: Callable[[dict], Change]) -> Callable[..., None]:
        def listener(ack: Ack, body: dict, action: dict, client: WebClient) -> None:
            ack()
            case_id = case_id_from(action.get("value") or _selected(action))
            try:
                desk.change(client, case_id, body["user"]["id"], change_for(action))
            except WorkflowError as refusal:
                refuse(client, body, str(refusal))

        return listener

    def open_modal(builder: Callable[[queries.CaseFacts], View], *, needs_follow_up: bool = False):
        def listener(ack: Ack, body: dict, action: dict, client: WebClient) -> None:
            ack()
            try:
                case = desk.facts(client, case_id_from(action.get("value")), body["user"]["id"])
                if needs_follow_up and not case.follow_up_allowed:
                    raise WorkflowError(NOT_CONTACTABLE)
            except WorkflowError as refusal:
                refuse(client, body, str(refusal))
                return
            client.views_open(trigger_id=body["trigger_id"], view=builder(case))

        return listener

    def submit(change_for: Callable[[ViewState], Change], respond: Callable[..., None] | None = None):
        def listener(ack: Ack, body: dict, view: dict, client: WebClient) -> None:
            metadata = view_metadata(view)
            try:
                result = desk.change(
                    client,
                    case_id_from(metadata.get("case_id")),
                    body["user"]["id"],
                    change_for(ViewState(view)),
                    once=view.get("id"),
                )
            except InvalidInput as invalid:
                ack(response_action="errors", errors={invalid.field: str(invalid)})
                return
            except WorkflowError as refusal:
                ack(response_action="errors", errors={first_input_block(view): str(refusal)})
                return
            if respond is None or result is None:
                ack()
            else:
                respond(ack, result)

        return listener

    def text(state: ViewState, field: CaseField) -> str:
        return state.text(field, field.action) or ""

    def status_change(action: dict) -> Change:
        wanted = _selected(action).split(":", 1)[-1]
        if wanted not in CaseStatus.__members__.values():
            return refusal_of("Choose a status from the list.")
        return partial(cases.change_status, status=CaseStatus(wanted))

    def action_form(state: ViewState) -> Change:
        kind = state.selected(CaseField.KIND, CaseField.KIND.action)
        form = cases.ActionForm(
            kind=ActionKind(kind) if kind in ActionKind.__members__.values() else None,
            subject_id=state.user(CaseField.SUBJECT, CaseField.SUBJECT.action),
            reason=text(state, CaseField.REASON),
            decided_by=state.user(CaseField.DECIDED_BY, CaseField.DECIDED_BY.action),
            message=text(state, CaseField.MESSAGE) or None,
            channel_ids=state.conversations(CaseField.CHANNELS, CaseField.CHANNELS.action),
        )
        return partial(cases.record_action, form=form)

    def confirm_if_needed(ack: Ack, action) -> None:
        if action.result is not ActionResult.AWAITING_CONFIRMATION:
            ack()
            return
        with services.sessions.begin() as session:
            facts = queries.case_facts(session, action.case_id)
            action_facts = queries.action_facts(session, action.id)
        ack(response_action="push", view=case_modals.confirm_action_modal(facts, action_facts))

    def close_form(state: ViewState) -> Change:
        outcome = state.selected(CaseField.OUTCOME, CaseField.OUTCOME.action)
        return partial(
            cases.close_case,
            outcome=Outcome(outcome) if outcome in Outcome.__members__.values() else None,
            summary=text(state, CaseField.SUMMARY),
        )

    def confirmation(confirmed: bool) -> Callable[[dict], Change]:
        def change_for(view: dict) -> Change:
            action_id = case_id_from(view_metadata(view).get("action_id"))
            return partial(cases.confirm_action, action_id=action_id or 0, confirmed=confirmed)

        return change_for

    def on_confirm(ack: Ack, body: dict, view: dict, client: WebClient) -> None:
        metadata = view_metadata(view)
        try:
            desk.change(client, case_id_from(metadata.get("case_id")), body["user"]["id"], confirmation(True)(view))
        except WorkflowError as refusal:
            ack(response_action="clear")  # nothing to correct in this modal: say why in Slack
            refuse(client, body, str(refusal))
            return
        ack(response_action="clear")

    def on_confirm_closed(ack: Ack, body: dict, view: dict, client: WebClient) -> None:
        ack()
        metadata = view_metadata(view)
        try:
            desk.change(client, case_id_from(metadata.get("case_id")), body["user"]["id"], confirmation(False)(view))
        except WorkflowError as refusal:
            refuse(client, body, str(refusal))

    app.action(CaseAction.ACKNOWLEDGE)(click(lambda action: cases.acknowledge_case))
    app.action(CaseAction.STATUS)(click(status_change))
    app.action(CaseAction.ASSIGN)(open_modal(case_modals.assign_modal))
    app.action(CaseAction.NOTE)(open_modal(case_modals.note_modal))
    app.action(CaseAction.MESSAGE_REPORTER)(open_modal(case_modals.message_reporter_modal, needs_follow_up=True))
    app.action(CaseAction.RECORD_ACTION)(open_modal(case_modals.record_action_modal))
    app.action(CaseAction.CLOSE)(open_modal(case_modals.close_modal))
    app.action(CaseAction.REOPEN)(open_modal(case_modals.reopen_modal))

    app.view(CaseModal.ASSIGN)(
        submit(lambda s: partial(cases.assign_case, assignee_id=s.user(CaseField.ASSIGNEE, CaseField.ASSIGNEE.action)))
    )
    app.view(CaseModal.NOTE)(submit(lambda s: partial(cases.add_note, text=text(s, CaseField.NOTE))))
    app.view(CaseModal.MESSAGE_REPORTER)(
        submit(lambda s: partial(cases.message_reporter, text=text(s, CaseField.MESSAGE)))
    )
    app.view(CaseModal.RECORD_ACTION)(submit(action_form, respond=confirm_if_needed))
    app.view(CaseModal.CLOSE)(submit(close_form))
    app.view(CaseModal.REOPEN)(submit(lambda s: partial(cases.reopen_case, reason=text(s, CaseField.REASON))))
    app.view(CaseModal.CONFIRM_ACTION)(on_confirm)
    app.view_closed(CaseModal.CONFIRM_ACTION)(on_confirm_closed)


def refusal_of(message: str) -> Change:
    """A change that always refuses, for a request that names nothing valid."""

    def refuse_change(*_args: Any, **_kwargs: Any) -> None:
        raise WorkflowError(message)

    return refuse_change


def _selected(action: dict) -> str:
    option = action.get("selected_option")
    value = option.get("value") if isinstance(option, dict) else None
    return value if isinstance(value, str) else ""
