"""The replies of the people an own-up reaches: the person asked (apologize, talk to an
organizer, see it differently) and the recipient (read the apology or not, then answer it).

Only the person a message was sent to may answer it: the workflow checks the signed user id
against the own-up, whatever the button's value says.
"""

from collections.abc import Callable
from functools import partial

from slack_bolt import Ack
from slack_sdk import WebClient
from slack_sdk.models.views import View

from db import queries
from db.enums import OwnUpState, RecipientAnswer
from slack_app.bolt.case_desk import Change, answer_modal, case_id_from, refusal_of, refuse
from slack_app.bolt.forms import ViewState, view_metadata
from slack_app.bolt.listeners.own_up.desk import OwnUpDesk, field_text
from slack_app.core.ids import OwnUpAction, OwnUpField
from slack_app.views import own_up as views
from workflows import own_up as flow
from workflows.errors import WorkflowError

# What a recipient's button does, and the words that replace the buttons once it is done.
Decision = tuple[Change, str]


# -- the person asked ----------------------------------------------------------------------------
def open_reply_modal(
    ack: Ack,
    body: dict,
    action: dict,
    client: WebClient,
    *,
    desk: OwnUpDesk,
    builder: Callable[[queries.OwnUpFacts], View],
    allowed: set[OwnUpState],
) -> None:
    """Open the modal of one of the three choices, while the request is in an ``allowed`` state."""
    ack()
    own_up = desk.own_up_facts(case_id_from(action.get("value")))
    if own_up is None or own_up.subject_id != body["user"]["id"]:
        refuse(client, body, "Only the person this message was sent to can answer it.")
        return
    if own_up.state not in allowed:
        refuse(client, body, f"This can't be done now: the request is {flow.STATE_WORDS[own_up.state]}.")
        return
    client.views_open(trigger_id=body["trigger_id"], view=builder(own_up))


def submit_reply(ack: Ack, body: dict, view: dict, *, desk: OwnUpDesk, form: Callable[[ViewState], Change]) -> None:
    own_up_id = case_id_from(view_metadata(view).get("own_up_id"))
    answer_modal(
        ack,
        view,
        lambda: desk.change_as_party(form(ViewState(view)), own_up_id, body["user"]["id"], once=view.get("id")),
    )


def apology_form(state: ViewState) -> Change:
    return partial(
        flow.submit_apology,
        acknowledgement=field_text(state, OwnUpField.ACKNOWLEDGEMENT),
        apology=field_text(state, OwnUpField.APOLOGY),
        change=field_text(state, OwnUpField.CHANGE),
    )


def talk_form(state: ViewState) -> Change:
    return partial(flow.talk_to_organizer, message=field_text(state, OwnUpField.MESSAGE))


def account_form(state: ViewState) -> Change:
    return partial(flow.see_differently, account=field_text(state, OwnUpField.ACCOUNT))


# -- the recipient -------------------------------------------------------------------------------
def answer_as_recipient(
    ack: Ack, body: dict, action: dict, client: WebClient, *, desk: OwnUpDesk, decide: Callable[[dict], Decision]
) -> None:
    """Take the recipient's step, then replace the message's buttons with what they chose."""
    ack()
    step, done = decide(action)
    own_up_id = case_id_from(action.get("value"))
    try:
        desk.change_as_party(step, own_up_id, body["user"]["id"])
    except WorkflowError as refusal:
        refuse(client, body, str(refusal))
        return
    message, channel = body.get("message") or {}, (body.get("channel") or {}).get("id")
    if not (message.get("ts") and channel):
        return
    if action.get("action_id") == OwnUpAction.ANSWER and (own_up := desk.own_up_facts(own_up_id)) is not None:
        content = views.apology_dm(own_up, answered=done)  # the apology stays readable
    else:
        content = views.answered(done)
    client.chat_update(channel=channel, ts=message["ts"], **content.as_kwargs())


def read_apology(_action: dict) -> Decision:
    return partial(flow.answer_offer, wants_to_read=True), "You chose to read it: it's below."


def decline_apology(_action: dict) -> Decision:
    return partial(flow.answer_offer, wants_to_read=False), "You chose not to read it. Nothing was passed on."


def answer_apology(action: dict) -> Decision:
    choice = str(action.get("value") or "").rpartition(":")[2]
    if choice not in RecipientAnswer.__members__.values():
        return refusal_of("Choose one of the answers."), ""
    answer = RecipientAnswer(choice)
    return partial(flow.respond_to_apology, answer=answer), f"You answered: “{flow.ANSWER_WORDS[answer]}”."
