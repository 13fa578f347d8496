"""How each kind of outbox message reaches Slack: load plain data, render, send, record."""

import logging
from collections.abc import Callable
from datetime import datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session, sessionmaker

from db import queries
from db.models import Case, OutboxMessage, Routing
from slack_app.directory import channel_members
from slack_app.outbox import Handler, Recorder, Retry
from slack_app.settings import Settings
from slack_app.views import cases as case_views
from slack_app.views import reporter as reporter_views
from slack_app.views.message import Message
from workflows.routing import Channels, Membership, route_case

logger = logging.getLogger(__name__)


class Deliveries:
    """The outbox handlers, keyed by message kind."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        client: WebClient,
        settings: Settings,
        clock: Callable[[], datetime],
    ):
        self.sessions = sessions
        self.client = client
        self.settings = settings
        self.clock = clock

    def handlers(self) -> dict[str, Handler]:
        return {
            "case_card": self.post_case_card,
            "case_details": self.post_case_details,
            "reporter_message": self.post_reporter_message,
            "receipt": self.send_receipt,
            "reporter_message_added": self.confirm_reporter_message,
        }

    # -- organizers ----------------------------------------------------------------------
    def post_case_card(self, message: OutboxMessage) -> Recorder | None:
        case = self._routed_case(message.case_id)
        if case.routing is Routing.HELD:
            return None
        response = self.client.chat_postMessage(channel=case.channel_id, **case_views.case_card(case).as_kwargs())

        def record(session: Session) -> None:
            session.get(Case, case.id).card_ts = response["ts"]

        return record

    def post_case_details(self, message: OutboxMessage) -> Recorder | None:
        with self.sessions.begin() as session:
            case = queries.case_facts(session, message.case_id)
            report = queries.report_facts(session, message.case_id)
        if case.routing is Routing.HELD:
            return None
        link = self._permalink(report.evidence_channel_id, report.evidence_ts)
        self._post_in_thread(case, case_views.case_details(case, report, link))
        return None

    def post_reporter_message(self, message: OutboxMessage) -> Recorder | None:
        with self.sessions.begin() as session:
            case = queries.case_facts(session, message.case_id)
            entry = queries.timeline_body(session, message.payload["entry_id"])
            text = (entry.body or "") if entry else ""
        if case.routing is Routing.HELD:
            return None
        self._post_in_thread(case, case_views.reporter_message(case, text))
        return None

    def _routed_case(self, case_id: int) -> queries.CaseFacts:
        """The case's facts, settling its channel first if that has not happened yet."""
        with self.sessions.begin() as session:
            case = queries.case_facts(session, case_id)
        if case.routing is not Routing.PENDING:
            return case
        channels = Channels(self.settings.organizer_channel_id, self.settings.escalation_channel_id)
        members = Membership(
            organizers=channel_members(self.client, channels.organizers),
            escalation=channel_members(self.client, channels.escalation) if channels.escalation else None,
        )
        with self.sessions.begin() as session:
            route_case(session, case_id=case_id, channels=channels, members=members, now=self.clock())
            routed = queries.case_facts(session, case_id)
        if routed.routing is Routing.HELD:
            logger.warning(
                "case %s is held: an organizer is involved and no other channel is available", routed.reference
            )
        return routed

    def _post_in_thread(self, case: queries.CaseFacts, content: Message) -> None:
        if case.card_ts is None:
            raise Retry(f"{case.reference} has no card yet")
        self.client.chat_postMessage(channel=case.channel_id, thread_ts=case.card_ts, **content.as_kwargs())

    def _permalink(self, channel_id: str | None, ts: str | None) -> str | None:
        if channel_id is None or ts is None or channel_id.startswith("D"):
            # Organizers can't open a DM anyway, and its link names the pair of people in it.
            return None
        try:
            return self.client.chat_getPermalink(channel=channel_id, message_ts=ts)["permalink"]
        except SlackApiError:
            return None  # the details still name the channel and author

    # -- the reporter --------------------------------------------------------------------
    def send_receipt(self, message: OutboxMessage) -> Recorder | None:
        with self.sessions.begin() as session:
            contact = queries.reporter_contact(session, message.case_id)
        channel = self._dm_channel(contact)
        response = self.client.chat_postMessage(
            channel=channel, **reporter_views.receipt(contact, self.settings.urgent_help_text).as_kwargs()
        )

        def record(session: Session) -> None:
            case = session.get(Case, contact.case_id)
            case.reporter_dm_channel, case.reporter_dm_ts = channel, response["ts"]

        return record

    def confirm_reporter_message(self, message: OutboxMessage) -> Recorder | None:
        with self.sessions.begin() as session:
            contact = queries.reporter_contact(session, message.case_id)
        self.client.chat_postMessage(
            channel=self._dm_channel(contact), **reporter_views.message_added(contact).as_kwargs()
        )
        return None

    def _dm_channel(self, contact: queries.ReporterContact) -> str:
        if contact.dm_channel is not None:
            return contact.dm_channel
        return self.client.conversations_open(users=contact.user_id)["channel"]["id"]
