"""The stand-in's rate limits: the buckets with a hand-moved clock, and the answers Slack gives
(429, ``ratelimited``, ``Retry-After``) through the real slack_sdk client."""

from collections.abc import Iterator

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from slack_app.sandbox.stand_in import SlackStandIn
from slack_app.sandbox.stand_in.rate_limits import POST_BURST, RateLimits

ONE, TWO = "C0CHANNEL1", "C0CHANNEL2"


class Ticks:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def ticks() -> Ticks:
    return Ticks()


@pytest.fixture
def limits(ticks: Ticks) -> RateLimits:
    return RateLimits(clock=ticks)


def post(limits: RateLimits, channel: str) -> int | None:
    return limits.retry_after("chat.postMessage", {"channel": channel})


def test_a_channel_takes_a_short_burst_then_one_message_a_second(limits, ticks):
    assert [post(limits, ONE) for _ in range(POST_BURST)] == [None] * POST_BURST
    assert post(limits, ONE) == 1
    ticks.now += 0.5
    assert post(limits, ONE) == 1  # half a token: still refused, and the refusal used nothing
    ticks.now += 0.5
    assert post(limits, ONE) is None
    assert post(limits, ONE) == 1


def test_each_channel_has_its_own_limit(limits):
    for _ in range(POST_BURST):
        post(limits, ONE)
    assert post(limits, ONE) == 1
    assert post(limits, TWO) is None


def test_a_tier_allows_a_minutes_worth_then_its_rate(limits, ticks):
    # chat.update is Tier 3: 50 a minute, for the whole workspace whatever the channel.
    answers = [limits.retry_after("chat.update", {"channel": f"C{i}"}) for i in range(51)]
    assert answers[:50] == [None] * 50
    assert answers[50] == 2  # 1.2 s until the next token, rounded up
    ticks.now += 1.2
    assert limits.retry_after("chat.update", {}) is None
    # Another method has its own bucket; an untiered one is never limited.
    assert limits.retry_after("views.open", {}) is None
    assert all(limits.retry_after("auth.test", {}) is None for _ in range(500))


def test_a_bucket_fills_up_to_its_burst_only(limits, ticks):
    ticks.now += 3600
    assert [post(limits, ONE) for _ in range(POST_BURST + 1)][-1] == 1


def test_limits_can_be_switched_off(ticks):
    limits = RateLimits(enabled=False, clock=ticks)
    assert all(post(limits, ONE) is None for _ in range(100))


# -- over HTTP ---------------------------------------------------------------------------------
@pytest.fixture
def stand_in() -> Iterator[SlackStandIn]:
    with SlackStandIn() as slack:
        slack.add_user("U0ADA", "ada")
        slack.add_channel(ONE, "one", members=["U0ADA"])
        yield slack


def test_a_limited_call_is_answered_429_with_retry_after_and_recorded(stand_in):
    client = WebClient(token=stand_in.bot_token, base_url=stand_in.url, retry_handlers=[])
    for _ in range(POST_BURST):
        client.chat_postMessage(channel=ONE, text="fine")
    with pytest.raises(SlackApiError) as refused:
        client.chat_postMessage(channel=ONE, text="too soon")

    response = refused.value.response
    assert response.status_code == 429
    assert response["error"] == "ratelimited"
    assert int(response.headers["Retry-After"]) >= 1
    assert [call.error for call in stand_in.calls_to("chat.postMessage")] == [None] * POST_BURST + ["ratelimited"]
    assert [m.text for m in stand_in.messages(ONE)] == ["fine"] * POST_BURST


def test_a_stand_in_without_limits_takes_everything():
    with SlackStandIn(rate_limits=False) as stand_in:
        stand_in.add_channel(ONE, "one", members=[])
        client = WebClient(token=stand_in.bot_token, base_url=stand_in.url, retry_handlers=[])
        for _ in range(POST_BURST * 3):
            client.chat_postMessage(channel=ONE, text="x")
        assert not any(call.failed for call in stand_in.calls)
