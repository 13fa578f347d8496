"""How each kind of outbox message reaches Slack: load plain data, render, send, record."""

import logging
from collections.abc import Callable
from datetime import datetime
from functools import partial

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session, sessionmaker

from db import queries
from db.models import Case, OutboxMessage, Routing
from slack_app.core.directory import channel_members
from slack_app.core.settings import Settings
from slack_app.delivery.dispatcher import Handler, Recorder, Retry
from slack_app.views import cases as case_views
from slack_app.views import own_up as own_up_views
from slack_app.views import reminders as reminder_views
from slack_app.views import reporter as reporter_views
from slack_app.views.message import Message
from workflows.cases import record_action_result
from workflows.outbox import OutboxNotifier
from workflows.records import earlier_cases_naming
from workflows.routing import Channels, Membership, route_case

logger = logging.getLogger(__name__)

# Direct messages of the own-up flow, to the person asked or to the recipient.
OWN_UP_DMS = {
    "own_up_request": own_up_views.request_dm,
    "own_up_changes": own_up_views.changes_dm,
    "own_up_nudge": own_up_views.nudge_dm,
    "own_up_withdrawn": lambda _: own_up_views.withdrawn_notice(),
    "own_up_delivered_notice": lambda _: own_up_views.delivered_notice(),
    "own_up_accepted_notice": lambda _: own_up_views.accepted_notice(),
    "apology_offer": own_up_views.offer_dm,
    "apology_delivered": own_up_views.apology_dm,
}


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
            "pattern_note": self.post_pattern_note,
            "card_update": self.update_case_card,
            "thread_line": self.post_thread_line,
            "acknowledged": self.tell_reporter_acknowledged,
            "organizer_message": self.relay_organizer_message,
            "closed": self.tell_reporter_closed,
            "asked_to_stop": self.send_asked_to_stop,
            "carry_out_action": self.carry_out_action,
            "ack_reminder": self.remind_to_acknowledge,
            "ack_escalation": self.escalate_unacknowledged,
            "stale_nudge": self.nudge_stale_case,
            "reporter_update": self.update_reporter,
            "own_up_review": self.post_own_up_review,
            "self_report_receipt": self.send_self_report_receipt,
            **{kind: partial(self.dm_about_own_up, build) for kind, build in OWN_UP_DMS.items()},
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

    def post_pattern_note(self, message: OutboxMessage) -> Recorder | None:
        """Say in the thread when the people named were named in earlier cases of this channel."""
        with self.sessions.begin() as session:
            case = queries.case_facts(session, message.case_id)
            if case.routing is Routing.HELD:
                return None
            earlier = earlier_cases_naming(session, case.involved, channel_id=case.channel_id, before_case_id=case.id)
        if earlier:
            self._post_in_thread(case, case_views.pattern_note(earlier))
        return None

    def update_case_card(self, message: OutboxMessage) -> Recorder | None:
        case = self._case(message.case_id)
        if case.routing is Routing.HELD:
            return None
        if case.card_ts is None:
            raise Retry(f"{case.reference} has no card yet")
        # Rendered from the case as it is now: a burst of changes ends on the latest state.
        self.client.chat_update(channel=case.channel_id, ts=case.card_ts, **case_views.case_card(case).as_kwargs())
        return None

    def post_thread_line(self, message: OutboxMessage) -> Recorder | None:
        with self.sessions.begin() as session:
            case = queries.case_facts(session, message.case_id)
            entry = queries.timeline_facts(session, message.payload["entry_id"])
        if case.routing is Routing.HELD:
            return None
        self._post_in_thread(case, case_views.thread_line(entry))
        return None

    def carry_out_action(self, message: OutboxMessage) -> Recorder | None:
        """Remove the person from each chosen channel, then record what happened, failures too."""
        with self.sessions.begin() as session:
            action = queries.action_facts(session, message.payload["action_id"])
        failures: dict[str, str] = {}
        for channel in action.channel_ids:
            try:
                self.client.conversations_kick(channel=channel, user=action.subject_id)
            except SlackApiError as error:
                if error.response.status_code >= 500 or error.response.status_code == 429:
                    raise  # Slack is having trouble: retry the whole removal later
                failures[channel] = str(error.response.get("error"))

        def record(session: Session) -> None:
            record_action_result(
                session,
                OutboxNotifier(session, self.clock()),
                action_id=action.id,
                failures=failures,
                now=self.clock(),
            )

        return record

    # -- reminders ----------------------------------------------------------------------
    def remind_to_acknowledge(self, message: OutboxMessage) -> Recorder | None:
        case = self._case(message.case_id)
        if case.acknowledged_by is None and case.routing is not Routing.HELD:
            self._post_in_thread(case, reminder_views.ack_reminder(case, message.payload["seconds"]))
        return None

    def escalate_unacknowledged(self, message: OutboxMessage) -> Recorder | None:
        """Tell the escalation channel, unless the case lives there already or someone it
        names would read it there."""
        case = self._case(message.case_id)
        escalation = self.settings.escalation_channel_id
        if escalation is None or case.channel_id == escalation or case.acknowledged_by is not None:
            return None
        if set(case.involved) & channel_members(self.client, escalation):
            return None
        content = reminder_views.ack_escalation(case, message.payload["count"], self._link(case))
        self.client.chat_postMessage(channel=escalation, **content.as_kwargs())
        return None

    def nudge_stale_case(self, message: OutboxMessage) -> Recorder | None:
        case = self._case(message.case_id)
        if case.routing is not Routing.HELD:
            self._post_in_thread(case, reminder_views.stale_nudge(case, message.payload["days"]))
        return None

    def update_reporter(self, message: OutboxMessage) -> Recorder | None:
        contact = self._contact(message.case_id)
        self._dm(contact, reminder_views.reporter_update(contact))
        return None

    # -- own-up --------------------------------------------------------------------------
    def post_own_up_review(self, message: OutboxMessage) -> Recorder | None:
        case = self._case(message.case_id)
        with self.sessions.begin() as session:
            own_up = queries.own_up_facts(session, message.payload["own_up_id"])
        if case.routing is Routing.HELD:
            return None
        self._post_in_thread(case, own_up_views.review_message(own_up))
        return None

    def dm_about_own_up(self, build, message: OutboxMessage) -> Recorder | None:
        """A DM to one party of an own-up, built from the request as it is now."""
        with self.sessions.begin() as session:
            own_up = queries.own_up_facts(session, message.payload["own_up_id"])
        channel = self.client.conversations_open(users=message.payload["user_id"])["channel"]["id"]
        self.client.chat_postMessage(channel=channel, **build(own_up).as_kwargs())
        return None

    def send_self_report_receipt(self, message: OutboxMessage) -> Recorder | None:
        contact = self._contact(message.case_id)
        channel = self._dm_channel(contact)
        response = self.client.chat_postMessage(
            channel=channel, **own_up_views.self_report_receipt(contact.reference).as_kwargs()
        )

        def record(session: Session) -> None:
            case = session.get(Case, contact.case_id)
            case.reporter_dm_channel, case.reporter_dm_ts = channel, response["ts"]

        return record

    def _link(self, case: queries.CaseFacts) -> str | None:
        if case.channel_id is None or case.card_ts is None:
            return None
        try:
            return self.client.chat_getPermalink(channel=case.channel_id, message_ts=case.card_ts)["permalink"]
        except SlackApiError:
            return None

    def _case(self, case_id: int) -> queries.CaseFacts:
        with self.sessions.begin() as session:
            return queries.case_facts(session, case_id)

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

    def tell_reporter_acknowledged(self, message: OutboxMessage) -> Recorder | None:
        contact = self._contact(message.case_id)
        self._dm(contact, reporter_views.acknowledged(contact))
        return None

    def relay_organizer_message(self, message: OutboxMessage) -> Recorder | None:
        contact = self._contact(message.case_id)
        with self.sessions.begin() as session:
            entry = queries.timeline_facts(session, message.payload["entry_id"])
        self._dm(contact, reporter_views.organizer_message(contact, entry.body or ""))
        return None

    def tell_reporter_closed(self, message: OutboxMessage) -> Recorder | None:
        contact = self._contact(message.case_id)
        case = self._case(message.case_id)
        self._dm(contact, reporter_views.closed(contact, case.outcome))
        return None

    def send_asked_to_stop(self, message: OutboxMessage) -> Recorder | None:
        with self.sessions.begin() as session:
            action = queries.action_facts(session, message.payload["action_id"])
        channel = self.client.conversations_open(users=message.payload["user_id"])["channel"]["id"]
        content = reporter_views.asked_to_stop(action.message or "", reporter_views.COC_REMINDER)
        self.client.chat_postMessage(channel=channel, **content.as_kwargs())
        return None

    def _contact(self, case_id: int) -> queries.ReporterContact:
        with self.sessions.begin() as session:
            return queries.reporter_contact(session, case_id)

    def _dm(self, contact: queries.ReporterContact, content: Message) -> None:
        self.client.chat_postMessage(channel=self._dm_channel(contact), **content.as_kwargs())

    def _dm_channel(self, contact: queries.ReporterContact) -> str:
        if contact.dm_channel is not None:
            return contact.dm_channel
        return self.client.conversations_open(users=contact.user_id)["channel"]["id"]
