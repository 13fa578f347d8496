"""The Home tab's short cache of channel members."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from slack_app.core.directory import MembersCache


class Directory:
    """Answers conversations.members like Slack's WebClient, counting the calls."""

    def __init__(self, members: dict[str, list[str]]):
        self.members = members
        self.calls: list[str] = []
        self.fail_next = False
        self.gate = threading.Event()
        self.gate.set()

    def conversations_members(self, *, channel: str, cursor=None, limit=200):
        self.gate.wait(5)
        self.calls.append(channel)
        if self.fail_next:
            self.fail_next = False
            raise RuntimeError("ratelimited")
        return {"members": list(self.members[channel]), "response_metadata": {"next_cursor": ""}}


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_members_are_reused_for_the_ttl_then_asked_again():
    slack, clock = Directory({"C1": ["U1"], "C2": ["U2"]}), Clock()
    cache = MembersCache(ttl=5, clock=clock)

    assert cache.members(slack, "C1") == {"U1"}
    slack.members["C1"] = ["U3"]
    clock.now += 4.9
    assert cache.members(slack, "C1") == {"U1"}
    assert cache.members(slack, "C2") == {"U2"}  # each channel on its own
    clock.now += 0.1
    assert cache.members(slack, "C1") == {"U3"}
    assert slack.calls == ["C1", "C2", "C1"]


def test_a_failed_lookup_is_not_remembered():
    slack, cache = Directory({"C1": ["U1"]}), MembersCache(ttl=5, clock=Clock())
    slack.fail_next = True
    with pytest.raises(RuntimeError):
        cache.members(slack, "C1")
    assert cache.members(slack, "C1") == {"U1"}


def test_a_crowd_of_misses_on_one_channel_asks_slack_once():
    slack, cache = Directory({"C1": ["U1"]}), MembersCache(ttl=5, clock=Clock())
    slack.gate.clear()  # Slack is slow: every thread misses before the first answer
    with ThreadPoolExecutor(8) as pool:
        answers = [pool.submit(cache.members, slack, "C1") for _ in range(8)]
        slack.gate.set()
        assert {frozenset(answer.result(5)) for answer in answers} == {frozenset({"U1"})}
    assert slack.calls == ["C1"]
