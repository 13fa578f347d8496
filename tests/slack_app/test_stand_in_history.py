"""The stand-in keeps each message's metadata and reads history and threads back as Slack's
``conversations.history`` and ``conversations.replies`` do; ``fail(answer_delay=...)`` has Slack
carry a call out and answer late. Driven by the real slack_sdk client."""

from __future__ import annotations

import threading

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from slack_app.sandbox.stand_in import SlackStandIn
from tests.slack_app.test_stand_in import GENERAL, MODS, client, stand_in  # noqa: F401 (fixtures)

MARK = {"event_type": "speakout_outbox", "event_payload": {"outbox_id": 7}}


def post(client: WebClient, channel: str, text: str, **extra) -> str:  # noqa: F811
    return client.chat_postMessage(channel=channel, text=text, **extra)["ts"]


def test_a_posted_message_keeps_its_metadata_and_history_shows_it_only_when_asked(client):  # noqa: F811
    ts = post(client, MODS, "card", metadata=MARK)

    (plain,) = client.conversations_history(channel=MODS)["messages"]
    (full,) = client.conversations_history(channel=MODS, include_all_metadata=True)["messages"]

    assert plain["ts"] == full["ts"] == ts and plain["text"] == "card"
    assert "metadata" not in plain
    assert full["metadata"] == MARK
    assert full["bot_id"] and full["app_id"]


def test_history_is_newest_first_without_thread_replies_between_oldest_and_latest(client):  # noqa: F811
    first, second, third = (post(client, MODS, text) for text in ("one", "two", "three"))
    post(client, MODS, "a reply", thread_ts=first)

    assert [m["text"] for m in client.conversations_history(channel=MODS)["messages"]] == ["three", "two", "one"]
    between = client.conversations_history(channel=MODS, oldest=first, latest=third)["messages"]
    assert [m["ts"] for m in between] == [second]
    inclusive = client.conversations_history(channel=MODS, oldest=first, latest=third, inclusive=True)["messages"]
    assert [m["ts"] for m in inclusive] == [third, second, first]


def test_history_pages_with_a_cursor(stand_in: SlackStandIn, client):  # noqa: F811
    stand_in.rate_limits.enabled = False  # five posts at once, more than a channel's burst: paging is the point
    sent = [post(client, MODS, f"message {n}") for n in range(5)]

    pages, cursor = [], None
    while True:
        answer = client.conversations_history(channel=MODS, limit=2, cursor=cursor)
        pages.append([m["ts"] for m in answer["messages"]])
        cursor = answer["response_metadata"]["next_cursor"]
        assert answer["has_more"] is bool(cursor)
        if not cursor:
            break
    assert pages == [sent[::-1][0:2], sent[::-1][2:4], sent[::-1][4:]]


def test_replies_give_the_parent_first_then_the_thread_oldest_first(client):  # noqa: F811
    parent = post(client, MODS, "card")
    early = post(client, MODS, "details", thread_ts=parent, metadata=MARK)
    late = post(client, MODS, "note", thread_ts=parent)
    post(client, MODS, "elsewhere")

    thread = client.conversations_replies(channel=MODS, ts=parent, include_all_metadata=True)["messages"]
    assert [m["ts"] for m in thread] == [parent, early, late]
    assert thread[1]["metadata"] == MARK and "metadata" not in thread[2]
    # The parent leads whatever the range; the replies are cut by it.
    after = client.conversations_replies(channel=MODS, ts=parent, oldest=early)["messages"]
    assert [m["ts"] for m in after] == [parent, late]
    assert "metadata" not in client.conversations_replies(channel=MODS, ts=parent)["messages"][1]


def test_replies_to_a_message_that_isnt_there_are_thread_not_found(client):  # noqa: F811
    post(client, MODS, "card")
    with pytest.raises(SlackApiError) as error:
        client.conversations_replies(channel=MODS, ts="1700000000.000100")
    assert error.value.response["error"] == "thread_not_found"


def test_a_dm_with_the_bot_is_readable(stand_in: SlackStandIn, client):  # noqa: F811
    dm = client.conversations_open(users="U0ADA")["channel"]["id"]
    ts = post(client, dm, "your receipt", metadata=MARK)
    (message,) = client.conversations_history(channel=dm, include_all_metadata=True)["messages"]
    assert (message["ts"], message["metadata"]) == (ts, MARK)


@pytest.mark.parametrize("method", ["conversations_history", "conversations_replies"])
def test_the_bot_reads_only_conversations_it_is_in(stand_in: SlackStandIn, client, method):  # noqa: F811
    ts = post(client, MODS, "card")
    post(client, GENERAL, "hello")
    stand_in.set_members(MODS, ["U0ADA"], bot_member=False)  # private: it no longer exists for the bot
    stand_in.set_members(GENERAL, ["U0ADA"], bot_member=False)  # public: the bot isn't in it

    for channel, expected in (
        (MODS, "channel_not_found"),
        (GENERAL, "not_in_channel"),
        ("C0NOWHERE", "channel_not_found"),
    ):
        with pytest.raises(SlackApiError) as error:
            getattr(client, method)(channel=channel, ts=ts)
        assert error.value.response["error"] == expected, channel


def test_bad_bounds_and_cursors_are_refused_as_slack_does(client):  # noqa: F811
    for arguments, expected in (
        ({"oldest": "yesterday"}, "invalid_ts_oldest"),
        ({"latest": "soon"}, "invalid_ts_latest"),
        ({"cursor": "not-a-cursor"}, "invalid_cursor"),
    ):
        with pytest.raises(SlackApiError) as error:
            client.conversations_history(channel=MODS, **arguments)
        assert error.value.response["error"] == expected


def test_an_answer_delay_posts_the_message_at_once_and_answers_late(stand_in: SlackStandIn, client):  # noqa: F811
    stand_in.fail("chat.postMessage", error=None, answer_delay=30.0, times=1, channel=MODS)
    answered = threading.Event()

    def send() -> None:
        try:
            client.chat_postMessage(channel=MODS, text="slow to hear back")
        except Exception:  # the stand-in stops at the end of the test; the answer may be lost
            return
        answered.set()

    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    # Slack has the message (history shows it) while the app still waits for the answer.
    stand_in.wait_for(lambda: stand_in.messages(MODS), timeout=5, what="the message to be posted")
    assert [m["text"] for m in client.conversations_history(channel=MODS)["messages"]] == ["slow to hear back"]
    assert not answered.is_set()
    stand_in.clear_failures()
    stand_in.stop()  # cuts the held answer short
    sender.join(5)
