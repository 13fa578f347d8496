"""The stand-in's Socket Mode, held to Slack's documentation with a plain WebSocket client (not
the app's): the URL from apps.connections.open, hello, envelopes and acks, redelivery of
events, disconnect, dropped connections and pings."""

import json
import queue
import threading
from collections.abc import Iterator

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from slack_app.sandbox.stand_in import SlackStandIn
from slack_app.sandbox.stand_in.socket_mode import ACK_DEADLINE

EVENT = {"type": "event_callback", "event_id": "Ev0TESTING1", "event": {"type": "app_home_opened", "user": "U1"}}
CLICK = {"type": "block_actions", "user": {"id": "U1"}, "actions": [{"action_id": "case_acknowledge"}]}


class App:
    """A bare Socket Mode client: what arrives goes into ``inbox``; nothing is acked by itself."""

    def __init__(self, url: str):
        self.connection: ClientConnection = connect(url, legacy=True, open_timeout=5)
        self.inbox: queue.Queue[dict] = queue.Queue()
        self.closed = threading.Event()
        threading.Thread(target=self._receive, daemon=True).start()

    def _receive(self) -> None:
        try:
            for raw in self.connection:
                self.inbox.put(json.loads(raw))
        except ConnectionClosed:
            pass
        self.closed.set()

    def next(self, timeout: float = 5.0) -> dict:
        return self.inbox.get(timeout=timeout)

    def ack(self, envelope: dict, payload: dict | None = None) -> None:
        ack = {"envelope_id": envelope["envelope_id"]}
        if payload is not None:
            ack["payload"] = payload
        self.connection.send(json.dumps(ack))


@pytest.fixture
def stand_in() -> Iterator[SlackStandIn]:
    with SlackStandIn() as running:
        yield running


def open_url(stand_in: SlackStandIn, token: str | None = None) -> str:
    client = WebClient(base_url=stand_in.url)
    return client.apps_connections_open(app_token=token or stand_in.app_token)["url"]


def connected(stand_in: SlackStandIn) -> App:
    app = App(open_url(stand_in))
    assert app.next()["type"] == "hello"
    return app


def deliver_later(stand_in: SlackStandIn, kind: str, payload: dict) -> dict:
    """Deliver on a thread; the returned dict gets the ack (or None) under "ack"."""
    result: dict = {}

    def run() -> None:
        result["ack"] = stand_in.socket_mode.deliver(kind, payload)
        result["done"] = True

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    result["thread"] = thread
    return result


def test_apps_connections_open_takes_only_the_app_level_token(stand_in):
    url = open_url(stand_in)
    assert url.startswith(f"ws://127.0.0.1:{stand_in.socket_mode.port}/link/?ticket=")
    assert url.endswith(f"&app_id={stand_in.app_id}")
    with pytest.raises(SlackApiError) as refused:
        open_url(stand_in, token=stand_in.bot_token)
    assert refused.value.response["error"] == "not_allowed_token_type"
    with pytest.raises(SlackApiError) as unknown:
        open_url(stand_in, token="xapp-1-A0OTHER-1-nope")
    assert unknown.value.response["error"] == "invalid_auth"
    with pytest.raises(SlackApiError) as wrong_way:  # the bot's methods refuse the app token
        WebClient(token=stand_in.app_token, base_url=stand_in.url).chat_postMessage(channel="C1", text="hi")
    assert wrong_way.value.response["error"] == "not_allowed_token_type"


def test_a_connection_url_works_once_and_the_app_is_greeted_with_hello(stand_in):
    url = open_url(stand_in)
    app = App(url)
    hello = app.next()
    assert hello["type"] == "hello"
    assert hello["num_connections"] == 1
    assert hello["connection_info"] == {"app_id": stand_in.app_id}
    assert set(hello["debug_info"]) >= {"host", "approximate_connection_time"}
    with pytest.raises(InvalidStatus) as again:
        App(url)
    assert again.value.response.status_code == 401


def test_an_interaction_arrives_as_an_envelope_and_its_ack_carries_the_answer(stand_in):
    app = connected(stand_in)
    pending = deliver_later(stand_in, "interactive", CLICK)
    envelope = app.next()
    assert envelope["type"] == "interactive"
    assert envelope["payload"] == CLICK
    assert envelope["accepts_response_payload"] is True
    assert "retry_attempt" not in envelope
    app.ack(envelope, {"response_action": "clear"})
    pending["thread"].join(5)
    assert pending["ack"].payload == {"response_action": "clear"}
    assert pending["ack"].attempts == 1


def test_an_event_takes_no_answer_and_is_delivered_again_when_not_acknowledged_in_time(stand_in):
    app = connected(stand_in)
    pending = deliver_later(stand_in, "events_api", EVENT)
    first = app.next()
    assert (first["type"], first["accepts_response_payload"]) == ("events_api", False)
    assert (first["retry_attempt"], first["retry_reason"]) == (0, "")
    again = app.next(timeout=ACK_DEADLINE + 2)  # no ack: Slack tries again
    assert again["payload"] == EVENT and again["envelope_id"] != first["envelope_id"]
    assert (again["retry_attempt"], again["retry_reason"]) == (1, "timeout")
    app.ack(first)  # too late: Slack has given up on that one
    app.ack(again, {"ignored": True})
    pending["thread"].join(5)
    assert pending["ack"].attempts == 2 and pending["ack"].payload is None
    assert [stray["envelope_id"] for stray in stand_in.socket_mode.stray_acks()] == [first["envelope_id"]]


def test_an_interaction_not_acknowledged_in_time_is_not_sent_again(stand_in):
    app = connected(stand_in)
    pending = deliver_later(stand_in, "slash_commands", {"command": "/report", "user_id": "U1"})
    assert app.next()["type"] == "slash_commands"
    pending["thread"].join(ACK_DEADLINE + 2)
    assert pending["ack"] is None
    assert app.inbox.empty()


def test_a_lost_ack_means_the_event_comes_again(stand_in):
    app = connected(stand_in)
    stand_in.socket_mode.lose_acks(1)
    pending = deliver_later(stand_in, "events_api", EVENT)
    first = app.next()
    app.ack(first)
    again = app.next(timeout=ACK_DEADLINE + 2)
    assert again["retry_attempt"] == 1
    app.ack(again)
    pending["thread"].join(5)
    assert pending["ack"].attempts == 2


def test_an_event_whose_connection_drops_before_its_ack_comes_again_on_the_next_connection(stand_in):
    old = connected(stand_in)
    pending = deliver_later(stand_in, "events_api", EVENT)
    first = old.next()
    stand_in.socket_mode.drop()
    assert old.closed.wait(5)
    assert old.connection.protocol.close_rcvd is None  # dropped: no close frame from Slack
    new = connected(stand_in)
    again = new.next(timeout=ACK_DEADLINE + 2)
    assert (again["payload"], again["retry_attempt"]) == (first["payload"], 1)
    new.ack(again)
    pending["thread"].join(5)
    assert pending["ack"].attempts == 2


def test_disconnect_asks_the_app_to_reconnect_and_the_old_connection_closes_once_replaced(stand_in):
    old = connected(stand_in)
    stand_in.socket_mode.send_disconnect("warning")
    message = old.next()
    assert (message["type"], message["reason"]) == ("disconnect", "warning")
    pending = deliver_later(stand_in, "interactive", CLICK)  # waits for the new connection
    new = connected(stand_in)
    envelope = new.next()
    new.ack(envelope)
    pending["thread"].join(5)
    assert pending["ack"] is not None
    assert old.closed.wait(5)
    assert old.inbox.empty()  # nothing went to the connection told to go
    # The app saw the close; the stand-in records it on its own thread.
    stand_in.socket_mode.wait_for(lambda: not stand_in.socket_mode.links()[0].open, what="the old link closed")
    assert [link.open for link in stand_in.socket_mode.links()] == [False, True]


def test_an_envelope_sent_before_a_disconnect_may_be_acked_on_the_new_connection(stand_in):
    # slack_sdk acks on the connection it uses now; the old one stays open until its envelopes
    # are acknowledged, and the ack counts wherever it arrives.
    old = connected(stand_in)
    pending = deliver_later(stand_in, "interactive", CLICK)
    envelope = old.next()
    stand_in.socket_mode.send_disconnect("refresh_requested")
    assert old.next()["type"] == "disconnect"
    new = connected(stand_in)
    assert not old.closed.is_set()  # its envelope is still waiting for an ack
    new.ack(envelope, {"response_action": "clear"})
    pending["thread"].join(5)
    assert pending["ack"].payload == {"response_action": "clear"}
    assert pending["ack"].attempts == 1
    assert old.closed.wait(5)
    assert stand_in.socket_mode.stray_acks() == []


def test_pings_are_answered(stand_in):
    app = connected(stand_in)
    assert app.connection.ping(b"are you there").wait(5)
