"""The outbox's pacer with a hand-moved monotonic clock: slots per channel and per method, and
which heads of a round get them."""

from dataclasses import dataclass

import pytest

from slack_app.delivery.pacing import POST_BURST, POST_INTERVAL, Paced, Pacer, StreamPacing, key_of, post_key

ONE, TWO = "C0CHANNEL1", "C0CHANNEL2"


class Ticks:
    def __init__(self) -> None:
        self.now = 500.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Head:
    id: int
    stream: str
    channel_id: str | None = ONE
    to_organizers: bool = True


@pytest.fixture
def ticks() -> Ticks:
    return Ticks()


def test_a_channel_gets_its_burst_then_a_post_every_interval(ticks):
    pacer = Pacer(ticks)
    assert [pacer.take(post_key(ONE)) for _ in range(POST_BURST)] == [0.0] * POST_BURST
    assert pacer.take(post_key(ONE)) == pytest.approx(POST_INTERVAL)
    assert pacer.take(post_key(TWO)) == 0.0  # another channel
    ticks.now += POST_INTERVAL
    assert pacer.take(post_key(ONE)) == 0.0
    assert pacer.opens_in(post_key(ONE)) == pytest.approx(POST_INTERVAL)


def test_which_calls_are_paced_and_by_what():
    assert key_of("chat.postMessage", {"channel": ONE}) == ("chat.postMessage", ONE)
    assert key_of("conversations.open", {"users": "U1"}) == ("conversations.open",)
    assert key_of("auth.test", {}) is None


def test_a_round_gives_a_channels_slot_to_the_first_head_offered_and_says_when_to_look_again(ticks):
    pacing = StreamPacing(Pacer(ticks))
    heads = [Head(9, "urgent"), Head(1, "a"), Head(2, "b"), Head(3, "c"), Head(4, "dm", None, False)]

    # One post per channel a round (they go in parallel: the urgent one must also arrive first);
    # the DM isn't known to need that channel.
    assert pacing.choose(heads) == [9, 4]
    assert pacing.wait(5.0) == pytest.approx(0.02)  # the burst has slots left: look again at once

    for _ in range(POST_BURST):
        pacing.pacer.take(post_key(ONE))  # the burst, sent over this round and the next ones
    pacing.begin_pass()
    assert pacing.choose([Head(3, "c")]) == []
    assert pacing.wait(5.0) == pytest.approx(POST_INTERVAL)
    assert pacing.wait(0.5) == 0.5  # never past the poll


def test_a_case_not_routed_yet_counts_against_the_organizers_channel(ticks):
    pacing = StreamPacing(Pacer(ticks), organizer_channel=ONE)
    heads = [Head(i, f"s{i}", channel_id=None) for i in range(3)]
    assert pacing.choose(heads) == [0]
    assert StreamPacing(Pacer(ticks)).choose(heads) == [0, 1, 2]  # no channel known: paced at the call


def test_a_stream_paced_by_a_method_waits_for_that_methods_slots(ticks):
    pacing = StreamPacing(Pacer(ticks))
    opens = ("conversations.open",)
    while pacing.pacer.take(opens) == 0.0:
        pass
    pacing.paced("dm-1", Paced(opens, 1.3))

    assert pacing.choose([Head(1, "dm-1", None, False), Head(2, "dm-2", None, False)]) == [2]
    ticks.now += 1.4
    assert pacing.choose([Head(1, "dm-1", None, False)]) == [1]
    pacing.done("dm-1")
    assert pacing._keys(Head(1, "dm-1", None, False)) == []
