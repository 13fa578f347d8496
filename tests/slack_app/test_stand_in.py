"""Tests for the Slack stand-in, driven by the real slack_sdk / slack_bolt clients."""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from http.client import RemoteDisconnected
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.error import URLError
from urllib.parse import parse_qsl
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator
from slack_sdk.signature import SignatureVerifier
from slack_sdk.webhook import WebhookClient

from slack_app.sandbox.stand_in import Call, Message, SlackRequests, SlackStandIn, slack_signature

SECRET = "stand-in-test-signing-secret"
MODS = "C0MODS"
GENERAL = "C0GENERAL"


# --------------------------------------------------------------------------- fixtures


@pytest.fixture
def stand_in() -> Iterator[SlackStandIn]:
    with SlackStandIn() as slack:
        slack.add_user("U0ADA", "ada", real_name="Ada Lovelace")
        slack.add_user("U0BOB", "bob")
        slack.add_user("U0CY", "cy")
        slack.add_user("U0OTHERBOT", "otherbot", is_bot=True)
        slack.add_channel(MODS, "moderators", members=["U0ADA", "U0BOB"])
        slack.add_channel(GENERAL, "general", members=["U0ADA", "U0BOB", "U0CY"], is_private=False)
        yield slack


@pytest.fixture
def client(stand_in: SlackStandIn) -> WebClient:
    return WebClient(token=stand_in.bot_token, base_url=stand_in.url, retry_handlers=[])


@dataclass
class Received:
    """What the echo app got."""

    headers: dict[str, str]
    body: str
    signature_valid: bool

    @property
    def form(self) -> dict[str, str]:
        return dict(parse_qsl(self.body, keep_blank_values=True))

    @property
    def payload(self) -> dict[str, Any]:
        """The interactivity payload (form field) or the JSON body."""
        if self.headers.get("content-type", "").startswith("application/json"):
            return json.loads(self.body)
        return json.loads(self.form["payload"])


class EchoApp:
    """A tiny app server: verifies Slack signatures with slack_sdk's SignatureVerifier,
    records requests, answers with queued answers or echoes what it got."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.answers: deque[tuple[int, str]] = deque()
        verifier = SignatureVerifier(SECRET)
        app = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k.lower(): v for k, v in self.headers.items()}
                valid = verifier.is_valid_request(raw, headers)
                body = raw.decode()
                app.received.append(Received(headers, body, valid))
                if not valid:
                    status, answer = 401, "invalid signature"
                elif app.answers:
                    status, answer = app.answers.popleft()
                else:
                    status, answer = 200, json.dumps({"echo": body})
                encoded = answer.encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json" if answer.startswith("{") else "text/plain")
                self.send_header("Content-Length", str(len(encoded)))
                self.end_headers()
                self.wfile.write(encoded)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/slack/events"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def answer(self, status: int = 200, body: str | dict[str, Any] = "") -> None:
        self.answers.append((status, body if isinstance(body, str) else json.dumps(body)))

    @property
    def last(self) -> Received:
        return self.received[-1]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def echo() -> Iterator[EchoApp]:
    app = EchoApp()
    yield app
    app.close()


@pytest.fixture
def slack(echo: EchoApp, stand_in: SlackStandIn) -> SlackRequests:
    return SlackRequests(echo.url, SECRET, stand_in)


def modal(*blocks: dict[str, Any], callback_id: str = "report", **extra: Any) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": callback_id,
        "title": {"type": "plain_text", "text": "Report"},
        "submit": {"type": "plain_text", "text": "Send"},
        "blocks": list(blocks),
        **extra,
    }


def text_input(block_id: str, *, optional: bool = False, **element: Any) -> dict[str, Any]:
    return {
        "type": "input",
        "block_id": block_id,
        "optional": optional,
        "label": {"type": "plain_text", "text": block_id},
        "element": {"type": "plain_text_input", "action_id": f"{block_id}_input", **element},
    }


def option(value: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": value.title()}, "value": value}


def shown(stand_in: SlackStandIn, user: str, *, home: bool = False) -> dict[str, Any]:
    """The modal (or Home tab) the user sees; fails the test if there is none."""
    view = stand_in.home_view(user) if home else stand_in.open_view(user)
    assert view is not None, f"{user} sees no {'home tab' if home else 'modal'}"
    return view


def closed(stand_in: SlackStandIn, user: str) -> dict[str, Any]:
    view = stand_in.record_view_closed(user)
    assert view is not None
    return view


def open_modal(stand_in: SlackStandIn, client: WebClient, user: str, view: dict[str, Any]) -> dict[str, Any]:
    return client.views_open(trigger_id=stand_in.issue_trigger(user), view=view)["view"]


# --------------------------------------------------------------------- Part 1: Web API


def test_lifecycle_and_url() -> None:
    slack = SlackStandIn().start()
    assert slack.url == f"http://127.0.0.1:{slack.port}/api/"
    assert WebClient(token=slack.bot_token, base_url=slack.url).auth_test()["ok"]
    url = slack.url
    slack.stop()
    slack.stop()  # idempotent
    with pytest.raises(URLError):
        urllib.request.urlopen(url + "auth.test", data=b"", timeout=2)


def test_auth_test_and_auth_errors(stand_in: SlackStandIn, client: WebClient) -> None:
    answer = client.auth_test()
    assert answer["user_id"] == "USPEAKOUTBOT"
    assert answer["team_id"] == "T0SPEAKOUT"
    assert answer["bot_id"] and answer["url"]

    with pytest.raises(SlackApiError) as missing:
        WebClient(base_url=stand_in.url, retry_handlers=[]).auth_test()
    assert missing.value.response["error"] == "not_authed"
    with pytest.raises(SlackApiError) as wrong:
        WebClient(token="xoxb-wrong", base_url=stand_in.url).auth_test()
    assert wrong.value.response["error"] == "invalid_auth"

    calls = stand_in.calls_to("auth.test")
    assert [(c.token, c.failed, c.error) for c in calls] == [
        ("xoxb-stand-in", False, None),
        (None, True, "not_authed"),
        ("xoxb-wrong", True, "invalid_auth"),
    ]
    assert all(isinstance(c, Call) for c in calls)
    assert calls[0].at <= calls[1].at <= calls[2].at


def test_unknown_method_is_an_ok_false_answer(stand_in: SlackStandIn, client: WebClient) -> None:
    with pytest.raises(SlackApiError) as error:
        client.api_call("chat.teleport", json={"channel": MODS})
    assert error.value.response.status_code == 200
    assert error.value.response["error"] == "unknown_method"
    assert stand_in.calls[-1].method == "chat.teleport"


def test_json_strings_in_form_bodies_are_decoded(stand_in: SlackStandIn, client: WebClient) -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*new report*"}}]
    client.chat_postMessage(channel=MODS, text="json body", blocks=blocks, metadata={"event_type": "x"})
    client.api_call("chat.postMessage", data={"channel": MODS, "text": "form body", "blocks": json.dumps(blocks)})

    json_call, form_call = stand_in.calls_to("chat.postMessage")
    assert json_call.params["blocks"] == blocks == form_call.params["blocks"]
    assert json_call.params["metadata"] == {"event_type": "x"}
    assert [m.blocks for m in stand_in.messages(MODS)] == [blocks, blocks]


def test_post_message_shapes_and_unique_timestamps(stand_in: SlackStandIn, client: WebClient) -> None:
    answer = client.chat_postMessage(channel=MODS, text="hello")
    assert answer["channel"] == MODS
    assert answer["message"]["text"] == "hello"
    assert answer["message"]["user"] == stand_in.bot_user_id
    assert answer["message"]["ts"] == answer["ts"]

    # 21 posts in one channel at once are beyond Slack's burst; this test is about timestamps.
    stand_in.rate_limits.enabled = False
    threads = [
        threading.Thread(target=client.chat_postMessage, kwargs={"channel": MODS, "text": f"m{i}"}) for i in range(20)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stamps = [m.ts for m in stand_in.messages(MODS)]
    assert len(stamps) == len(set(stamps)) == 21
    assert stamps == sorted(stamps, key=float)
    seconds, micros = stamps[0].split(".")
    assert seconds.isdigit() and len(micros) == 6
    message = stand_in.message(MODS, answer["ts"])
    assert isinstance(message, Message) and message.text == "hello" and message.ephemeral_for is None


@pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing")
def test_post_message_errors(stand_in: SlackStandIn, client: WebClient) -> None:
    stand_in.add_channel("C0NOBOT", "no-bot", members=["U0ADA"], bot_member=False, is_private=False)
    too_long = [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}]
    cases: list[tuple[dict[str, Any], str]] = [
        ({"channel": "C0NOPE", "text": "x"}, "channel_not_found"),
        ({"channel": "U0NOBODY", "text": "x"}, "channel_not_found"),
        ({"channel": MODS}, "no_text"),
        ({"channel": MODS, "text": ""}, "no_text"),
        ({"channel": "C0NOBOT", "text": "x"}, "not_in_channel"),
        ({"channel": "U0OTHERBOT", "text": "x"}, "cannot_dm_bot"),
        ({"channel": MODS, "text": "x", "blocks": too_long}, "invalid_blocks"),
    ]
    for kwargs, expected in cases:
        with pytest.raises(SlackApiError) as error:
            client.chat_postMessage(**kwargs)
        assert error.value.response["error"] == expected, kwargs
    assert "/blocks/0/text/text" in error.value.response["response_metadata"]["messages"][0]
    assert stand_in.messages() == []
    assert all(c.failed for c in stand_in.calls_to("chat.postMessage"))

    stand_in.set_members(GENERAL, ["U0ADA"], bot_member=False)  # the bot was removed from a public channel
    with pytest.raises(SlackApiError) as error:
        client.chat_postMessage(channel=GENERAL, text="x")
    assert error.value.response["error"] == "not_in_channel"


def test_a_private_channel_without_the_bot_does_not_exist_for_it(stand_in: SlackStandIn, client: WebClient) -> None:
    ts = client.chat_postMessage(channel=MODS, text="report #1")["ts"]
    stand_in.set_members(MODS, ["U0ADA", "U0BOB"], bot_member=False)  # the bot was removed from the channel
    stand_in.add_channel("C0NEVER", "never-invited", members=["U0ADA"], bot_member=False)
    calls: list[tuple[str, dict[str, Any]]] = [
        ("conversations.members", {"channel": MODS}),
        ("conversations.info", {"channel": MODS}),
        ("conversations.kick", {"channel": MODS, "user": "U0BOB"}),
        ("chat.postMessage", {"channel": MODS, "text": "x"}),
        ("chat.postEphemeral", {"channel": MODS, "user": "U0ADA", "text": "x"}),
        ("chat.update", {"channel": MODS, "ts": ts, "text": "x"}),
        ("chat.delete", {"channel": MODS, "ts": ts}),
        ("chat.getPermalink", {"channel": MODS, "message_ts": ts}),
        ("chat.postMessage", {"channel": "C0NEVER", "text": "x"}),
        ("conversations.members", {"channel": "C0NEVER"}),
    ]
    for method, params in calls:
        with pytest.raises(SlackApiError) as error:
            client.api_call(method, json=params)
        assert error.value.response["error"] == "channel_not_found", method
    assert stand_in.members(MODS) == ["U0ADA", "U0BOB"]
    assert [m.text for m in stand_in.messages(MODS)] == ["report #1"]

    # A public channel the bot is not in can still be read; posting needs an invitation.
    stand_in.set_members(GENERAL, ["U0ADA", "U0CY"], bot_member=False)
    assert client.conversations_members(channel=GENERAL)["members"] == ["U0ADA", "U0CY"]
    assert client.conversations_info(channel=GENERAL)["channel"]["is_member"] is False
    with pytest.raises(SlackApiError) as error:
        client.chat_postMessage(channel=GENERAL, text="x")
    assert error.value.response["error"] == "not_in_channel"


def test_an_archived_channel_refuses_posts_but_lists_its_members(stand_in: SlackStandIn, client: WebClient) -> None:
    stand_in.archive_channel(MODS)
    assert client.conversations_info(channel=MODS)["channel"]["is_archived"] is True
    assert "U0ADA" in client.conversations_members(channel=MODS)["members"]
    with pytest.raises(SlackApiError) as error:
        client.chat_postMessage(channel=MODS, text="x")
    assert error.value.response["error"] == "is_archived"


def test_threads(stand_in: SlackStandIn, client: WebClient) -> None:
    parent = client.chat_postMessage(channel=MODS, text="report #1")["ts"]
    first = client.chat_postMessage(channel=MODS, text="claimed", thread_ts=parent)
    # Replying to a reply lands in the parent's thread, as in Slack.
    client.chat_postMessage(channel=MODS, text="resolved", thread_ts=first["ts"])
    client.chat_postMessage(channel=MODS, text="report #2")

    assert first["message"]["thread_ts"] == parent
    assert [m.text for m in stand_in.thread(MODS, parent)] == ["claimed", "resolved"]
    assert [m.text for m in stand_in.messages(MODS)] == ["report #1", "claimed", "resolved", "report #2"]


def test_direct_messages(stand_in: SlackStandIn, client: WebClient) -> None:
    opened = client.conversations_open(users="U0ADA")
    again = client.conversations_open(users=["U0ADA"])
    dm = opened["channel"]["id"]
    assert dm == again["channel"]["id"] == stand_in.dm_channel_for("U0ADA") == "D0ADA"
    assert again["already_open"] is True

    posted = client.chat_postMessage(channel="U0ADA", text="thanks for your report")
    client.chat_postMessage(channel=dm, text="we are on it")
    assert posted["channel"] == dm
    assert [m.text for m in stand_in.dms_to("U0ADA")] == ["thanks for your report", "we are on it"]
    assert stand_in.dms_to("U0BOB") == []
    assert client.conversations_info(channel=dm)["channel"]["is_im"] is True

    with pytest.raises(SlackApiError) as error:
        client.conversations_open(users="U0NOBODY")
    assert error.value.response["error"] == "user_not_found"


@pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing")
def test_update_keeps_history_and_delete(stand_in: SlackStandIn, client: WebClient) -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "status: *open*"}}]
    ts = client.chat_postMessage(channel=MODS, text="open", blocks=blocks)["ts"]
    client.chat_update(channel=MODS, ts=ts, text="claimed")
    new_blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "status: *closed*"}}]
    answer = client.chat_update(channel=MODS, ts=ts, text="closed", blocks=new_blocks)

    assert answer["ts"] == ts and answer["message"]["text"] == "closed"
    message = stand_in.message(MODS, ts)
    assert message is not None
    assert (message.text, message.blocks) == ("closed", new_blocks)
    assert [(v.text, v.blocks) for v in message.edits] == [("open", blocks), ("claimed", blocks)]
    assert [m.text for m in stand_in.messages(MODS)] == ["closed"]

    for kwargs, expected in [
        ({"channel": MODS, "ts": "1.000000", "text": "x"}, "message_not_found"),
        ({"channel": "C0NOPE", "ts": ts, "text": "x"}, "channel_not_found"),
        ({"channel": MODS, "ts": ts}, "no_text"),
    ]:
        with pytest.raises(SlackApiError) as error:
            client.chat_update(**kwargs)
        assert error.value.response["error"] == expected

    client.chat_delete(channel=MODS, ts=ts)
    assert stand_in.messages(MODS) == []


def test_ephemeral_messages(stand_in: SlackStandIn, client: WebClient) -> None:
    answer = client.chat_postEphemeral(channel=GENERAL, user="U0CY", text="only you can see this")
    assert answer["message_ts"]
    [message] = stand_in.ephemerals_for("U0CY")
    assert (message.channel, message.ts, message.ephemeral_for) == (GENERAL, answer["message_ts"], "U0CY")
    assert stand_in.ephemerals_for("U0ADA") == []

    for channel, user, expected in [
        (MODS, "U0CY", "user_not_in_channel"),
        ("D0ADA", "U0BOB", "user_not_in_channel"),  # only Ada is in her DM with the bot
        (GENERAL, "U0NOBODY", "user_not_found"),
    ]:
        with pytest.raises(SlackApiError) as error:
            client.chat_postEphemeral(channel=channel, user=user, text="not a member")
        assert error.value.response["error"] == expected, (channel, user)
    assert client.chat_postEphemeral(channel="D0ADA", user="U0ADA", text="in the DM")["message_ts"]

    # The bot must be able to post there too: in a public channel it is not in, Slack refuses.
    stand_in.set_members(GENERAL, ["U0ADA", "U0BOB", "U0CY"], bot_member=False)
    with pytest.raises(SlackApiError) as error:
        client.chat_postEphemeral(channel=GENERAL, user="U0CY", text="the bot was removed")
    assert error.value.response["error"] == "not_in_channel"
    assert [m.text for m in stand_in.ephemerals_for("U0CY")] == ["only you can see this"]
    with pytest.raises(SlackApiError) as error:
        client.chat_update(channel=GENERAL, ts=answer["message_ts"], text="x")
    assert error.value.response["error"] == "message_not_found"


def test_permalink(stand_in: SlackStandIn, client: WebClient) -> None:
    ts = client.chat_postMessage(channel=MODS, text="x")["ts"]
    link = client.chat_getPermalink(channel=MODS, message_ts=ts)["permalink"]
    assert link == f"https://stand-in.slack.test/archives/{MODS}/p{ts.replace('.', '')}"
    with pytest.raises(SlackApiError) as error:
        client.chat_getPermalink(channel=MODS, message_ts="1.000000")
    assert error.value.response["error"] == "message_not_found"


def test_members_pagination(stand_in: SlackStandIn, client: WebClient) -> None:
    crowd = [f"U{i:04d}" for i in range(250)]
    stand_in.add_channel("C0BIG", "big", members=crowd, bot_member=False, is_private=False)

    pages = [page["members"] for page in client.conversations_members(channel="C0BIG")]
    assert [len(p) for p in pages] == [100, 100, 50]
    assert [member for page in pages for member in page] == crowd

    first = client.conversations_members(channel="C0BIG", limit=7)
    second = client.conversations_members(channel="C0BIG", limit=7, cursor=first["response_metadata"]["next_cursor"])
    assert first["members"] + second["members"] == crowd[:14]

    stand_in.set_members("C0BIG", ["U0ADA"])
    last = client.conversations_members(channel="C0BIG")
    assert last["members"] == ["U0ADA"]
    assert last["response_metadata"]["next_cursor"] == ""
    assert stand_in.members(MODS) == ["U0ADA", "U0BOB", stand_in.bot_user_id]

    for channel, cursor, expected in [("C0NOPE", None, "channel_not_found"), (MODS, "%%", "invalid_cursor")]:
        with pytest.raises(SlackApiError) as error:
            client.conversations_members(channel=channel, cursor=cursor)
        assert error.value.response["error"] == expected


def test_conversations_info_and_kick(stand_in: SlackStandIn, client: WebClient) -> None:
    info = client.conversations_info(channel=MODS, include_num_members=True)["channel"]
    assert (info["id"], info["name"], info["is_private"], info["is_member"], info["num_members"]) == (
        MODS,
        "moderators",
        True,
        True,
        3,
    )
    assert client.conversations_info(channel=GENERAL)["channel"]["is_channel"] is True

    assert client.conversations_kick(channel=MODS, user="U0BOB")["ok"]
    assert "U0BOB" not in client.conversations_members(channel=MODS)["members"]
    for kwargs, expected in [
        ({"channel": MODS, "user": "U0BOB"}, "not_in_channel"),
        ({"channel": MODS, "user": stand_in.bot_user_id}, "cant_kick_self"),
        ({"channel": "C0NOPE", "user": "U0ADA"}, "channel_not_found"),
    ]:
        with pytest.raises(SlackApiError) as error:
            client.conversations_kick(**kwargs)
        assert error.value.response["error"] == expected


def test_users_info(client: WebClient) -> None:
    user = client.users_info(user="U0ADA")["user"]
    assert (user["id"], user["name"], user["real_name"], user["is_bot"]) == ("U0ADA", "ada", "Ada Lovelace", False)
    assert user["profile"]["display_name"] == "ada"
    assert client.users_info(user="USPEAKOUTBOT")["user"]["is_bot"] is True
    with pytest.raises(SlackApiError) as error:
        client.users_info(user="U0NOBODY")
    assert error.value.response["error"] == "user_not_found"


# -------------------------------------------------------------------------------- views


def test_views_open_and_triggers(stand_in: SlackStandIn, client: WebClient) -> None:
    view = modal(
        text_input("what"), {"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}, private_metadata="p1"
    )
    opened = open_modal(stand_in, client, "U0ADA", view)
    assert opened["id"].startswith("V") and opened["hash"] and opened["root_view_id"] == opened["id"]
    assert (opened["callback_id"], opened["private_metadata"], opened["type"]) == ("report", "p1", "modal")
    assert opened["state"] == {"values": {}}
    assert opened["blocks"][0]["block_id"] == "what"
    assert opened["blocks"][1]["block_id"]  # Slack fills in missing block ids
    assert stand_in.open_view("U0ADA") == opened
    assert stand_in.open_view("U0BOB") is None

    used = stand_in.issue_trigger("U0BOB")
    client.views_open(trigger_id=used, view=view)
    expired = stand_in.issue_trigger("U0BOB", issued_at=time.monotonic() - 3.5)
    for trigger, expected in [
        (used, "exchanged_trigger_id"),
        (expired, "expired_trigger_id"),
        ("1.2.nope", "invalid_trigger_id"),
    ]:
        with pytest.raises(SlackApiError) as error:
            client.views_open(trigger_id=trigger, view=view)
        assert error.value.response["error"] == expected


def test_views_are_validated_like_slack(stand_in: SlackStandIn, client: WebClient) -> None:
    bad = [
        modal(text_input("what"), title={"type": "plain_text", "text": "A title far longer than 24 chars"}),
        modal(text_input("what"), private_metadata="x" * 3001),
        modal(text_input("what"), submit=None),
        modal(text_input("same"), text_input("same")),
        {"type": "home", "blocks": []},
    ]
    for view in bad:
        with pytest.raises(SlackApiError) as error:
            client.views_open(trigger_id=stand_in.issue_trigger("U0ADA"), view=view)
        assert error.value.response["error"] == "invalid_arguments"
        assert error.value.response["response_metadata"]["messages"]


def test_views_push_update_and_close(stand_in: SlackStandIn, client: WebClient) -> None:
    root = open_modal(stand_in, client, "U0ADA", modal(text_input("what"), external_id="report-1"))
    pushed = client.views_push(
        trigger_id=stand_in.issue_trigger("U0ADA"), view=modal(text_input("more"), callback_id="more")
    )["view"]
    assert pushed["root_view_id"] == root["id"] and pushed["previous_view_id"] == root["id"]
    assert [v["id"] for v in stand_in.view_stack("U0ADA")] == [root["id"], pushed["id"]]

    updated = client.views_update(
        view_id=pushed["id"], hash=pushed["hash"], view=modal(text_input("other"), callback_id="more")
    )["view"]
    assert updated["id"] == pushed["id"] and updated["hash"] != pushed["hash"]
    assert shown(stand_in, "U0ADA")["blocks"][0]["block_id"] == "other"
    by_external = client.views_update(external_id="report-1", view=modal(text_input("what"), external_id="report-1"))
    assert by_external["view"]["id"] == root["id"]

    for kwargs, expected in [
        ({"view_id": pushed["id"], "hash": pushed["hash"]}, "hash_conflict"),
        ({"view_id": "V0NOPE"}, "not_found"),
    ]:
        with pytest.raises(SlackApiError) as error:
            client.views_update(view=modal(text_input("x")), **kwargs)
        assert error.value.response["error"] == expected

    client.views_push(trigger_id=stand_in.issue_trigger("U0ADA"), view=modal(text_input("third")))
    with pytest.raises(SlackApiError) as error:
        client.views_push(trigger_id=stand_in.issue_trigger("U0ADA"), view=modal(text_input("fourth")))
    assert error.value.response["error"] == "push_limit_reached"

    assert closed(stand_in, "U0ADA")["blocks"][0]["block_id"] == "third"
    assert shown(stand_in, "U0ADA")["id"] == pushed["id"]
    stand_in.close_views("U0ADA")
    assert stand_in.open_view("U0ADA") is None


def test_views_publish(stand_in: SlackStandIn, client: WebClient) -> None:
    home = {"type": "home", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Your reports"}}]}
    first = client.views_publish(user_id="U0ADA", view=home)["view"]
    again = client.views_publish(user_id="U0ADA", view=home, hash=first["hash"])["view"]
    assert again["id"] == first["id"] and shown(stand_in, "U0ADA", home=True)["hash"] == again["hash"]
    assert stand_in.home_view("U0BOB") is None
    with pytest.raises(SlackApiError) as error:
        client.views_publish(user_id="U0ADA", view=home, hash=first["hash"])
    assert error.value.response["error"] == "hash_conflict"


# -------------------------------------------------------------------- failure injection


def test_fail_once_then_recover(stand_in: SlackStandIn, client: WebClient) -> None:
    stand_in.fail("chat.postMessage")
    with pytest.raises(SlackApiError) as error:
        client.chat_postMessage(channel=MODS, text="x")
    assert error.value.response.status_code == 200 and error.value.response["error"] == "internal_error"
    assert client.chat_postMessage(channel=MODS, text="x")["ok"]
    assert [c.failed for c in stand_in.calls_to("chat.postMessage")] == [True, False]
    assert len(stand_in.messages(MODS)) == 1


def test_a_failure_meant_for_one_channel_leaves_the_others_alone(stand_in: SlackStandIn, client: WebClient) -> None:
    stand_in.fail("chat.postMessage", channel=MODS)
    assert client.chat_postMessage(channel=GENERAL, text="x")["ok"]
    with pytest.raises(SlackApiError) as error:
        client.chat_postMessage(channel=MODS, text="x")
    assert error.value.response["error"] == "internal_error"
    assert client.chat_postMessage(channel=MODS, text="x")["ok"]
    assert [(c.params["channel"], c.failed) for c in stand_in.calls_to("chat.postMessage")] == [
        (GENERAL, False),
        (MODS, True),
        (MODS, False),
    ]


def test_fail_with_server_errors_until_cleared(stand_in: SlackStandIn, client: WebClient) -> None:
    stand_in.fail("users.info", error="fatal_error", status=503, times=None)
    for _ in range(3):
        with pytest.raises(SlackApiError) as error:
            client.users_info(user="U0ADA")
        assert error.value.response.status_code == 503
    assert client.auth_test()["ok"]  # other methods are unaffected
    stand_in.clear_failures()
    assert client.users_info(user="U0ADA")["ok"]


def test_rate_limit_sends_retry_after(stand_in: SlackStandIn, client: WebClient) -> None:
    stand_in.fail("chat.postMessage", error="ratelimited", status=429, retry_after=7)
    with pytest.raises(SlackApiError) as error:
        client.chat_postMessage(channel=MODS, text="x")
    assert error.value.response.status_code == 429
    assert error.value.response.headers["Retry-After"] == "7"
    assert error.value.response["error"] == "ratelimited"

    # slack_sdk's own rate-limit handler honours the header and retries.
    stand_in.fail("chat.postMessage", error="ratelimited", status=429, retry_after=0)
    patient = WebClient(token=stand_in.bot_token, base_url=stand_in.url, retry_handlers=[RateLimitErrorRetryHandler()])
    assert patient.chat_postMessage(channel=MODS, text="x")["ok"]
    assert [c.error for c in stand_in.calls_to("chat.postMessage")] == ["ratelimited", "ratelimited", None]


def test_dropped_connection(stand_in: SlackStandIn, client: WebClient) -> None:
    stand_in.fail("chat.postMessage", drop=True)
    with pytest.raises((RemoteDisconnected, URLError, ConnectionError)):
        client.chat_postMessage(channel=MODS, text="x")
    assert stand_in.calls_to("chat.postMessage")[-1].error == "dropped"

    stand_in.fail("chat.postMessage", drop=True)
    retrying = ConnectionErrorRetryHandler(interval_calculator=FixedValueRetryIntervalCalculator(0))
    resilient = WebClient(token=stand_in.bot_token, base_url=stand_in.url, retry_handlers=[retrying])
    assert resilient.chat_postMessage(channel=MODS, text="x")["ok"]
    assert len(stand_in.messages(MODS)) == 1


def test_slow_api_and_timeouts(stand_in: SlackStandIn) -> None:
    stand_in.fail("auth.test", error=None, delay=30)
    impatient = WebClient(token=stand_in.bot_token, base_url=stand_in.url, timeout=0.2, retry_handlers=[])  # type: ignore[arg-type]
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        impatient.auth_test()
    assert time.monotonic() - started < 5
    # stop() (fixture teardown) wakes the sleeping request instead of waiting 30 s.


def test_slow_but_successful_and_latency() -> None:
    with SlackStandIn(latency=0.1) as slack:
        client = WebClient(token=slack.bot_token, base_url=slack.url)
        started = time.monotonic()
        assert client.auth_test()["ok"]
        assert time.monotonic() - started >= 0.1
        slack.fail("auth.test", error=None, delay=0.1)
        started = time.monotonic()
        assert client.auth_test()["ok"]
        assert time.monotonic() - started >= 0.2
        assert [c.failed for c in slack.calls] == [False, False]

        # Calls wait in parallel: 20 concurrent calls take about one latency, not twenty.
        callers = [threading.Thread(target=client.auth_test) for _ in range(20)]
        started = time.monotonic()
        for caller in callers:
            caller.start()
        for caller in callers:
            caller.join()
        assert time.monotonic() - started < 1.0
        assert len(slack.calls_to("auth.test")) == 22


def test_outage(stand_in: SlackStandIn, client: WebClient) -> None:
    stand_in.go_down()
    for call in (client.auth_test, lambda: client.chat_postMessage(channel=MODS, text="x")):
        with pytest.raises(SlackApiError) as error:
            call()
        assert error.value.response.status_code == 503
    stand_in.come_back()
    assert client.chat_postMessage(channel=MODS, text="x")["ok"]
    assert [c.failed for c in stand_in.calls] == [True, True, False]


def test_wait_for(stand_in: SlackStandIn, client: WebClient) -> None:
    poster = threading.Thread(target=client.chat_postMessage, kwargs={"channel": "U0BOB", "text": "update"})
    poster.start()
    [message] = stand_in.wait_for(lambda: stand_in.dms_to("U0BOB"), timeout=5, what="a DM to bob")
    poster.join()
    assert message.text == "update"

    with pytest.raises(TimeoutError, match=r"timed out after 0.05s waiting for a DM to cy"):
        stand_in.wait_for(lambda: stand_in.dms_to("U0CY"), timeout=0.05, what="a DM to cy")
    stand_in.reset_calls()
    assert stand_in.calls == []


# ------------------------------------------------------------ Part 2: requests into the app


def test_post_signs_like_slack(slack: SlackRequests, echo: EchoApp) -> None:
    assert slack.post("a=1&b=2").status == 200
    got = echo.last
    assert got.signature_valid
    assert got.headers["content-type"] == "application/x-www-form-urlencoded"
    assert got.headers["x-slack-signature"] == slack_signature(
        SECRET, got.headers["x-slack-request-timestamp"], "a=1&b=2"
    )
    assert SignatureVerifier(SECRET).is_valid(
        "a=1&b=2", got.headers["x-slack-request-timestamp"], got.headers["x-slack-signature"]
    )

    # Hostile inputs: HTTP errors come back as Responses.
    for kwargs in ({"sign": False}, {"secret": "wrong"}, {"timestamp": int(time.time()) - 600}):
        response = slack.post("a=1", **kwargs)
        assert (response.status, response.body, response.json()) == (401, "invalid signature", None)
        assert not echo.last.signature_valid
    assert "x-slack-signature" not in echo.received[1].headers
    assert slack.post("text=café ✓".encode()).status == 200  # raw bytes are signed as sent
    assert echo.last.signature_valid and echo.last.body == "text=café ✓"
    custom = slack.post('{"x": 1}', content_type="application/json", headers={"X-Extra": "1"})
    assert custom.json() == {"echo": '{"x": 1}'} and echo.last.headers["x-extra"] == "1"


def test_slash_command(slack: SlackRequests, echo: EchoApp, stand_in: SlackStandIn, client: WebClient) -> None:
    response = slack.slash_command("U0ADA", text="someone was rude", channel_id=GENERAL)
    assert response.status == 200
    form = echo.last.form
    assert echo.last.signature_valid
    assert {
        k: form[k] for k in ("command", "text", "user_id", "user_name", "channel_id", "channel_name", "team_id")
    } == {
        "command": "/report",
        "text": "someone was rude",
        "user_id": "U0ADA",
        "user_name": "ada",
        "channel_id": GENERAL,
        "channel_name": "general",
        "team_id": "T0SPEAKOUT",
    }
    assert form["api_app_id"] and form["token"]
    # The trigger is fresh and belongs to the user; the response_url reaches the stand-in.
    opened = client.views_open(trigger_id=form["trigger_id"], view=modal(text_input("what")))
    assert shown(stand_in, "U0ADA")["id"] == opened["view"]["id"]
    assert WebhookClient(form["response_url"]).send(text="Thanks, we got it").status_code == 200
    [ephemeral] = stand_in.ephemerals_for("U0ADA")
    assert (ephemeral.channel, ephemeral.text) == (GENERAL, "Thanks, we got it")
    WebhookClient(form["response_url"]).send(text="Visible to all", response_type="in_channel")
    assert stand_in.messages(GENERAL)[-1].ephemeral_for is None
    assert stand_in.calls_to("response_url")[0].params["text"] == "Thanks, we got it"


def test_message_shortcut(slack: SlackRequests, echo: EchoApp, stand_in: SlackStandIn) -> None:
    posted = stand_in.post_user_message("U0BOB", GENERAL, "something offensive")
    slack.message_shortcut("U0ADA", "report_message", channel_id=GENERAL, message=posted)
    payload = echo.last.payload
    assert echo.last.signature_valid and set(echo.last.form) == {"payload"}
    assert payload["type"] == "message_action"
    assert payload["callback_id"] == "report_message"
    assert payload["user"] == {"id": "U0ADA", "username": "ada", "name": "ada", "team_id": "T0SPEAKOUT"}
    assert payload["channel"] == {"id": GENERAL, "name": "general"}
    assert payload["message_ts"] == posted.ts
    assert (payload["message"]["ts"], payload["message"]["user"], payload["message"]["text"]) == (
        posted.ts,
        "U0BOB",
        "something offensive",
    )
    assert payload["trigger_id"] and payload["response_url"] and payload["team"]["id"] == "T0SPEAKOUT"


def test_block_action_in_a_view(slack: SlackRequests, echo: EchoApp, stand_in: SlackStandIn, client: WebClient) -> None:
    severity = {
        "type": "static_select",
        "action_id": "severity",
        "options": [option("low"), option("high")],
        "placeholder": {"type": "plain_text", "text": "How bad?"},
    }
    view = modal(
        text_input("what"),
        {"type": "actions", "block_id": "tools", "elements": [severity]},
        {
            "type": "section",
            "block_id": "anon",
            "text": {"type": "mrkdwn", "text": "Stay anonymous?"},
            "accessory": {
                "type": "button",
                "action_id": "toggle_anon",
                "text": {"type": "plain_text", "text": "Toggle"},
                "value": "on",
            },
        },
    )
    opened = open_modal(stand_in, client, "U0ADA", view)

    slack.block_action("U0ADA", "severity", value="high")
    payload = echo.last.payload
    assert payload["type"] == "block_actions"
    assert payload["container"] == {"type": "view", "view_id": opened["id"]}
    [action] = payload["actions"]
    assert (action["action_id"], action["block_id"], action["type"]) == ("severity", "tools", "static_select")
    assert action["selected_option"] == option("high")
    assert payload["view"]["state"]["values"]["tools"]["severity"]["selected_option"] == option("high")
    assert shown(stand_in, "U0ADA")["state"]["values"]["tools"]["severity"]["selected_option"]["value"] == "high"

    slack.block_action("U0ADA", "toggle_anon", view=opened)  # a stale copy: the current view is sent
    payload = echo.last.payload
    [action] = payload["actions"]
    assert (action["type"], action["block_id"], action["value"], action["text"]["text"]) == (
        "button",
        "anon",
        "on",
        "Toggle",
    )
    assert payload["view"]["state"]["values"]["tools"]["severity"]["selected_option"]["value"] == "high"
    assert payload["trigger_id"] != echo.received[0].payload["trigger_id"]

    radio = {"type": "radio_buttons", "selected_option": option("x")}
    slack.block_action("U0ADA", "somewhere", block_id="elsewhere", selected=radio)
    assert echo.last.payload["actions"][0] | {"action_ts": None} == {
        "action_id": "somewhere",
        "block_id": "elsewhere",
        "type": "radio_buttons",
        "selected_option": option("x"),
        "action_ts": None,
    }
    with pytest.raises(ValueError, match="no option with value 'medium'"):
        slack.block_action("U0ADA", "severity", value="medium")
    stand_in.close_views("U0ADA")
    with pytest.raises(LookupError):
        slack.block_action("U0ADA", "severity", value="high")


def test_block_action_on_a_message(
    slack: SlackRequests, echo: EchoApp, stand_in: SlackStandIn, client: WebClient
) -> None:
    blocks = [
        {
            "type": "actions",
            "block_id": "report_actions",
            "elements": [
                {
                    "type": "button",
                    "action_id": "claim",
                    "value": "r-1",
                    "text": {"type": "plain_text", "text": "Claim"},
                }
            ],
        }
    ]
    ts = client.chat_postMessage(channel=MODS, text="New report", blocks=blocks)["ts"]
    message = stand_in.message(MODS, ts)
    assert message is not None
    slack.block_action("U0BOB", "claim", message=message)
    payload = echo.last.payload
    assert payload["container"] == {"type": "message", "message_ts": ts, "channel_id": MODS, "is_ephemeral": False}
    assert payload["channel"] == {"id": MODS, "name": "moderators"}
    assert payload["message"]["ts"] == ts and payload["message"]["blocks"] == blocks
    assert payload["actions"][0]["value"] == "r-1" and payload["actions"][0]["block_id"] == "report_actions"

    # The response_url of a message interaction can replace the original message.
    WebhookClient(payload["response_url"]).send(text="Claimed by bob", replace_original=True)
    updated = stand_in.message(MODS, ts)
    assert updated is not None and updated.text == "Claimed by bob" and updated.edits[0].text == "New report"
    WebhookClient(payload["response_url"]).send(text="", delete_original=True)
    assert stand_in.message(MODS, ts) is None
    ts = client.chat_postMessage(channel=MODS, text="New report", blocks=blocks)["ts"]

    slack.block_action("U0BOB", "claim", message={"ts": ts, "text": "New report"}, value="r-2")
    assert echo.last.payload["container"]["channel_id"] == MODS  # found by ts
    assert echo.last.payload["actions"][0]["value"] == "r-2"


ALL_ELEMENTS_VIEW = modal(
    text_input("what", initial_value="It happened at lunch"),
    text_input("where"),
    text_input("contact", optional=True),
    {
        "type": "input",
        "block_id": "severity",
        "label": {"type": "plain_text", "text": "Severity"},
        "element": {
            "type": "static_select",
            "action_id": "pick",
            "option_groups": [
                {"label": {"type": "plain_text", "text": "All"}, "options": [option("low"), option("high")]}
            ],
            "initial_option": option("low"),
        },
    },
    {
        "type": "input",
        "block_id": "anonymous",
        "label": {"type": "plain_text", "text": "Anonymous?"},
        "element": {"type": "radio_buttons", "action_id": "pick", "options": [option("yes"), option("no")]},
    },
    {
        "type": "input",
        "block_id": "kinds",
        "optional": True,
        "label": {"type": "plain_text", "text": "Kinds"},
        "element": {"type": "checkboxes", "action_id": "pick", "options": [option("verbal"), option("physical")]},
    },
    {
        "type": "input",
        "block_id": "who",
        "optional": True,
        "label": {"type": "plain_text", "text": "Who"},
        "element": {"type": "multi_users_select", "action_id": "pick", "initial_users": ["U0BOB"]},
    },
    {
        "type": "input",
        "block_id": "lead",
        "optional": True,
        "label": {"type": "plain_text", "text": "Lead"},
        "element": {"type": "users_select", "action_id": "pick"},
    },
    {
        "type": "input",
        "block_id": "room",
        "optional": True,
        "label": {"type": "plain_text", "text": "Room"},
        "element": {"type": "conversations_select", "action_id": "pick", "initial_conversation": GENERAL},
    },
    {
        "type": "input",
        "block_id": "channel",
        "optional": True,
        "label": {"type": "plain_text", "text": "Channel"},
        "element": {"type": "channels_select", "action_id": "pick"},
    },
    {
        "type": "input",
        "block_id": "day",
        "optional": True,
        "label": {"type": "plain_text", "text": "Day"},
        "element": {"type": "datepicker", "action_id": "pick", "initial_date": "2024-05-01"},
    },
    {
        "type": "input",
        "block_id": "time",
        "optional": True,
        "label": {"type": "plain_text", "text": "Time"},
        "element": {"type": "timepicker", "action_id": "pick"},
    },
    {
        "type": "input",
        "block_id": "people",
        "optional": True,
        "label": {"type": "plain_text", "text": "People involved"},
        "element": {"type": "number_input", "action_id": "pick", "is_decimal_allowed": False},
    },
    {"type": "section", "block_id": "info", "text": {"type": "mrkdwn", "text": "Thanks"}},
)


def test_submit_view_state_shapes(
    slack: SlackRequests, echo: EchoApp, stand_in: SlackStandIn, client: WebClient
) -> None:
    opened = open_modal(stand_in, client, "U0ADA", ALL_ELEMENTS_VIEW)
    echo.answer(200, "")
    response = slack.submit_view(
        "U0ADA",
        {
            "where": "Main hall",
            "anonymous": "yes",
            "kinds": ["verbal", "physical"],
            "lead": "U0CY",
            "channel": MODS,
            "time": "12:30",
            "people": 3,
        },
    )
    assert response.status == 200 and response.slack_error is None
    payload = echo.last.payload
    assert payload["type"] == "view_submission"
    assert payload["user"]["id"] == "U0ADA" and payload["team"]["id"] == "T0SPEAKOUT" and payload["trigger_id"]
    sent = payload["view"]
    assert (sent["id"], sent["hash"], sent["callback_id"]) == (opened["id"], opened["hash"], "report")
    assert sent["blocks"] == opened["blocks"]
    values = sent["state"]["values"]
    assert set(values) == {b["block_id"] for b in opened["blocks"] if b["type"] == "input"}
    assert values["what"]["what_input"] == {"type": "plain_text_input", "value": "It happened at lunch"}
    assert values["where"]["where_input"] == {"type": "plain_text_input", "value": "Main hall"}
    assert values["contact"]["contact_input"] == {"type": "plain_text_input", "value": None}
    assert values["severity"]["pick"] == {"type": "static_select", "selected_option": option("low")}
    assert values["anonymous"]["pick"] == {"type": "radio_buttons", "selected_option": option("yes")}
    assert values["kinds"]["pick"] == {"type": "checkboxes", "selected_options": [option("verbal"), option("physical")]}
    assert values["who"]["pick"] == {"type": "multi_users_select", "selected_users": ["U0BOB"]}
    assert values["lead"]["pick"] == {"type": "users_select", "selected_user": "U0CY"}
    assert values["room"]["pick"] == {"type": "conversations_select", "selected_conversation": GENERAL}
    assert values["channel"]["pick"] == {"type": "channels_select", "selected_channel": MODS}
    assert values["day"]["pick"] == {"type": "datepicker", "selected_date": "2024-05-01"}
    assert values["time"]["pick"] == {"type": "timepicker", "selected_time": "12:30"}
    assert values["people"]["pick"] == {"type": "number_input", "value": "3"}
    assert stand_in.open_view("U0ADA") is None  # the empty 200 closed the modal


def test_submit_view_refuses_what_slack_would_refuse(
    slack: SlackRequests, stand_in: SlackStandIn, client: WebClient
) -> None:
    open_modal(stand_in, client, "U0ADA", ALL_ELEMENTS_VIEW)
    with pytest.raises(ValueError, match="no option with value 'medium'"):
        slack.submit_view("U0ADA", {"where": "x", "anonymous": "yes", "severity": "medium"})
    with pytest.raises(ValueError, match="no input block"):
        slack.submit_view("U0ADA", {"where": "x", "anonymous": "yes", "info": "x"})
    with pytest.raises(ValueError, match="'where' is required"):
        slack.submit_view("U0ADA", {"anonymous": "yes"})
    stand_in.close_views("U0ADA")
    with pytest.raises(LookupError):
        slack.submit_view("U0ADA")


def test_submit_view_applies_the_apps_answer(
    slack: SlackRequests, echo: EchoApp, stand_in: SlackStandIn, client: WebClient
) -> None:
    root = open_modal(stand_in, client, "U0ADA", modal(text_input("what"), external_id="root"))

    echo.answer(200, {"response_action": "errors", "errors": {"what": "Please tell us more"}})
    response = slack.submit_view("U0ADA", {"what": "x"})
    assert response.errors == {"what": "Please tell us more"} and response.slack_error is None
    assert shown(stand_in, "U0ADA")["id"] == root["id"]

    echo.answer(200, {"response_action": "errors", "errors": {"nope": "x"}})
    assert "not input blocks" in (slack.submit_view("U0ADA", {"what": "x"}).slack_error or "")

    echo.answer(200, {"response_action": "update", "view": modal(text_input("confirm"), callback_id="confirm")})
    assert slack.submit_view("U0ADA", {"what": "long enough"}).response_action == "update"
    updated = shown(stand_in, "U0ADA")
    assert (updated["id"], updated["callback_id"]) == (root["id"], "confirm") and updated["hash"] != root["hash"]

    echo.answer(200, {"response_action": "push", "view": modal(text_input("extra"), callback_id="extra")})
    slack.submit_view("U0ADA", {"confirm": "ok"})
    assert [v["callback_id"] for v in stand_in.view_stack("U0ADA")] == ["confirm", "extra"]

    echo.answer(200, "")  # an empty 200 closes just the submitted view
    slack.submit_view("U0ADA", {"extra": "ok"})
    assert shown(stand_in, "U0ADA")["callback_id"] == "confirm"

    echo.answer(500, "boom")
    assert slack.submit_view("U0ADA", {"confirm": "ok"}).slack_error == "the app answered HTTP 500"
    assert shown(stand_in, "U0ADA")["callback_id"] == "confirm"

    echo.answer(200, {"response_action": "clear"})
    slack.submit_view("U0ADA", {"confirm": "ok"})
    assert stand_in.open_view("U0ADA") is None


def test_close_view_notifies_when_asked(
    slack: SlackRequests, echo: EchoApp, stand_in: SlackStandIn, client: WebClient
) -> None:
    open_modal(stand_in, client, "U0ADA", modal(text_input("what")))
    assert slack.close_view("U0ADA") is None and echo.received == []
    opened = open_modal(stand_in, client, "U0ADA", modal(text_input("what"), notify_on_close=True))
    assert slack.close_view("U0ADA") is not None
    assert echo.last.payload["type"] == "view_closed" and echo.last.payload["view"]["id"] == opened["id"]
    assert stand_in.open_view("U0ADA") is None


def test_events(slack: SlackRequests, echo: EchoApp, stand_in: SlackStandIn) -> None:
    event = slack.dm_message("U0ADA", "I need to report something")
    assert (event["type"], event["channel_type"], event["channel"], event["user"]) == (
        "message",
        "im",
        "D0ADA",
        "U0ADA",
    )
    slack.event(event, retry_num=1, event_id="Ev0FIXED")
    got = echo.last
    assert got.signature_valid and got.headers["content-type"] == "application/json"
    assert (got.headers["x-slack-retry-num"], got.headers["x-slack-retry-reason"]) == ("1", "http_timeout")
    body = got.payload
    assert (body["type"], body["event_id"], body["team_id"], body["event"]) == (
        "event_callback",
        "Ev0FIXED",
        "T0SPEAKOUT",
        event,
    )
    # Every field Slack's Events API puts beside the event.
    assert (body["context_team_id"], body["context_enterprise_id"], body["api_app_id"]) == (
        "T0SPEAKOUT",
        None,
        "A0SPEAKOUT",
    )
    assert isinstance(body["event_context"], str) and body["event_context"].startswith("4-")
    assert isinstance(body["event_time"], int) and body["is_ext_shared_channel"] is False
    assert body["authorizations"] == [
        {
            "enterprise_id": None,
            "team_id": "T0SPEAKOUT",
            "user_id": "USPEAKOUTBOT",
            "is_bot": True,
            "is_enterprise_install": False,
        }
    ]
    # The user's message exists in the DM, so the bot can reply in its thread.
    assert stand_in.messages("D0ADA")[0].ts == event["ts"]
    reply = slack.dm_message("U0ADA", "more details", thread_ts=event["ts"])
    assert reply["thread_ts"] == event["ts"]

    slack.event({"type": "app_mention", "text": "hi"})
    assert "x-slack-retry-num" not in echo.last.headers
    assert echo.last.payload["event_id"].startswith("Ev")

    slack.home_opened("U0BOB")
    home_event = echo.last.payload["event"]
    assert (home_event["type"], home_event["user"], home_event["tab"]) == ("app_home_opened", "U0BOB", "home")


# -------------------------------------------------------------- end to end with slack_bolt


class _QuietWSGIHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def test_a_bolt_app_end_to_end(stand_in: SlackStandIn) -> None:
    app = App(
        token=stand_in.bot_token,
        signing_secret=SECRET,
        client=WebClient(token=stand_in.bot_token, base_url=stand_in.url),
    )

    @app.command("/report")
    def open_report(ack: Any, body: dict[str, Any], client: WebClient) -> None:
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=modal(text_input("what")))

    @app.view("report")
    def submitted(ack: Any, view: dict[str, Any], client: WebClient) -> None:
        what = view["state"]["values"]["what"]["what_input"]["value"]
        if len(what) < 10:
            ack(response_action="errors", errors={"what": "Please tell us a bit more"})
            return
        ack()
        client.chat_postMessage(channel=MODS, text=f"New report: {what}")

    @app.event("message")
    def direct_message(event: dict[str, Any], context: Any, client: WebClient) -> None:
        # Bolt reads the team from the envelope Slack sends (team_id, context_team_id, authorizations).
        client.chat_postMessage(channel=event["channel"], thread_ts=event["ts"], text=f"got it ({context.team_id})")

    server = make_server("127.0.0.1", 0, SlackRequestHandler(app), handler_class=_QuietWSGIHandler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        slack = SlackRequests(f"http://127.0.0.1:{server.server_port}/slack/events", SECRET, stand_in)
        assert slack.slash_command("U0ADA").status == 200
        stand_in.wait_for(lambda: stand_in.open_view("U0ADA"), what="the report modal")

        rejected = slack.submit_view("U0ADA", {"what": "rude"})
        assert rejected.errors == {"what": "Please tell us a bit more"}
        assert stand_in.open_view("U0ADA") is not None

        assert slack.submit_view("U0ADA", {"what": "Someone shouted at me"}).status == 200
        assert stand_in.open_view("U0ADA") is None
        [posted] = stand_in.wait_for(lambda: stand_in.messages(MODS), what="the report in #moderators")
        assert posted.text == "New report: Someone shouted at me"
        assert slack.post("command=/report", secret="forged").status == 401

        message = slack.dm_message("U0ADA", "one more thing")
        assert slack.event(message).status == 200
        [reply] = stand_in.wait_for(lambda: stand_in.dms_to("U0ADA"), what="Bolt's answer to the DM")
        assert (reply.text, reply.thread_ts) == ("got it (T0SPEAKOUT)", message["ts"])
    finally:
        server.shutdown()
        server.server_close()
