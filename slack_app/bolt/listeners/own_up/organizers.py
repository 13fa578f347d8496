"""The organizers' side of an own-up: the card's "Request own-up" and its modal, and the
review of an apology (deliver, withdraw, ask for changes, don't deliver)."""

from collections.abc import Callable
from datetime import timedelta
from functools import partial

from slack_bolt import Ack
from slack_sdk import WebClient
from slack_sdk.models.views import View

from slack_app.bolt.case_desk import Change, answer_modal, case_id_from, open_after_lookup
from slack_app.bolt.forms import ViewState, view_metadata
from slack_app.bolt.listeners.own_up.desk import OwnUpDesk, field_text
from slack_app.core.ids import OwnUpField, OwnUpModal
from slack_app.views import own_up_modals
from slack_app.views.own_up import COC_PARTS
from workflows import own_up as flow
from workflows.errors import WorkflowError

DEADLINES = {"1d": timedelta(days=1), "3d": timedelta(days=3), "7d": timedelta(days=7)}


def open_request(ack: Ack, body: dict, action: dict, client: WebClient, *, desk: OwnUpDesk) -> None:
    ack()
    case_id = case_id_from(action.get("value"))
    open_after_lookup(
        client, body, lambda: own_up_modals.request_modal(desk.facts(client, case_id, body["user"]["id"]))
    )


def submit_request(ack: Ack, body: dict, view: dict, client: WebClient, *, desk: OwnUpDesk) -> None:
    state = ViewState(view)
    deadline = state.selected(OwnUpField.DEADLINE, OwnUpField.DEADLINE.action)
    coc_part = state.selected(OwnUpField.COC_PART, OwnUpField.COC_PART.action)
    change = partial(
        flow.request_own_up,
        subject_id=state.user(OwnUpField.SUBJECT, OwnUpField.SUBJECT.action),
        description=field_text(state, OwnUpField.DESCRIPTION),
        coc_part=coc_part if coc_part in COC_PARTS else None,
        reply_within=DEADLINES.get(deadline or "", timedelta(0)),
    )
    case_id = case_id_from(view_metadata(view).get("case_id"))
    answer_modal(ack, view, lambda: desk.change(client, case_id, body["user"]["id"], change, once=view.get("id")))


def review(ack: Ack, body: dict, action: dict, client: WebClient, *, desk: OwnUpDesk, step: Change) -> None:
    """A review button that needs no words: deliver the apology, or withdraw the request."""
    ack()
    own_up_id = case_id_from(action.get("value"))
    desk.click(client, body, desk.case_of(own_up_id), partial(step, own_up_id=own_up_id))


def open_review_modal(
    ack: Ack,
    body: dict,
    action: dict,
    client: WebClient,
    *,
    desk: OwnUpDesk,
    callback: OwnUpModal,
    title: str,
    field: OwnUpField,
    label: str,
) -> None:
    """A review button that asks for words first: what should change, or why not deliver."""
    ack()
    own_up_id = case_id_from(action.get("value"))

    def build() -> View:
        desk.facts(client, desk.case_of(own_up_id), body["user"]["id"])  # only to authorize the organizer
        own_up = desk.own_up_facts(own_up_id)
        if own_up is None:
            raise WorkflowError("This request doesn't exist any more.")
        return own_up_modals.note_modal(own_up, callback=callback, title=title, field=field, label=label)

    open_after_lookup(client, body, build)


def submit_review(
    ack: Ack,
    body: dict,
    view: dict,
    client: WebClient,
    *,
    desk: OwnUpDesk,
    step: Callable[..., object],
    field: OwnUpField,
    keyword: str,
) -> None:
    """The review modal's words go to ``step`` as its ``keyword`` argument."""
    own_up_id = case_id_from(view_metadata(view).get("own_up_id"))
    change = partial(step, own_up_id=own_up_id, **{keyword: field_text(ViewState(view), field)})
    answer_modal(
        ack,
        view,
        lambda: desk.change(client, desk.case_of(own_up_id), body["user"]["id"], change, once=view.get("id")),
    )
