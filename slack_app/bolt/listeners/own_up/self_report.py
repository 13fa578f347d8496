"""/ownup: someone owning up to what they did before anyone reported it."""

from slack_bolt import Ack
from slack_sdk import WebClient
from slack_sdk.models.blocks import PlainTextObject
from sqlalchemy.exc import IntegrityError

from slack_app.bolt.forms import ViewState
from slack_app.bolt.listeners.own_up.desk import field_text
from slack_app.core.ids import Callback, OwnUpField
from slack_app.core.services import Services
from slack_app.views import own_up_modals
from slack_app.views.reports import report_sent
from workflows import own_up as flow
from workflows.errors import InvalidInput
from workflows.outbox import OutboxNotifier


def open_self_report(ack: Ack, body: dict, client: WebClient) -> None:
    ack()
    client.views_open(trigger_id=body["trigger_id"], view=own_up_modals.self_report_modal())


def submit_self_report(ack: Ack, body: dict, view: dict, *, services: Services) -> None:
    try:
        reference = _store_self_report(services, ViewState(view), body["user"]["id"], view["id"])
    except InvalidInput as invalid:
        ack(response_action="errors", errors={invalid.field: str(invalid)})
        return
    confirmation = report_sent(reference, urgent=False, urgent_help_text="")
    confirmation.callback_id = Callback.REPORT_SENT
    confirmation.title = PlainTextObject(text="Thank you")  # set after construction: not converted
    ack(response_action="update", view=confirmation)
    services.outbox.wake()


def _store_self_report(services: Services, state: ViewState, user_id: str, submission_key: str) -> str | None:
    """The self-report's reference; a second delivery of the same submission finds the first."""
    for attempt in (1, 2):  # a concurrent duplicate loses the unique-key race, then finds it
        try:
            with services.sessions.begin() as session:
                now = services.clock()
                return flow.submit_self_report(
                    session,
                    OutboxNotifier(session, now),
                    user_id=user_id,
                    what=field_text(state, OwnUpField.WHAT),
                    affected_ids=state.users(OwnUpField.AFFECTED, OwnUpField.AFFECTED.action),
                    apology=field_text(state, OwnUpField.APOLOGY),
                    submission_key=submission_key,
                    now=now,
                ).reference
        except IntegrityError:
            if attempt == 2:
                raise
    return None
