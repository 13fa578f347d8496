"""The outbox paces itself below Slack's rate limits: the real dispatcher running in the
background, the real handlers and database, against the stand-in with Slack's limits on.

The domain clock stands still in these tests (as in many others): pacing runs in physical
time all the same. The outbox polls only every minute here, so every message after the first
burst goes because the loop woke up when its channel's next slot opened.
"""

import pytest
from sqlalchemy import select

from db.enums import CaseStatus, Category, OutboxState
from db.models import Case, OutboxMessage
from slack_app.runtime.wiring import build_services
from slack_app.sandbox.loopback import ORGANIZERS
from slack_app.sandbox.stand_in import SlackStandIn
from slack_app.sandbox.transcript import message_text
from tests.conftest import stand_in_settings
from tests.e2e.helpers import eventually
from workflows import cases
from workflows.access import Actor
from workflows.outbox import OutboxNotifier
from workflows.reports import ReportForm, submit_report

REPORTER = "U0REPORTER"
OLIVIA = "U0ORGANIZ1"
WAIT = 60.0  # generous deadlines: the machine is shared; nothing here is timed


@pytest.fixture
def stand_in():
    with SlackStandIn() as slack:
        slack.add_user(REPORTER, "rae")
        slack.add_user(OLIVIA, "olivia")
        slack.add_channel(ORGANIZERS, "coc-organizers", members=[OLIVIA])
        yield slack


@pytest.fixture
def services(stand_in, database_url, clean_db, clock):
    settings = stand_in_settings(stand_in, database_url, ORGANIZERS, OUTBOX_POLL_INTERVAL="60s")
    services = build_services(settings, clock=clock, migrate=False)
    yield services
    services.outbox.stop()
    services.engine.dispose()


def file_reports(services, clock, count, *, urgent=(), start=0):
    """``count`` reports committed together (a burst), the ones at positions ``urgent`` urgent."""
    with services.sessions.begin() as session:
        for i in range(start, start + count):
            form = ReportForm(
                description=f"Report number {i}.",
                category=Category.SPAM,
                anonymous=False,
                follow_up_allowed=True,
                apology_wanted=False,
                urgent=i in urgent,
            )
            notifier = OutboxNotifier(session, clock())
            submit_report(session, notifier, form=form, reporter_id=REPORTER, submission_key=f"V{i}", now=clock())


def all_sent(services):
    with services.sessions.begin() as session:
        pending = session.scalars(select(OutboxMessage.id).where(OutboxMessage.state != OutboxState.SENT)).all()
    return not pending


def deliver_everything(services):
    services.outbox.start()
    eventually(lambda: all_sent(services), timeout=WAIT, what="every message sent")


def ratelimited(stand_in):
    return [call.method for call in stand_in.calls if call.error == "ratelimited"]


def shown(message) -> str:
    return message_text(message.to_dict(), str)


def references(services):
    with services.sessions.begin() as session:
        return {case.id: case.reference for case in session.scalars(select(Case))}


def test_a_burst_in_one_channel_gets_no_429_cards_go_first_and_each_case_keeps_its_order(services, stand_in, clock):
    file_reports(services, clock, 5)

    deliver_everything(services)

    posts = stand_in.messages(ORGANIZERS)
    assert ratelimited(stand_in) == []
    # A card and its details per case, beyond the channel's burst: the new cases' cards went
    # before the details of the earlier ones, and each case's details after its own card.
    assert [m.thread_ts is not None for m in posts] == [False] * 5 + [True] * 5
    cards = [m for m in posts if m.thread_ts is None]
    for reference in references(services).values():
        (card,) = [m for m in cards if reference in m.text]
        assert len([m for m in posts if m.thread_ts == card.ts]) == 1
    with services.sessions.begin() as session:
        # Held back for a slot is not an attempt: each message was sent at its first try.
        assert set(session.scalars(select(OutboxMessage.attempts))) == {1}
    # The reporter's five receipts share one DM channel, paced the same way.
    assert len(stand_in.dms_to(REPORTER)) == 5


def test_an_urgent_case_goes_first(services, stand_in, clock):
    file_reports(services, clock, 4, urgent={3})  # the last one filed

    services.outbox.start()
    # The first five posts tell the order (the other cases' details come later).
    posts = stand_in.wait_for(lambda: (m := stand_in.messages(ORGANIZERS))[4:] and m, timeout=WAIT, what="5 posts")

    assert posts[0].text.startswith("Urgent report CoC-0004")
    # Its details next (ready once its card was there), before the cards filed before it.
    assert posts[1].thread_ts == posts[0].ts
    assert [m.thread_ts for m in posts[2:5]] == [None] * 3
    assert ratelimited(stand_in) == []


def test_a_burst_of_changes_to_a_case_updates_its_card_once_with_the_latest_state(services, stand_in, clock):
    file_reports(services, clock, 1)
    deliver_everything(services)
    (case_id,) = references(services)
    actor = Actor(OLIVIA, frozenset({OLIVIA}))

    with services.sessions.begin() as session:  # three changes, three card updates queued
        notifier = OutboxNotifier(session, clock())
        cases.acknowledge_case(session, notifier, case_id=case_id, actor=actor, now=clock())
        cases.assign_case(session, notifier, case_id=case_id, actor=actor, assignee_id=OLIVIA, now=clock())
        cases.change_status(
            session, notifier, case_id=case_id, actor=actor, status=CaseStatus.INVESTIGATING, now=clock()
        )
    services.outbox.wake()
    eventually(lambda: all_sent(services), timeout=WAIT, what="the changes sent")

    assert len(stand_in.calls_to("chat.update")) == 1
    card = stand_in.messages(ORGANIZERS)[0]
    assert "Investigating" in shown(card) and OLIVIA in shown(card)
    assert len([m for m in stand_in.messages(ORGANIZERS) if m.thread_ts == card.ts]) == 4  # details + 3 lines
    with services.sessions.begin() as session:
        updates = session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "card_update").order_by(OutboxMessage.id)
        ).all()
    assert sorted(u.last_error or "" for u in updates) == [
        "",
        f"superseded by {updates[0].id}",
        f"superseded by {updates[0].id}",
    ]

    # A change made after the card was shown gets an update of its own.
    with services.sessions.begin() as session:
        notifier = OutboxNotifier(session, clock())
        cases.change_status(session, notifier, case_id=case_id, actor=actor, status=CaseStatus.RESOLVED, now=clock())
    services.outbox.wake()
    eventually(lambda: all_sent(services), timeout=WAIT, what="the last change sent")
    assert len(stand_in.calls_to("chat.update")) == 2
    assert "Resolved" in shown(stand_in.messages(ORGANIZERS)[0])
