"""Report intake: the /report command, the message shortcut, the modal, and DM replies."""

import logging

from slack_bolt import Ack, App
from slack_sdk import WebClient
from sqlalchemy.exc import OperationalError

from slack_app.bolt.bind import bind
from slack_app.bolt.forms import parse_report_form, shows_dm_warning
from slack_app.core.ids import FIELD_BLOCKS, Action, Block, Callback, Command
from slack_app.core.mrkdwn import from_slack
from slack_app.core.services import Services
from slack_app.views import reporter as reporter_views
from slack_app.views.reports import ModalContext, blank_report_modal, report_modal, report_sent
from workflows.errors import InvalidReport
from workflows.intake import receive_report
from workflows.outbox import OutboxNotifier
from workflows.reporter_messages import add_reporter_message, claim_event
from workflows.reports import EXCERPT_MAX

logger = logging.getLogger(__name__)

SAVE_FAILED = "We couldn't save your report just now. Please try again in a moment: your text is still here."


def register(app: App, services: Services) -> None:
    app.command(Command.REPORT)(open_report)
    app.shortcut(Callback.REPORT_SHORTCUT)(open_report_on_message)
    app.action(Action.ANONYMITY)(update_dm_warning)
    app.action(Action.LOCATION_CHANNEL)(update_dm_warning)
    app.view(Callback.REPORT_MODAL)(bind(submit_report_modal, services=services))
    app.event("message")(bind(relay_dm, services=services))


def open_report(ack: Ack, body: dict, client: WebClient) -> None:
    ack()
    # Slack sends a command's text as mrkdwn; the modal's input shows it as typed.
    text = from_slack(body.get("text") if isinstance(body.get("text"), str) else "").strip()
    view = report_modal(ModalContext(description=text)) if text else blank_report_modal()
    client.views_open(trigger_id=body["trigger_id"], view=view)


def open_report_on_message(ack: Ack, body: dict, client: WebClient) -> None:
    ack()
    client.views_open(trigger_id=body["trigger_id"], view=report_modal(_shortcut_context(body)))


def update_dm_warning(ack: Ack, body: dict, client: WebClient) -> None:
    """Show or hide the warning that an anonymous report about a DM may be guessed."""
    ack()
    view = body.get("view") or {}
    shown = any(block.get("block_id") == Block.DM_WARNING for block in view.get("blocks", []))
    wanted = shows_dm_warning(view)
    if shown == wanted:
        return
    # Slack keeps what was typed in inputs whose block and action ids are unchanged.
    client.views_update(
        view_id=view["id"], hash=view.get("hash"), view=report_modal(_context_now(view), show_dm_warning=wanted)
    )


def _context_now(view: dict) -> ModalContext:
    """The modal rebuilt from what is in it now, so nothing the reporter entered or the
    shortcut pre-filled is lost with the update."""
    form = parse_report_form(view)
    evidence = form.evidence
    return ModalContext(
        description=form.description,
        involved=form.involved_user_ids,
        location_channel_id=form.location_channel_id,
        evidence_channel_id=evidence.channel_id if evidence else None,
        evidence_ts=evidence.ts if evidence else None,
        evidence_author_id=evidence.author_id if evidence else None,
        evidence_excerpt=evidence.excerpt if evidence else None,
    )


def submit_report_modal(ack: Ack, body: dict, view: dict, *, services: Services) -> None:
    reporter_id = body["user"]["id"]
    form = parse_report_form(view)
    try:
        _receive_report(services, form, reporter_id, view["id"])
    except InvalidReport as invalid:
        fields = {FIELD_BLOCKS[field]: message for field, message in invalid.errors.items()}
        ack(response_action="errors", errors=fields)
        return
    except OperationalError:
        logger.exception("could not store a report: database unavailable")
        ack(response_action="errors", errors={Block.DESCRIPTION: SAVE_FAILED})
        return
    ack(
        response_action="update",
        view=report_sent(None, urgent=form.urgent, urgent_help_text=services.settings.urgent_help_text),
    )
    # The outbox opens the case and sends its card once the burst it may be part of is answered.
    services.outbox.wake()


def relay_dm(event: dict, body: dict, client: WebClient, *, services: Services) -> None:
    """A reporter's direct message to the app, added to their open case."""
    if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
        return
    user_id, text = event.get("user"), event.get("text")
    if not isinstance(user_id, str) or not isinstance(text, str) or not text.strip():
        return
    with services.sessions.begin() as session:
        # Slack re-delivers an event with the same event_id; a message is also unique by its
        # channel and ts, which stands in if an event ever comes without an id.
        event_key = body.get("event_id") or f"msg:{event.get('channel')}:{event.get('ts')}"
        if not claim_event(session, str(event_key)[:64], services.clock()):
            return
        case = add_reporter_message(
            session,
            OutboxNotifier(session, services.clock()),
            reporter_id=user_id,
            text=from_slack(text),
            thread_ts=event.get("thread_ts"),
            now=services.clock(),
        )
    if case is None:
        client.chat_postMessage(channel=event["channel"], **reporter_views.no_open_report().as_kwargs())
        return
    services.outbox.wake()


def _receive_report(services: Services, form, reporter_id: str, submission_key: str) -> None:
    """Store the submission whole, before Slack is answered (a copy received before is left
    as it is)."""
    with services.sessions.begin() as session:
        receive_report(session, form=form, reporter_id=reporter_id, submission_key=submission_key, now=services.clock())


def _shortcut_context(body: dict) -> ModalContext:
    message = body.get("message") or {}
    channel = (body.get("channel") or {}).get("id")
    author = message.get("user")
    reporter = (body.get("user") or {}).get("id")
    involved = (author,) if isinstance(author, str) and author != reporter and not message.get("bot_id") else ()
    text = from_slack(message.get("text")) if isinstance(message.get("text"), str) else ""
    return ModalContext(
        involved=involved,
        location_channel_id=channel,
        evidence_channel_id=channel,
        evidence_ts=message.get("ts"),
        evidence_author_id=author if isinstance(author, str) else None,
        evidence_excerpt=text[:EXCERPT_MAX],
    )
