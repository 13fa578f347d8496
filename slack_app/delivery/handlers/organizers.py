"""Posts for the organizers: the case card, its thread, the reminders there, and escalation.

Nothing is posted in the channel of a held case (an organizer is involved and no other
channel can take it). Every such post is declared in ``IN_CHANNEL`` and sent through
``post_unless_held``, so that rule lives in one place rather than in each post.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from db import queries
from db.enums import Routing
from db.models import Case, OutboxMessage
from slack_app.core.directory import channel_members, link_to_evidence
from slack_app.delivery import outbox_rows as rows
from slack_app.delivery.handlers.context import DeliveryContext, Send
from slack_app.delivery.outcomes import Recorder, Retry
from slack_app.views import cases as case_views
from slack_app.views import own_up as own_up_views
from slack_app.views import reminders as reminder_views
from workflows.access import stepped_back_ids
from workflows.messages import MessageKind
from workflows.records import earlier_cases_naming
from workflows.routing import Channels, Membership, route_case

logger = logging.getLogger(__name__)

Post = Callable[[DeliveryContext, OutboxMessage, queries.CaseFacts], Recorder | None]


@dataclass(frozen=True)
class ChannelPost:
    """A post in the case's channel: ``load`` finds the case, ``send`` posts, given the case."""

    send: Post
    load: Callable[[DeliveryContext, int], queries.CaseFacts] = DeliveryContext.load_case


def post_unless_held(context: DeliveryContext, post: ChannelPost, message: OutboxMessage) -> Recorder | None:
    """Send ``post`` unless the case is held; a held case's message counts as done, not retried."""
    case = post.load(context, message.case_id)
    if case.routing is Routing.HELD:
        return None
    return post.send(context, message, case)


def route_case_first(context: DeliveryContext, case_id: int) -> queries.CaseFacts:
    """The case's facts, settling its channel first if that has not happened yet."""
    case = context.load_case(case_id)
    if case.routing is not Routing.PENDING:
        return case
    settings = context.settings
    channels = Channels(settings.organizer_channel_id, settings.escalation_channel_id)
    organizers = channel_members(context.client, channels.organizers)
    # The escalation channel matters only when an organizer is named: one lookup fewer per
    # card otherwise (conversations.members is Tier 4, and a burst of reports is a burst of cards).
    needs_escalation = channels.escalation is not None and bool(set(case.involved) & organizers)
    members = Membership(
        organizers=organizers,
        escalation=channel_members(context.client, channels.escalation) if needs_escalation else None,
    )
    with context.sessions.begin() as session:
        route_case(session, case_id=case_id, channels=channels, members=members, now=context.clock())
        routed = queries.case_facts(session, case_id)
    if routed.routing is Routing.HELD:
        logger.warning("case %s is held: an organizer is involved and no other channel is available", routed.reference)
    return routed


# -- the card and its thread ---------------------------------------------------------------
def post_case_card(context: DeliveryContext, message: OutboxMessage, case: queries.CaseFacts) -> Recorder:
    posted = context.post(message, case.channel_id, case_views.case_card(case, context.people(case)))

    def record(session: Session) -> None:
        session.get(Case, case.id).card_ts = posted.ts

    return record


def post_case_details(context: DeliveryContext, message: OutboxMessage, case: queries.CaseFacts) -> None:
    """The report as the first reply in the thread, where the team keeps the words there;
    otherwise they open on demand and nothing is posted."""
    if not context.settings.report_words_in_thread:
        return
    report = context.load(queries.report_facts, message.case_id)
    link = link_to_evidence(context.client, report.evidence_channel_id, report.evidence_ts)
    context.post_in_thread(message, case, case_views.case_details(case, report, link))


def update_case_card(context: DeliveryContext, message: OutboxMessage, case: queries.CaseFacts) -> Recorder:
    """Show the case as it is now. The card updates queued after this one were queued for
    changes already made, so this update shows them too: they are marked sent with it, and a
    burst of changes costs one ``chat.update`` (Tier 3, about 50 a minute) rather than one each.
    Their ids are read before the case, so that none stands for a change the card doesn't show."""
    if case.card_ts is None:
        raise Retry(f"{case.reference} has no card yet")
    later = context.load(rows.superseded_updates, message.stream, message.id)
    case = context.load_case(case.id)
    content = case_views.case_card(case, context.people(case))
    context.client.chat_update(channel=case.channel_id, ts=case.card_ts, **content.as_kwargs())

    def record(session: Session) -> None:
        rows.mark_superseded(session, later, context.clock(), by_id=message.id)

    return record


def post_thread_line(context: DeliveryContext, message: OutboxMessage, case: queries.CaseFacts) -> None:
    entry = context.load(queries.timeline_facts, message.payload["entry_id"])
    context.post_in_thread(message, case, case_views.thread_line(entry, context.people(case)))


def post_reporter_message(context: DeliveryContext, message: OutboxMessage, case: queries.CaseFacts) -> None:
    if not context.settings.report_words_in_thread:
        context.post_in_thread(message, case, case_views.reporter_message(case, "", on_demand=True))
        return
    text = context.load(read_entry_text, message.payload["entry_id"])
    context.post_in_thread(message, case, case_views.reporter_message(case, text))


def read_entry_text(session: Session, entry_id: int) -> str:
    # Read inside the transaction: the entry is a live row, not a snapshot of facts.
    entry = queries.timeline_body(session, entry_id)
    return (entry.body or "") if entry else ""


def post_pattern_note(context: DeliveryContext, message: OutboxMessage, case: queries.CaseFacts) -> None:
    """Say in the thread when the people named were named in earlier cases of this channel."""
    earlier = context.load(earlier_cases_naming, case.involved, channel_id=case.channel_id, before_case_id=case.id)
    if earlier:
        context.post_in_thread(message, case, case_views.pattern_note(earlier, context.people(case)))


def post_own_up_review(context: DeliveryContext, message: OutboxMessage, case: queries.CaseFacts) -> None:
    own_up = context.load(queries.own_up_facts, message.payload["own_up_id"])
    context.post_in_thread(message, case, own_up_views.review_message(own_up, context.people(case)))


# -- reminders -----------------------------------------------------------------------------
def remind_to_acknowledge(context: DeliveryContext, message: OutboxMessage, case: queries.CaseFacts) -> None:
    if case.acknowledged_by is None:
        content = reminder_views.ack_reminder(case, message.payload["seconds"], reminded(context, case))
        context.post_in_thread(message, case, content)


def nudge_stale_case(context: DeliveryContext, message: OutboxMessage, case: queries.CaseFacts) -> None:
    content = reminder_views.stale_nudge(case, message.payload["days"], reminded(context, case))
    context.post_in_thread(message, case, content)


def reminded(context: DeliveryContext, case: queries.CaseFacts) -> list[str] | None:
    """Who a reminder pings: the whole channel (None), unless someone stepped back from the
    case: then every member but them (and the app itself), by name."""
    if not case.stepped_back:
        return None
    stepped_back = context.load(stepped_back_ids, case.id)
    members = channel_members(context.client, case.channel_id)
    app = context.client.auth_test().get("user_id")  # rare enough (a step-back) not to cache
    return sorted(members - stepped_back - {app})


def escalate_unacknowledged(context: DeliveryContext, message: OutboxMessage) -> None:
    """Tell the escalation channel, unless the case lives there already or someone it
    names would read it there."""
    case = context.load_case(message.case_id)
    escalation = context.settings.escalation_channel_id
    if escalation is None or case.channel_id == escalation or case.acknowledged_by is not None:
        return
    if set(case.involved) & channel_members(context.client, escalation):
        return
    content = reminder_views.ack_escalation(case, message.payload["count"], context.link_to_card(case))
    context.post(message, escalation, content)


# Posts in the case's own channel, skipped while the case is held. The card also settles the
# case's channel first, when that has not happened yet.
IN_CHANNEL: dict[MessageKind, ChannelPost] = {
    MessageKind.CASE_CARD: ChannelPost(post_case_card, load=route_case_first),
    MessageKind.CASE_DETAILS: ChannelPost(post_case_details),
    MessageKind.CARD_UPDATE: ChannelPost(update_case_card),
    MessageKind.THREAD_LINE: ChannelPost(post_thread_line),
    MessageKind.PATTERN_NOTE: ChannelPost(post_pattern_note),
    MessageKind.REPORTER_MESSAGE: ChannelPost(post_reporter_message),
    MessageKind.OWN_UP_REVIEW: ChannelPost(post_own_up_review),
    MessageKind.ACK_REMINDER: ChannelPost(remind_to_acknowledge),
    MessageKind.STALE_NUDGE: ChannelPost(nudge_stale_case),
}

# Escalation is not held back: it posts in the escalation channel, not the case's, under its
# own rules (above), which look at who is in that channel now.
HANDLERS: dict[MessageKind, Send] = {
    MessageKind.ACK_ESCALATION: escalate_unacknowledged,
}
