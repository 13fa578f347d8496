"""The delivery handlers' table: one handler per message kind, and the held-case rule."""

import pytest
from sqlalchemy import select

from db.enums import OutboxState, Routing
from db.models import Case, OutboxMessage
from slack_app.delivery.handlers import build_handlers, organizers, registered_kinds, reporter
from slack_app.sandbox.loopback import ORGANIZERS
from tests.slack_app.test_outbox import REPORTER, file_report, services, stand_in  # noqa: F401 (fixtures)
from workflows.messages import MessageKind
from workflows.outbox import OutboxNotifier

# What each post in a case's channel reads from its payload; none of it exists, and a held
# case must not need it.
PAYLOADS = {
    MessageKind.THREAD_LINE: {"entry_id": 0},
    MessageKind.REPORTER_MESSAGE: {"entry_id": 0},
    MessageKind.OWN_UP_REVIEW: {"own_up_id": 0},
    MessageKind.ACK_REMINDER: {"seconds": 3600},
    MessageKind.STALE_NUDGE: {"days": 7},
}


def test_every_message_kind_is_declared_exactly_once():
    assert sorted(registered_kinds()) == sorted(MessageKind)


def test_the_running_table_has_one_handler_per_kind_and_none_for_an_unknown_one(services):  # noqa: F811
    handlers = services.outbox.handlers

    assert set(handlers) == set(MessageKind) and len(handlers) == len(MessageKind)
    assert all(type(kind) is MessageKind for kind in handlers)
    # Outbox rows store the plain value; it finds the same handler as the member.
    assert handlers.get("case_card") is handlers[MessageKind.CASE_CARD]
    assert handlers.get("no_such_kind") is None


def test_a_kind_declared_twice_is_refused(monkeypatch):
    monkeypatch.setitem(reporter.HANDLERS, MessageKind.CASE_CARD, reporter.send_receipt)
    with pytest.raises(ValueError, match="case_card"):
        build_handlers(None)


def test_only_the_posts_in_the_cases_channel_are_behind_the_held_case_rule():
    assert set(organizers.IN_CHANNEL) == {
        MessageKind.CASE_CARD,
        MessageKind.CASE_DETAILS,
        MessageKind.CARD_UPDATE,
        MessageKind.THREAD_LINE,
        MessageKind.PATTERN_NOTE,
        MessageKind.REPORTER_MESSAGE,
        MessageKind.OWN_UP_REVIEW,
        MessageKind.ACK_REMINDER,
        MessageKind.STALE_NUDGE,
    }


def test_a_held_case_gets_nothing_in_a_channel_and_its_dms_still_go(services, stand_in, clock):  # noqa: F811
    file_report(services, clock)
    with services.sessions.begin() as session:
        case = session.scalar(select(Case))
        case.routing, case.channel_id = Routing.HELD, None
        notifier = OutboxNotifier(session, clock())
        for kind in set(organizers.IN_CHANNEL) - {MessageKind.CASE_CARD, MessageKind.CASE_DETAILS}:
            notifier.to_organizers(case.id, kind, **PAYLOADS.get(kind, {}))
        notifier.to_reporter(case.id, MessageKind.ACKNOWLEDGED)

    services.outbox.deliver_due()

    with services.sessions.begin() as session:
        rows = session.execute(select(OutboxMessage.kind, OutboxMessage.state, OutboxMessage.attempts)).all()
    # Held back is done, not retried: each was tried once and counts as sent.
    assert {(state, attempts) for _, state, attempts in rows} == {(OutboxState.SENT, 1)}
    assert len(rows) == len(organizers.IN_CHANNEL) + 2
    assert stand_in.messages(ORGANIZERS) == []
    assert stand_in.calls_to("chat.update") == [] and stand_in.calls_to("conversations.members") == []
    receipt, acknowledged = stand_in.dms_to(REPORTER)
    assert receipt.text == "We've received your report CoC-0001."
    assert acknowledged.ts != receipt.ts
