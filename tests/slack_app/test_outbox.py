"""Outbox delivery with an injected clock: order, retries, rate limits, permanent failures."""

import pytest
from sqlalchemy import func, select

from db.enums import Category, OutboxState
from db.health_queries import health
from db.models import Case, OutboxMessage, ReceivedReport
from db.session import make_sessionmaker
from slack_app.delivery.dispatcher import CHORE_BATCH
from slack_app.runtime.wiring import build_services
from slack_app.sandbox.loopback import ORGANIZERS
from slack_app.sandbox.stand_in import SlackStandIn
from tests.conftest import stand_in_settings
from tests.e2e.helpers import eventually
from workflows.intake import receive_report
from workflows.outbox import OutboxNotifier
from workflows.reports import ReportForm, submit_report

REPORTER = "U0REPORTER"


@pytest.fixture
def stand_in():
    with SlackStandIn() as slack:
        slack.add_user(REPORTER, "rae")
        slack.add_user("U0ORGANIZ1", "olivia")
        slack.add_channel(ORGANIZERS, "coc-organizers", members=["U0ORGANIZ1"])
        yield slack


@pytest.fixture
def services(stand_in, database_url, clean_db, clock):
    settings = stand_in_settings(stand_in, database_url, ORGANIZERS)
    services = build_services(settings, clock=clock, migrate=False)
    yield services
    services.engine.dispose()


def file_report(services, clock, key="V1"):
    with services.sessions.begin() as session:
        form = ReportForm(
            description="Unwanted pitches all day.",
            category=Category.SPAM,
            anonymous=False,
            follow_up_allowed=True,
            apology_wanted=False,
        )
        submit_report(
            session, OutboxNotifier(session, clock()), form=form, reporter_id=REPORTER, submission_key=key, now=clock()
        )


def states(services):
    with make_sessionmaker(services.engine).begin() as session:
        return [
            tuple(row)
            for row in session.execute(
                select(OutboxMessage.kind, OutboxMessage.state, OutboxMessage.attempts).order_by(OutboxMessage.id)
            )
        ]


def test_everything_is_delivered_in_order(services, stand_in, clock):
    file_report(services, clock)
    stats = services.outbox.deliver_due()

    assert stats.sent == 3
    card, details = stand_in.messages(ORGANIZERS)
    assert card.text.startswith("New report CoC-0001") and details.thread_ts == card.ts
    assert stand_in.dms_to(REPORTER)[0].text == "We've received your report CoC-0001."
    assert {state for _, state, _ in states(services)} == {OutboxState.SENT}


def test_a_server_error_is_retried_with_backoff_and_the_thread_keeps_its_order(services, stand_in, clock):
    file_report(services, clock)
    # Routing the card asks for the channel's members: that fails; the reporter's stream doesn't need it.
    stand_in.fail("conversations.members", status=500, error="internal_error", times=1)

    services.outbox.deliver_due()
    # The card failed: its details wait behind it; the reporter's own stream went on.
    assert states(services) == [
        ("case_card", OutboxState.PENDING, 1),
        ("case_details", OutboxState.PENDING, 0),
        ("receipt", OutboxState.SENT, 1),
    ]
    assert stand_in.messages(ORGANIZERS) == []

    clock.advance(seconds=1)
    assert services.outbox.deliver_due().sent == 0  # backoff not over yet
    clock.advance(seconds=1)
    assert services.outbox.deliver_due().sent == 2
    card, details = stand_in.messages(ORGANIZERS)
    assert details.thread_ts == card.ts


def test_a_rate_limit_waits_for_retry_after_in_real_time_whatever_the_domain_clock_says(services, stand_in, clock):
    file_report(services, clock)
    stand_in.fail("conversations.members", status=429, error="ratelimited", retry_after=1, times=1)

    services.outbox.deliver_due()
    services.outbox.deliver_due()  # within the second Slack asked for: not asked again
    assert len(stand_in.calls_to("conversations.members")) == 1 and stand_in.messages(ORGANIZERS) == []
    assert states(services)[0] == ("case_card", OutboxState.PENDING, 0)  # no attempt used up

    def delivered() -> bool:
        services.outbox.deliver_due()
        return len(stand_in.messages(ORGANIZERS)) == 2

    eventually(delivered, timeout=5, what="the card and details")  # the test's clock stood still


def test_a_channel_without_the_app_pauses_its_messages_with_what_to_fix_until_it_is_fixed(services, stand_in, clock):
    stand_in.set_members(ORGANIZERS, ["U0ORGANIZ1"], bot_member=False)  # private: Slack hides it from the app
    file_report(services, clock)

    services.outbox.deliver_due()

    assert states(services) == [
        ("case_card", OutboxState.PENDING, 0),
        ("case_details", OutboxState.PENDING, 0),
        ("receipt", OutboxState.SENT, 1),
    ]
    with services.sessions.begin() as session:
        error = session.scalar(select(OutboxMessage.last_error).where(OutboxMessage.kind == "case_card"))
        assert error.startswith("paused: channel_not_found: check ORGANIZER_CHANNEL_ID")
        assert (health(session).outbox_failed, health(session).outbox_pending) == (0, 2)
        # Routing could not list the channel, so the case has no channel yet and no Home shows it;
        # the admin sees the pause in /healthz (tests/e2e/test_home.py covers the Home line).
    assert services.outbox.slack_status()["channels"][ORGANIZERS]["paused"] == "channel_not_found"

    stand_in.set_members(ORGANIZERS, ["U0ORGANIZ1"], bot_member=True)
    clock.advance(seconds=30)
    assert services.outbox.deliver_due().sent == 2
    card, details = stand_in.messages(ORGANIZERS)
    assert details.thread_ts == card.ts
    assert services.outbox.slack_status()["channels"] == {}


def test_a_card_slack_refuses_fails_at_once_and_its_thread_waits_for_it(services, stand_in, clock):
    file_report(services, clock)
    stand_in.fail("conversations.members", error="invalid_arguments", times=1)

    services.outbox.deliver_due()

    # The details can't go without the card's ts: they wait with a retry, as the card failed for good.
    assert states(services) == [
        ("case_card", OutboxState.FAILED, 1),
        ("case_details", OutboxState.PENDING, 1),
        ("receipt", OutboxState.SENT, 1),
    ]


def test_a_message_that_keeps_failing_gives_up_after_a_day(services, stand_in, clock):
    file_report(services, clock)
    stand_in.go_down()
    services.outbox.deliver_due()
    clock.advance(days=1, seconds=1)
    services.outbox.deliver_due()
    assert [state for _, state, _ in states(services)] == [OutboxState.FAILED, OutboxState.PENDING, OutboxState.FAILED]


def test_two_dispatchers_never_send_the_same_message(services, stand_in, clock):
    file_report(services, clock)
    second = build_services(services.settings, clock=clock, migrate=False)
    try:
        stand_in.fail("chat.postMessage", error=None, delay=0.3, times=None)  # slow, so the passes overlap
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(2) as pool:
            list(pool.map(lambda s: s.outbox.deliver_due(), [services, second]))
    finally:
        second.engine.dispose()
    assert len(stand_in.messages(ORGANIZERS)) == 2
    assert len(stand_in.dms_to(REPORTER)) == 1


def receive_reports(services, clock, count: int) -> None:
    """What a burst of submissions leaves: received reports, not yet opened as cases."""
    form = ReportForm(
        description="He kept pitching his startup in every session.",
        category=Category.SPAM,
        anonymous=True,
        follow_up_allowed=False,
        apology_wanted=False,
    )
    for n in range(count):
        with services.sessions.begin() as session:
            receive_report(session, form=form, reporter_id=REPORTER, submission_key=f"VBURST{n}", now=clock())


def cases_and_received(services) -> tuple[int, int]:
    with services.sessions.begin() as session:
        return session.scalar(select(func.count(Case.id))), session.scalar(select(func.count(ReceivedReport.id)))


def test_one_pass_opens_a_burst_larger_than_a_batch_and_sends_its_cards(services, stand_in, clock):
    receive_reports(services, clock, 2 * CHORE_BATCH + 5)

    services.outbox.deliver_due()

    assert cases_and_received(services) == (2 * CHORE_BATCH + 5, 0)
    assert stand_in.messages(ORGANIZERS), "cards went out in the same pass"


def test_every_received_report_is_opened_while_slack_refuses_the_token(services, stand_in, clock):
    services.outbox.pause_for_token("token_revoked")
    receive_reports(services, clock, 2 * CHORE_BATCH + 5)

    services.outbox.deliver_due()

    assert cases_and_received(services) == (2 * CHORE_BATCH + 5, 0)
    assert stand_in.calls_to("chat.postMessage") == []
