"""Stepping back from a case, and back in: the card's buttons, the modal choosing who confirms,
and that organizer's answer in their DM. Who may do each is decided by the workflow from the
signed user id and the channel's live members (``CaseDesk``), never from the payload."""

from functools import partial

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.models.views import View

from db import queries
from slack_app.bolt.bind import bind
from slack_app.bolt.case_desk import CaseDesk, answer_modal, case_id_from, open_after_lookup, refuse
from slack_app.bolt.forms import ViewState, view_metadata
from slack_app.core.ids import CaseAction, CaseField, CaseModal
from slack_app.core.services import Services
from slack_app.views import step_back as views
from workflows import access, step_back
from workflows.errors import WorkflowError


def register(app: App, services: Services) -> None:
    desk = CaseDesk(services)
    app.action(CaseAction.STEP_BACK)(bind(step_back_from_case, desk=desk))
    app.action(CaseAction.STEP_BACK_IN)(bind(open_step_in_modal, desk=desk))
    app.view(CaseModal.STEP_BACK_IN)(bind(ask_to_step_in, desk=desk))
    app.action(CaseAction.CONFIRM_STEP_IN)(bind(answer_step_in, desk=desk, confirmed=True))
    app.action(CaseAction.DECLINE_STEP_IN)(bind(answer_step_in, desk=desk, confirmed=False))


def step_back_from_case(ack: Ack, body: dict, action: dict, client: WebClient, *, desk: CaseDesk) -> None:
    ack()
    case = desk.click(client, body, case_id_from(action.get("value")), step_back.step_back)
    if case is not None:
        refuse(client, body, views.STEPPED_BACK.format(reference=case.reference))  # to them alone


def open_step_in_modal(ack: Ack, body: dict, action: dict, client: WebClient, *, desk: CaseDesk) -> None:
    ack()
    case_id = case_id_from(action.get("value"))

    def build() -> View:
        actor = desk.actor(client, case_id, body["user"]["id"])
        with desk.services.sessions.begin() as session:
            case = access.load_as_member(session, case_id, actor)
            if actor.user_id not in access.stepped_back_ids(session, case.id):
                raise WorkflowError(step_back.NOT_STEPPED_BACK)
            return views.step_in_modal(queries.case_facts(session, case.id))

    open_after_lookup(client, body, build)


def ask_to_step_in(ack: Ack, body: dict, view: dict, client: WebClient, *, desk: CaseDesk) -> None:
    case_id = case_id_from(view_metadata(view).get("case_id"))
    confirmer = ViewState(view).user(CaseField.CONFIRMER, CaseField.CONFIRMER.action)
    change = partial(step_back.ask_to_step_back_in, confirmer_id=confirmer)
    answer_modal(ack, view, lambda: desk.change(client, case_id, body["user"]["id"], change, once=view.get("id")))


def answer_step_in(ack: Ack, body: dict, action: dict, client: WebClient, *, desk: CaseDesk, confirmed: bool) -> None:
    ack()
    case_text, _, step_back_text = str(action.get("value") or "").partition(":")
    case_id, step_back_id = case_id_from(case_text), case_id_from(step_back_text)
    change = partial(step_back.answer_step_in, step_back_id=step_back_id or 0, confirmed=confirmed)
    row = desk.click(client, body, case_id, change)
    if row is None:
        return
    with desk.services.sessions.begin() as session:
        facts = queries.step_back_facts(session, row.id)
    answered = "You confirmed: they can act on the case again." if confirmed else "You declined. Nobody else was told."
    message = body.get("message") or {}
    channel = (body.get("channel") or {}).get("id")
    if channel and message.get("ts"):
        client.chat_update(channel=channel, ts=message["ts"], **views.step_in_request(facts, answered).as_kwargs())
