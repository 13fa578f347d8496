"""What the case and own-up listeners share: reading a pointer, authorizing the clicker as an
organizer of the case, running one workflow change, and telling people why not.

Who may act is decided from the signed request's user id and the current members of the
case's channel, never from anything in the payload; the case id in a button or in
``private_metadata`` is only a pointer, reloaded and re-authorized. The members are asked
of Slack afresh on every click, never from the Home tab's short cache.
"""

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.views import View

from db import queries
from slack_app.bolt.forms import first_input_block
from slack_app.core.directory import channel_members
from slack_app.core.services import Services
from slack_app.views.waiting import NOT_DONE, SLACK_BUSY, loading_modal, notice_modal
from workflows import access
from workflows.errors import InvalidInput, WorkflowError
from workflows.outbox import OutboxNotifier
from workflows.reporter_messages import claim_event

logger = logging.getLogger(__name__)

# A workflow change, called as change(session, notifier, case_id=..., actor=..., now=...).
Change = Callable[..., Any]


def case_id_from(value: Any) -> int | None:
    """A case id from a button value or metadata: a pointer, trusted for nothing else."""
    text = str(value or "").split(":", 1)[0]
    # ASCII digits only ("²".isdigit() is true, int("²") fails), and few enough for an INTEGER column.
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else None


class CaseDesk:
    """What every case listener does: find the clicker's standing, run one change, report."""

    def __init__(self, services: Services):
        self.services = services

    def actor(self, client: WebClient, case_id: int | None, user_id: str) -> access.Actor:
        channel = None
        if case_id is not None:
            with self.services.sessions.begin() as session:
                channel = access.case_channel(session, case_id)
        if channel is None:
            raise WorkflowError(access.ONLY_ORGANIZERS)
        # Slack is asked outside any transaction, so a slow answer never holds a lock.
        return access.Actor(user_id=user_id, channel_members=channel_members(client, channel))

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

    def click(self, client: WebClient, body: dict, case_id: int | None, change: Change) -> Any:
        """Run a button's change for whoever clicked and return its result; a refusal goes to
        them alone (None is returned), and so does a Slack error in the members lookup (said at
        once rather than waiting out a 429)."""
        try:
            return self.change(client, case_id, body["user"]["id"], change)
        except WorkflowError as refusal:
            refuse(client, body, str(refusal))
        except SlackApiError:
            refuse(client, body, NOT_DONE)
        return None

    def facts(self, client: WebClient, case_id: int | None, user_id: str) -> queries.CaseFacts:
        actor = self.actor(client, case_id, user_id)
        with self.services.sessions.begin() as session:
            access.load_for(session, case_id, actor)
            return queries.case_facts(session, case_id)


def refuse(client: WebClient, body: dict, message: str) -> None:
    """Tell only the person who clicked, where they clicked."""
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
    user = body["user"]["id"]
    try:
        if channel:
            try:
                client.chat_postEphemeral(channel=channel, user=user, text=message)
                return
            except SlackApiError as error:
                if error.response.status_code == 429:
                    raise
                # not in that channel (a crafted request): tell them directly instead
        client.chat_postMessage(channel=user, text=message)
    except SlackApiError as error:
        if error.response.status_code != 429:
            raise
        # Someone clicking faster than Slack lets the app answer: the click changed nothing, and
        # a listener must not sleep on Retry-After; the refusal is dropped.
        logger.warning("a refusal was not shown: Slack answered %s", error.response.get("error"))


def open_after_lookup(client: WebClient, body: dict, build: Callable[[], View]) -> None:
    """Open a modal whose content needs Slack's answers (who is in a channel): a "Loading…"
    modal first, with the trigger_id that expires three seconds after the click, then
    ``build()`` and the real modal in its place. A refusal says why in the modal and where
    the person clicked; a Slack error (a 429 too: the client never sleeps on one) says to
    try again, at once."""
    opened = _open_loading(client, body)
    try:
        view = build()
    except WorkflowError as refusal:
        if opened is not None:
            _replace(client, opened, notice_modal(str(refusal)))
        refuse(client, body, str(refusal))
        return
    except SlackApiError as error:
        logger.warning("a modal could not be filled in: Slack answered %s", error.response.get("error"))
        view = notice_modal(SLACK_BUSY)
    if opened is None:
        refuse(client, body, SLACK_BUSY)
    else:
        _replace(client, opened, view)


def _open_loading(client: WebClient, body: dict) -> dict | None:
    try:
        return client.views_open(trigger_id=body.get("trigger_id"), view=loading_modal())["view"]
    except SlackApiError as error:  # an expired or crafted trigger_id: refusals still get said
        logger.warning("the loading modal could not open: Slack answered %s", error.response.get("error"))
        return None


def _replace(client: WebClient, opened: dict, view: View) -> None:
    # The hash makes Slack refuse the update if the person has moved on to another view.
    try:
        client.views_update(view_id=opened["id"], hash=opened.get("hash"), view=view)
    except SlackApiError as error:  # closed while loading (not_found), or moved on (hash_conflict)
        logger.info("a loading modal was not replaced: Slack answered %s", error.response.get("error"))


def refusal_of(message: str) -> Change:
    """A change that always refuses, for a request that names nothing valid."""

    def refuse_change(*_args: Any, **_kwargs: Any) -> None:
        raise WorkflowError(message)

    return refuse_change


def answer_modal(
    ack: Ack, view: dict, run: Callable[[], Any], respond: Callable[[Ack, Any], None] | None = None
) -> None:
    """Run a modal's change, then answer Slack: refusals come back on the modal; success
    closes it, or, with ``respond``, lets that answer instead (when there was a change)."""
    try:
        result = run()
    except InvalidInput as invalid:
        ack(response_action="errors", errors={invalid.field: str(invalid)})
        return
    except WorkflowError as refusal:
        ack(response_action="errors", errors={first_input_block(view): str(refusal)})
        return
    except SlackApiError as error:
        # Slack refused the members lookup (a 429, say): the modal stays open with what the
        # person typed, and says to try again, rather than Slack's "trouble connecting".
        logger.warning("a modal's change was not run: Slack answered %s", error.response.get("error"))
        ack(response_action="errors", errors={first_input_block(view): NOT_DONE})
        return
    if respond is None or result is None:
        ack()
    else:
        respond(ack, result)
