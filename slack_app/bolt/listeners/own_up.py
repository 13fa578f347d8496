"""The own-up flow in Slack: the card's "Request own-up", the person's three choices, the
organizers' review, the reporter's consent and answer, and /ownup.

Who may press what is decided by the workflow from the signed request's user id: the person
asked, the recipient, or an organizer of the case. Ids in buttons are only pointers.
"""

from collections.abc import Callable
from datetime import timedelta
from functools import partial
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.models.blocks import PlainTextObject
from slack_sdk.models.views import View
from sqlalchemy.exc import IntegrityError

from db import queries
from db.models import OwnUp, RecipientAnswer
from slack_app.bolt.forms import ViewState, first_input_block, view_metadata
from slack_app.bolt.listeners.cases import CaseDesk, case_id_from, refusal_of, refuse
from slack_app.core.ids import Callback, Command, OwnUpAction, OwnUpField, OwnUpModal
from slack_app.core.services import Services
from slack_app.views import own_up as views
from slack_app.views.reports import report_sent
from workflows import own_up as flow
from workflows.errors import InvalidInput, WorkflowError
from workflows.outbox import OutboxNotifier
from workflows.reporter_messages import claim_event

DEADLINES = {"1d": timedelta(days=1), "3d": timedelta(days=3), "7d": timedelta(days=7)}


def register(app: App, services: Services) -> None:
    desk = CaseDesk(services)

    def text(state: ViewState, field: OwnUpField) -> str:
        return state.text(field, field.action) or ""

    def case_of(own_up_id: int | None) -> int | None:
        if own_up_id is None:
            return None
        with services.sessions.begin() as session:
            own_up = session.get(OwnUp, own_up_id)
            return own_up.case_id if own_up else None

    def facts(own_up_id: int | None) -> queries.OwnUpFacts | None:
        with services.sessions.begin() as session:
            return queries.own_up_facts(session, own_up_id) if own_up_id else None

    def personal(change: Callable[..., Any], own_up_id: int | None, user_id: str, once: str | None = None) -> Any:
        """A step by the person asked or the recipient: the workflow checks it is theirs."""
        with services.sessions.begin() as session:
            now = services.clock()
            if once is not None and not claim_event(session, f"view:{once}", now):
                return None  # the same modal submitted twice
            result = change(session, OutboxNotifier(session, now), own_up_id=own_up_id, user_id=user_id, now=now)
        services.outbox.wake()
        return result

    # -- organizers ------------------------------------------------------------------------------
    def open_request(ack: Ack, body: dict, action: dict, client: WebClient) -> None:
        ack()
        try:
            case = desk.facts(client, case_id_from(action.get("value")), body["user"]["id"])
        except WorkflowError as refusal:
            refuse(client, body, str(refusal))
            return
        client.views_open(trigger_id=body["trigger_id"], view=views.request_modal(case))

    def submit_request(ack: Ack, body: dict, view: dict, client: WebClient) -> None:
        state = ViewState(view)
        deadline = state.selected(OwnUpField.DEADLINE, OwnUpField.DEADLINE.action)
        coc_part = state.selected(OwnUpField.COC_PART, OwnUpField.COC_PART.action)
        change = partial(
            flow.request_own_up,
            subject_id=state.user(OwnUpField.SUBJECT, OwnUpField.SUBJECT.action),
            description=text(state, OwnUpField.DESCRIPTION),
            coc_part=coc_part if coc_part in views.COC_PARTS else None,
            reply_within=DEADLINES.get(deadline or "", timedelta(0)),
        )
        _answer_modal(
            ack,
            view,
            lambda: desk.change(
                client,
                case_id_from(view_metadata(view).get("case_id")),
                body["user"]["id"],
                change,
                once=view.get("id"),
            ),
        )

    def review_click(step: Callable[..., Any]) -> Callable[..., None]:
        def listener(ack: Ack, body: dict, action: dict, client: WebClient) -> None:
            ack()
            own_up_id = case_id_from(action.get("value"))
            try:
                desk.change(client, case_of(own_up_id), body["user"]["id"], partial(step, own_up_id=own_up_id))
            except WorkflowError as refusal:
                refuse(client, body, str(refusal))

        return listener

    def review_modal(callback: OwnUpModal, title: str, field: OwnUpField, label: str) -> Callable[..., None]:
        def listener(ack: Ack, body: dict, action: dict, client: WebClient) -> None:
            ack()
            own_up_id = case_id_from(action.get("value"))
            try:
                desk.facts(client, case_of(own_up_id), body["user"]["id"])
                own_up = facts(own_up_id)
                if own_up is None:
                    raise WorkflowError("This request doesn't exist any more.")
            except WorkflowError as refusal:
                refuse(client, body, str(refusal))
                return
            view = views.note_modal(own_up, callback=callback, title=title, field=field, label=label)
            client.views_open(trigger_id=body["trigger_id"], view=view)

        return listener

    def submit_review(step: Callable[..., Any], field: OwnUpField, keyword: str) -> Callable[..., None]:
        def listener(ack: Ack, body: dict, view: dict, client: WebClient) -> None:
            metadata = view_metadata(view)
            own_up_id = case_id_from(metadata.get("own_up_id"))
            change = partial(step, own_up_id=own_up_id, **{keyword: text(ViewState(view), field)})
            _answer_modal(
                ack,
                view,
                lambda: desk.change(client, case_of(own_up_id), body["user"]["id"], change, once=view.get("id")),
            )

        return listener

    # -- the person asked ------------------------------------------------------------------------
    def person_modal(builder: Callable[[queries.OwnUpFacts], View]) -> Callable[..., None]:
        def listener(ack: Ack, body: dict, action: dict, client: WebClient) -> None:
            ack()
            own_up = facts(case_id_from(action.get("value")))
            if own_up is None or own_up.subject_id != body["user"]["id"]:
                refuse(client, body, "Only the person this message was sent to can answer it.")
                return
            allowed = (
                flow.AWAITING_REPLY | {flow.S.SEES_DIFFERENTLY}
                if builder is views.apology_modal
                else (flow.AWAITING_REPLY)
            )
            if own_up.state not in allowed:
                refuse(client, body, f"This can't be done now: the request is {flow.STATE_WORDS[own_up.state]}.")
                return
            client.views_open(trigger_id=body["trigger_id"], view=builder(own_up))

        return listener

    def submit_personal(step: Callable[[ViewState], Callable[..., Any]]) -> Callable[..., None]:
        def listener(ack: Ack, body: dict, view: dict) -> None:
            own_up_id = case_id_from(view_metadata(view).get("own_up_id"))
            _answer_modal(
                ack, view, lambda: personal(step(ViewState(view)), own_up_id, body["user"]["id"], once=view.get("id"))
            )

        return listener

    # -- the recipient ---------------------------------------------------------------------------
    def recipient_click(decide: Callable[[dict], tuple[Callable[..., Any], str]]) -> Callable[..., None]:
        def listener(ack: Ack, body: dict, action: dict, client: WebClient) -> None:
            ack()
            step, done = decide(action)
            try:
                personal(step, case_id_from(action.get("value")), body["user"]["id"])
            except WorkflowError as refusal:
                refuse(client, body, str(refusal))
                return
            message, channel = body.get("message") or {}, (body.get("channel") or {}).get("id")
            if message.get("ts") and channel:
                own_up_id = case_id_from(action.get("value"))
                if action.get("action_id") == OwnUpAction.ANSWER and (own_up := facts(own_up_id)) is not None:
                    content = views.apology_dm(own_up, answered=done)  # the apology stays readable
                else:
                    content = views.answered(done)
                client.chat_update(channel=channel, ts=message["ts"], **content.as_kwargs())

        return listener

    def read_answer(wants: bool) -> Callable[[dict], tuple[Callable[..., Any], str]]:
        done = "You chose to read it: it's below." if wants else "You chose not to read it. Nothing was passed on."
        return lambda action: (partial(flow.answer_offer, wants_to_read=wants), done)

    def apology_answer(action: dict) -> tuple[Callable[..., Any], str]:
        choice = str(action.get("value") or "").rpartition(":")[2]
        if choice not in RecipientAnswer.__members__.values():
            return refusal_of("Choose one of the answers."), ""
        answer = RecipientAnswer(choice)
        return partial(flow.respond_to_apology, answer=answer), f"You answered: “{flow.ANSWER_WORDS[answer]}”."

    # -- /ownup ----------------------------------------------------------------------------------
    def open_self_report(ack: Ack, body: dict, client: WebClient) -> None:
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=views.self_report_modal())

    def submit_self_report(ack: Ack, body: dict, view: dict) -> None:
        state = ViewState(view)
        user_id = body["user"]["id"]

        def store() -> Any:
            for attempt in (1, 2):  # a concurrent duplicate loses the unique-key race, then finds it
                try:
                    with services.sessions.begin() as session:
                        now = services.clock()
                        return flow.submit_self_report(
                            session,
                            OutboxNotifier(session, now),
                            user_id=user_id,
                            what=text(state, OwnUpField.WHAT),
                            affected_ids=state.users(OwnUpField.AFFECTED, OwnUpField.AFFECTED.action),
                            apology=text(state, OwnUpField.APOLOGY),
                            submission_key=view["id"],
                            now=now,
                        ).reference
                except IntegrityError:
                    if attempt == 2:
                        raise
            return None

        try:
            reference = store()
        except InvalidInput as invalid:
            ack(response_action="errors", errors={invalid.field: str(invalid)})
            return
        confirmation = report_sent(reference, urgent=False, urgent_help_text="")
        confirmation.callback_id = Callback.REPORT_SENT
        confirmation.title = PlainTextObject(text="Thank you")  # set after construction: not converted
        ack(response_action="update", view=confirmation)
        services.outbox.wake()

    app.action(OwnUpAction.REQUEST)(open_request)
    app.view(OwnUpModal.REQUEST)(submit_request)
    app.action(OwnUpAction.DELIVER)(review_click(flow.deliver_apology))
    app.action(OwnUpAction.WITHDRAW)(review_click(flow.withdraw_own_up))
    app.action(OwnUpAction.ASK_CHANGES)(
        review_modal(OwnUpModal.ASK_CHANGES, "Ask for changes", OwnUpField.NOTE, "What should change?")
    )
    app.action(OwnUpAction.DONT_DELIVER)(
        review_modal(OwnUpModal.DONT_DELIVER, "Don't deliver", OwnUpField.REASON, "Why not? (for the record)")
    )
    app.view(OwnUpModal.ASK_CHANGES)(submit_review(flow.ask_for_changes, OwnUpField.NOTE, "note"))
    app.view(OwnUpModal.DONT_DELIVER)(submit_review(flow.dont_deliver, OwnUpField.REASON, "reason"))

    app.action(OwnUpAction.APOLOGIZE)(person_modal(views.apology_modal))
    app.action(OwnUpAction.TALK)(person_modal(views.talk_modal))
    app.action(OwnUpAction.DIFFERENTLY)(person_modal(views.account_modal))
    app.view(OwnUpModal.APOLOGY)(
        submit_personal(
            lambda s: partial(
                flow.submit_apology,
                acknowledgement=text(s, OwnUpField.ACKNOWLEDGEMENT),
                apology=text(s, OwnUpField.APOLOGY),
                change=text(s, OwnUpField.CHANGE),
            )
        )
    )
    app.view(OwnUpModal.TALK)(
        submit_personal(lambda s: partial(flow.talk_to_organizer, message=text(s, OwnUpField.MESSAGE)))
    )
    app.view(OwnUpModal.DIFFERENTLY)(
        submit_personal(lambda s: partial(flow.see_differently, account=text(s, OwnUpField.ACCOUNT)))
    )

    app.action(OwnUpAction.READ_YES)(recipient_click(read_answer(True)))
    app.action(OwnUpAction.READ_NO)(recipient_click(read_answer(False)))
    app.action(OwnUpAction.ANSWER)(recipient_click(apology_answer))

    app.command(Command.OWN_UP)(open_self_report)
    app.view(OwnUpModal.SELF_REPORT)(submit_self_report)


def _answer_modal(ack: Ack, view: dict, run: Callable[[], Any]) -> None:
    """Run a modal's change; refusals come back on the modal, success closes it."""
    try:
        run()
    except InvalidInput as invalid:
        ack(response_action="errors", errors={invalid.field: str(invalid)})
        return
    except WorkflowError as refusal:
        ack(response_action="errors", errors={first_input_block(view): str(refusal)})
        return
    ack()
