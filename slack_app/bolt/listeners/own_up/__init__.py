"""The own-up flow in Slack: the card's "Request own-up", the person's three choices, the
organizers' review, the reporter's consent and answer, and /ownup.

Who may press what is decided by the workflow from the signed request's user id: the person
asked, the recipient, or an organizer of the case. Ids in buttons are only pointers.
"""

from slack_bolt import App

from slack_app.bolt.bind import bind
from slack_app.bolt.listeners.own_up.desk import OwnUpDesk
from slack_app.bolt.listeners.own_up.organizers import (
    open_request,
    open_review_modal,
    review,
    submit_request,
    submit_review,
)
from slack_app.bolt.listeners.own_up.replies import (
    account_form,
    answer_apology,
    answer_as_recipient,
    apology_form,
    decline_apology,
    open_reply_modal,
    read_apology,
    submit_reply,
    talk_form,
)
from slack_app.bolt.listeners.own_up.self_report import open_self_report, submit_self_report
from slack_app.core.ids import Command, OwnUpAction, OwnUpField, OwnUpModal
from slack_app.core.services import Services
from slack_app.views import own_up_modals
from workflows import own_up as flow


def register(app: App, services: Services) -> None:
    desk = OwnUpDesk(services)
    _register_organizers(app, desk)
    _register_replies(app, desk)
    app.command(Command.OWN_UP)(open_self_report)
    app.view(OwnUpModal.SELF_REPORT)(bind(submit_self_report, services=services))


def _register_organizers(app: App, desk: OwnUpDesk) -> None:
    app.action(OwnUpAction.REQUEST)(bind(open_request, desk=desk))
    app.view(OwnUpModal.REQUEST)(bind(submit_request, desk=desk))
    app.action(OwnUpAction.DELIVER)(bind(review, desk=desk, step=flow.deliver_apology))
    app.action(OwnUpAction.WITHDRAW)(bind(review, desk=desk, step=flow.withdraw_own_up))
    app.action(OwnUpAction.ASK_CHANGES)(
        bind(
            open_review_modal,
            desk=desk,
            callback=OwnUpModal.ASK_CHANGES,
            title="Ask for changes",
            field=OwnUpField.NOTE,
            label="What should change?",
        )
    )
    app.action(OwnUpAction.DONT_DELIVER)(
        bind(
            open_review_modal,
            desk=desk,
            callback=OwnUpModal.DONT_DELIVER,
            title="Don't deliver",
            field=OwnUpField.REASON,
            label="Why not? (for the record)",
        )
    )
    app.view(OwnUpModal.ASK_CHANGES)(
        bind(submit_review, desk=desk, step=flow.ask_for_changes, field=OwnUpField.NOTE, keyword="note")
    )
    app.view(OwnUpModal.DONT_DELIVER)(
        bind(submit_review, desk=desk, step=flow.dont_deliver, field=OwnUpField.REASON, keyword="reason")
    )


def _register_replies(app: App, desk: OwnUpDesk) -> None:
    # An apology may be revised after "I see it differently"; talking or giving an account, not.
    revisable = flow.AWAITING_REPLY | {flow.S.SEES_DIFFERENTLY}
    app.action(OwnUpAction.APOLOGIZE)(
        bind(open_reply_modal, desk=desk, builder=own_up_modals.apology_modal, allowed=revisable)
    )
    app.action(OwnUpAction.TALK)(
        bind(open_reply_modal, desk=desk, builder=own_up_modals.talk_modal, allowed=flow.AWAITING_REPLY)
    )
    app.action(OwnUpAction.DIFFERENTLY)(
        bind(open_reply_modal, desk=desk, builder=own_up_modals.account_modal, allowed=flow.AWAITING_REPLY)
    )
    app.view(OwnUpModal.APOLOGY)(bind(submit_reply, desk=desk, form=apology_form))
    app.view(OwnUpModal.TALK)(bind(submit_reply, desk=desk, form=talk_form))
    app.view(OwnUpModal.DIFFERENTLY)(bind(submit_reply, desk=desk, form=account_form))

    app.action(OwnUpAction.READ_YES)(bind(answer_as_recipient, desk=desk, decide=read_apology))
    app.action(OwnUpAction.READ_NO)(bind(answer_as_recipient, desk=desk, decide=decline_apology))
    app.action(OwnUpAction.ANSWER)(bind(answer_as_recipient, desk=desk, decide=answer_apology))
