"""Socket Mode when the connection is disturbed: Slack asks the app to reconnect, the connection
drops, an ack goes missing. No request is lost, and none is handled twice."""

import logging

import pytest

from slack_app.sandbox.loopback import ORGANIZERS, LocalSpeakOut
from slack_app.sandbox.stand_in.socket_mode import ACK_DEADLINE
from tests.conftest import TEST_ENCRYPTION_KEY
from tests.e2e.helpers import eventually, outbox_drained, report, seen, wait_for_channel, wait_for_dms

DESCRIPTION = "He followed me from the workshop room to the lifts and would not leave."
# The scenarios follow the reporter's words into the case thread, where a team that keeps them
# there (REPORT_WORDS=in_thread) reads them.
ENV = {"ENCRYPTION_KEY": TEST_ENCRYPTION_KEY, "REPORT_WORDS": "in_thread"}


@pytest.fixture
def socket_local(database_url: str, clean_db) -> LocalSpeakOut:
    with LocalSpeakOut(database_url, env=ENV, transport="socket") as running:
        yield running


def filed_case(local: LocalSpeakOut) -> tuple[str, object, object]:
    """Alex reports; returns Alex's id, the case card and Alex's receipt DM."""
    alex = local.cast.participants[0].user_id
    assert report(local, alex, text=DESCRIPTION).slack_error is None
    card, _ = wait_for_channel(local, ORGANIZERS, 2)
    (receipt,) = wait_for_dms(local, alex, 1)
    return alex, card, receipt


def relayed_lines(local: LocalSpeakOut, card) -> list[str]:
    return [seen(local, message) for message in local.stand_in.thread(ORGANIZERS, card.ts)[1:]]


def reply(local: LocalSpeakOut, user: str, receipt, text: str):
    return local.slack.event(local.slack.dm_message(user, text, thread_ts=receipt.ts))


def test_on_disconnect_the_app_opens_a_new_connection_first_and_nothing_goes_astray(socket_local):
    local = socket_local
    alex, card, receipt = filed_case(local)
    socket = local.stand_in.socket_mode

    socket.send_disconnect("refresh_requested")
    socket.wait_connected(2)
    assert reply(local, alex, receipt, "It happened again at the evening social.").status == 200

    eventually(lambda: len(relayed_lines(local, card)) == 1, what="the reply in the case thread")
    assert "It happened again at the evening social." in relayed_lines(local, card)[0]
    eventually(lambda: [link.open for link in socket.links()] == [False, True], what="the old connection closed")
    after = [sent for sent in socket.sent() if sent.type == "events_api"]
    assert [sent.link for sent in after] == [2]  # nothing was sent to the connection told to go
    local.settle()
    assert len(relayed_lines(local, card)) == 1


def test_after_a_dropped_connection_the_app_reconnects_and_gets_what_slack_held(socket_local):
    local = socket_local
    alex, card, receipt = filed_case(local)
    socket = local.stand_in.socket_mode

    socket.drop()
    # Sent while the app is away: Slack holds it until the app is connected again.
    assert reply(local, alex, receipt, "I have a photo of the badge, if that helps.").status == 200

    assert len(socket.links()) == 2 and socket.links()[-1].open
    eventually(lambda: relayed_lines(local, card), what="the reply in the case thread")
    local.settle()
    (line,) = relayed_lines(local, card)
    assert "I have a photo of the badge, if that helps." in line
    assert local.slack.slash_command(alex, "/report").status == 200  # interactions flow again too


def test_an_event_delivered_again_after_a_lost_ack_is_handled_once(socket_local):
    local = socket_local
    alex, card, receipt = filed_case(local)
    socket = local.stand_in.socket_mode

    socket.lose_acks(1)
    answer = reply(local, alex, receipt, "He also messaged me afterwards.")

    assert answer.status == 200
    attempts = [(sent.retry_attempt, sent.type) for sent in socket.sent() if sent.type == "events_api"]
    assert attempts == [(0, "events_api"), (1, "events_api")]  # Slack tried again after 3 s
    assert answer.elapsed < ACK_DEADLINE  # and the app answered the second one at once
    local.settle()
    eventually(lambda: outbox_drained(local), what="every message sent")
    (line,) = relayed_lines(local, card)
    assert "He also messaged me afterwards." in line
    thanks = [dm for dm in local.stand_in.dms_to(alex) if "added that to" in seen(local, dm)]
    assert len(thanks) == 1


def test_the_socket_s_frames_stay_out_of_the_logs_even_at_debug(database_url, clean_db, caplog):
    # At DEBUG from the start: the WebSocket library decides whether to log frames as it connects.
    caplog.set_level(logging.DEBUG)
    with LocalSpeakOut(database_url, env=ENV, transport="socket") as local:
        alex, card, receipt = filed_case(local)
        reply(local, alex, receipt, "The second time was in the cloakroom queue.")
        eventually(lambda: relayed_lines(local, card), what="the reply in the case thread")
        local.settle()
    assert "Socket Mode connection open" in caplog.text  # the log was captured
    # websockets logs the start of every frame at DEBUG; frames carry what people wrote.
    frames = [r for r in caplog.records if r.name.startswith("websockets") and r.levelno < logging.INFO]
    assert frames == []
    assert DESCRIPTION not in caplog.text
    assert "cloakroom queue" not in caplog.text
