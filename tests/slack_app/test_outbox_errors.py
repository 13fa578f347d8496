"""How the outbox treats Slack's errors: the token (pause everything), a channel (pause that
channel), one message (fail it, go on), a rate limit (pause that method). The real dispatcher
and database against the stand-in, with messages queued by hand so each test picks its streams."""

import dataclasses
import logging
from datetime import timedelta

import pytest
from sqlalchemy import select

from db.enums import Category, OutboxState
from db.models import OutboxMessage
from slack_app.bolt.web import health_report
from slack_app.delivery.dispatcher import OutboxDispatcher
from slack_app.runtime.wiring import build_services
from slack_app.sandbox.stand_in import SlackStandIn
from tests.conftest import stand_in_settings
from tests.workflows.recording import RecordingNotifier
from workflows.outbox import organizer_stream
from workflows.reports import ReportForm, submit_report
from workflows.routing import Channels, Membership, route_case

ONE, TWO = "C0CHANNEL1", "C0CHANNEL2"
PROBE = timedelta(seconds=30)


@pytest.fixture
def stand_in():
    with SlackStandIn() as slack:
        slack.add_user("U0PERSON01", "pat")
        slack.add_channel(ONE, "one", members=["U0PERSON01"])
        slack.add_channel(TWO, "two", members=["U0PERSON01"])
        yield slack


@pytest.fixture
def services(stand_in, database_url, clean_db, clock):
    settings = stand_in_settings(stand_in, database_url, ONE)
    services = build_services(settings, clock=clock, migrate=False)
    yield services
    services.engine.dispose()


@pytest.fixture
def outbox(services, clock):
    client = services.client

    def post(message):
        client.chat_postMessage(channel=message.payload["channel"], text=f"message {message.id}")

    def edit(message):
        client.chat_update(channel=message.payload["channel"], ts="1.000001", text="edited")

    def look(message):
        client.conversations_info(channel=message.payload["channel"])

    dispatcher = OutboxDispatcher(
        services.sessions,
        {"post": post, "edit": edit, "look": look},
        clock=clock,
        probe=client.auth_test,
        probe_interval=PROBE,
        workers=1,  # one sender: the streams go in id order, so a test knows which call fails
        # Pacing keeps the test's time too: these tests move the clock by hand between passes
        # (retries, probes), and a paced message would otherwise wait for real seconds.
        monotonic=lambda: clock.now.timestamp(),
    )
    yield dispatcher
    dispatcher.stop()


def queue(services, clock, stream, channel, kind="post", case_id=None):
    with services.sessions.begin() as session:
        message = OutboxMessage(
            stream=stream,
            kind=kind,
            case_id=case_id,
            payload={"channel": channel},
            created_at=clock(),
            available_at=clock(),
        )
        session.add(message)
        session.flush()
        return message.id


def rows(services):
    with services.sessions.begin() as session:
        return {
            row.id: (row.state, row.attempts, row.last_error)
            for row in session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars()
        }


def health(services, outbox):
    return health_report(dataclasses.replace(services, outbox=outbox))


def posted(stand_in, channel):
    return [message.text for message in stand_in.messages(channel)]


# -- the workspace's token ---------------------------------------------------------------------
def test_a_revoked_token_pauses_everything_until_auth_test_says_it_works_again(
    services, outbox, stand_in, clock, caplog
):
    first, second = queue(services, clock, "a", ONE), queue(services, clock, "b", TWO)
    stand_in.fail("chat.postMessage", error="token_revoked", times=None)
    stand_in.fail("auth.test", error="token_revoked", times=None)

    with caplog.at_level(logging.ERROR, logger="slack_app.delivery.dispatcher"):
        stats = outbox.deliver_due()
        clock.advance(seconds=29)
        outbox.deliver_due()  # not time to probe yet: nothing is called

    assert stats.failed == 0 and stats.paused >= 1
    assert {state for state, _, _ in rows(services).values()} == {OutboxState.PENDING}
    assert {attempts for _, attempts, _ in rows(services).values()} == {0}  # no attempt used up
    errors = [record.getMessage() for record in caplog.records if record.levelno == logging.ERROR]
    assert len(errors) == 1 and "token_revoked" in errors[0] and "reinstall" in errors[0]
    assert stand_in.calls_to("auth.test") == []
    status, body = health(services, outbox)
    assert status == "200 OK" and body["ok"] is True
    assert body["slack"]["paused"] == "token_revoked" and "reinstall" in body["slack"]["hint"]
    assert body["slack"]["since"] == (clock.now - timedelta(seconds=29)).isoformat()

    calls = len(stand_in.calls_to("chat.postMessage"))
    clock.advance(seconds=1)
    assert outbox.deliver_due().sent == 0
    assert len(stand_in.calls_to("auth.test")) == 1  # probed, still refused, nothing else tried
    assert len(stand_in.calls_to("chat.postMessage")) == calls

    stand_in.clear_failures()  # the app was reinstalled
    clock.advance(seconds=30)
    assert outbox.deliver_due().sent == 2
    assert posted(stand_in, ONE) == [f"message {first}"] and posted(stand_in, TWO) == [f"message {second}"]
    assert health(services, outbox)[1]["slack"] == {"paused": None, "channels": {}, "rate_limited": {}}


def test_a_token_slack_said_was_revoked_pauses_until_auth_test_takes_it(services, outbox, stand_in, clock):
    queued = queue(services, clock, "a", ONE)
    outbox.pause_for_token("token_revoked")  # the tokens_revoked event

    assert outbox.deliver_due().sent == 0
    assert stand_in.calls_to("chat.postMessage") == [] and stand_in.calls_to("auth.test") == []
    assert health(services, outbox)[1]["slack"]["paused"] == "token_revoked"

    clock.advance(seconds=30)  # time to probe: the token works (the event was about another one)
    assert outbox.deliver_due().sent == 1
    assert posted(stand_in, ONE) == [f"message {queued}"]
    assert health(services, outbox)[1]["slack"]["paused"] is None


# -- one channel -------------------------------------------------------------------------------
def test_an_archived_channel_pauses_only_its_messages_and_a_probe_resumes_it(services, outbox, stand_in, clock):
    held = [queue(services, clock, "a", ONE), queue(services, clock, "a", ONE)]
    other = [queue(services, clock, "b", TWO), queue(services, clock, "b", TWO)]
    stand_in.fail("chat.postMessage", error="is_archived", times=1)  # the first post: stream a's

    outbox.deliver_due()

    assert posted(stand_in, TWO) == [f"message {other[0]}", f"message {other[1]}"]
    assert posted(stand_in, ONE) == []
    state = rows(services)
    assert [state[i][:2] for i in held] == [(OutboxState.PENDING, 0)] * 2
    assert state[held[0]][2].startswith("paused: is_archived: the channel is archived")
    channels = health(services, outbox)[1]["slack"]["channels"]
    assert channels[ONE]["paused"] == "is_archived" and "unarchive" in channels[ONE]["hint"]

    stand_in.fail("chat.postMessage", error="is_archived", times=1)
    clock.advance(seconds=30)
    outbox.deliver_due()  # the probe: the head again, refused again
    clock.advance(seconds=29)
    outbox.deliver_due()  # not yet time for the next probe
    assert len([c for c in stand_in.calls_to("chat.postMessage") if c.params.get("channel") == ONE]) == 2

    clock.advance(seconds=1)  # unarchived by now: the probe goes through, and the rest after it
    assert outbox.deliver_due().sent == 2
    assert posted(stand_in, ONE) == [f"message {held[0]}", f"message {held[1]}"]
    assert health(services, outbox)[1]["slack"]["channels"] == {}


def test_new_messages_to_a_paused_channel_wait_too(services, outbox, stand_in, clock):
    stand_in.fail("chat.postMessage", error="not_in_channel", times=1)
    queue(services, clock, "a", ONE)
    outbox.deliver_due()
    later = queue(services, clock, "a", ONE)
    other = queue(services, clock, "c", TWO)

    outbox.deliver_due()

    assert posted(stand_in, TWO) == [f"message {other}"]
    assert rows(services)[later][:2] == (OutboxState.PENDING, 0)


# -- one message -------------------------------------------------------------------------------
def test_a_message_slack_refuses_as_it_is_fails_at_once_and_its_stream_goes_on(services, outbox, stand_in, clock):
    bad, good = queue(services, clock, "a", ONE, kind="edit"), queue(services, clock, "a", ONE)
    stand_in.fail("chat.update", error="message_not_found", times=None)

    stats = outbox.deliver_due()

    assert (stats.failed, stats.sent) == (1, 1)
    state = rows(services)
    assert state[bad][:2] == (OutboxState.FAILED, 1)
    assert state[bad][2].startswith("message_not_found: the message to change was deleted")
    assert posted(stand_in, ONE) == [f"message {good}"]
    assert health(services, outbox)[1]["outbox"] == {"pending": 0, "failed": 1}


def test_a_message_that_gave_up_still_holds_its_stream(services, outbox, stand_in, clock):
    first, second = queue(services, clock, "a", ONE), queue(services, clock, "a", ONE)
    stand_in.go_down()
    outbox.deliver_due()
    clock.advance(days=1, seconds=1)
    outbox.deliver_due()
    stand_in.come_back()
    clock.advance(minutes=10)

    outbox.deliver_due()

    assert rows(services)[first][0] is OutboxState.FAILED
    assert rows(services)[second][0] is OutboxState.PENDING
    assert posted(stand_in, ONE) == []


# -- rate limits -------------------------------------------------------------------------------
def test_a_rate_limit_pauses_that_method_for_every_stream_and_other_methods_go_on(services, outbox, stand_in, clock):
    limited = queue(services, clock, "a", ONE, kind="look")
    stand_in.fail("conversations.info", status=429, error="ratelimited", retry_after=20, times=1)
    outbox.deliver_due()
    also_limited = queue(services, clock, "b", TWO, kind="look")
    free = queue(services, clock, "c", TWO)

    stats = outbox.deliver_due()

    assert stats.sent == 1 and posted(stand_in, TWO) == [f"message {free}"]
    assert len(stand_in.calls_to("conversations.info")) == 1  # the 429 only: b's didn't call it
    assert rows(services)[also_limited][:2] == (OutboxState.PENDING, 0)
    assert health(services, outbox)[1]["slack"]["rate_limited"] == {
        "conversations.info": (clock.now + timedelta(seconds=20)).isoformat()
    }

    clock.advance(seconds=19)
    outbox.deliver_due()
    assert len(stand_in.calls_to("conversations.info")) == 1
    clock.advance(seconds=1)
    assert outbox.deliver_due().sent == 2
    assert {rows(services)[i][0] for i in (limited, also_limited)} == {OutboxState.SENT}
    assert health(services, outbox)[1]["slack"]["rate_limited"] == {}


def test_a_listener_call_is_not_held_by_the_outbox_rate_limit(services, outbox, stand_in, clock):
    queue(services, clock, "a", ONE, kind="look")
    stand_in.fail("conversations.info", status=429, error="ratelimited", retry_after=20, times=1)
    outbox.deliver_due()

    assert services.client.conversations_info(channel=ONE)["ok"]


def test_a_paused_channel_holds_every_case_living_there_without_trying_them(services, outbox, stand_in, clock):
    with services.sessions.begin() as session:
        cases = [case_in(session, ONE, key, clock()) for key in ("V1", "V2")]
    first = queue(services, clock, organizer_stream(cases[0]), ONE, case_id=cases[0])
    second = queue(services, clock, organizer_stream(cases[1]), ONE, case_id=cases[1])
    stand_in.fail("chat.postMessage", error="not_in_channel", times=1)

    outbox.deliver_due()

    assert len(stand_in.calls_to("chat.postMessage")) == 1  # the second case's message wasn't tried
    assert rows(services)[second][:2] == (OutboxState.PENDING, 0)
    clock.advance(seconds=30)
    assert outbox.deliver_due().sent == 2
    assert posted(stand_in, ONE) == [f"message {first}", f"message {second}"]


def case_in(session, channel, key, now):
    form = ReportForm(
        description="Unwanted pitches.",
        category=Category.SPAM,
        anonymous=True,
        follow_up_allowed=False,
        apology_wanted=False,
    )
    case = submit_report(session, RecordingNotifier(), form=form, reporter_id="U0PERSON01", submission_key=key, now=now)
    members = Membership(organizers=frozenset({"U0ORG1"}), escalation=None)
    return route_case(session, case_id=case.case.id, channels=Channels(channel, None), members=members, now=now).id


def test_a_paused_direct_message_is_not_named_in_healthz_or_the_log(services, outbox, stand_in, clock, caplog):
    dm = stand_in.dm_channel_for("U0PERSON01")
    queue(services, clock, "case-1/reporter", dm)
    stand_in.fail("chat.postMessage", error="channel_not_found", times=1, channel=dm)

    with caplog.at_level(logging.INFO):
        outbox.deliver_due()

    # A DM's id ties a person (a reporter, maybe) to a case: neither the admin's /healthz nor the
    # log names it, or the stream.
    channels = health(services, outbox)[1]["slack"]["channels"]
    assert list(channels) == ["direct message 1"] and channels["direct message 1"]["paused"] == "channel_not_found"
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert "Slack refuses the app in a direct message (channel_not_found)" in logged
    assert dm not in logged and "U0PERSON01" not in logged and "case-1/reporter" not in logged
