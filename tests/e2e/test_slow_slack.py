"""Clicks that need Slack's answers (who organizes a case) while Slack is slow or rate limits:
the modal opens within the trigger's three seconds, and a failed lookup is said at once."""

import logging

import pytest
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from slack_app.views.waiting import NOT_DONE, SLACK_BUSY
from tests.e2e.cases_helpers import case_id, click, ephemerals, file_case, timeline, wait_for_modal
from tests.e2e.helpers import eventually, modal_text

# Acknowledged before the slow work over either transport.
pytestmark = pytest.mark.both_transports


def organizer(local) -> str:
    return local.cast.organizers[0].user_id


def reporter(local) -> str:
    return local.cast.participants[0].user_id


def wait_for_notice(local, user: str, text: str) -> None:
    local.stand_in.wait_for(
        lambda: local.stand_in.open_view(user) is not None and text in modal_text(local, user),
        timeout=5,
        what=f"{text!r} in {user}'s modal",
    )


def test_a_modal_opens_even_when_slack_answers_the_members_lookup_after_the_trigger_expired(local):
    card = file_case(local, reporter(local))
    olivia = organizer(local)
    # Slower than the trigger_id's three seconds: asked first, the modal could not open.
    local.stand_in.fail("conversations.members", error=None, delay=3.2)

    click(local, olivia, "case_note", card, value=str(case_id(local)))

    wait_for_modal(local, olivia, "Add a note")
    assert [call.error for call in local.stand_in.calls_to("views.open")][-1] is None


def test_a_rate_limited_members_lookup_tells_the_organizer_at_once_in_the_modal(local):
    card = file_case(local, reporter(local))
    olivia = organizer(local)
    local.stand_in.fail("conversations.members", error="ratelimited", status=429, retry_after=60)

    click(local, olivia, "case_close", card, value=str(case_id(local)))

    # Far sooner than the 60 s Slack asked to wait: no listener thread sleeps on a 429.
    wait_for_notice(local, olivia, SLACK_BUSY)
    click(local, olivia, "case_close", card, value=str(case_id(local)))  # trying again works
    wait_for_modal(local, olivia, "Close the case")


def test_a_failed_members_lookup_on_the_own_up_request_says_so(local):
    card = file_case(local, reporter(local))
    olivia = organizer(local)
    local.stand_in.fail("conversations.members", error="internal_error")

    click(local, olivia, "case_request_own_up", card, value=str(case_id(local)))

    wait_for_notice(local, olivia, SLACK_BUSY)


def test_a_rate_limited_click_without_a_modal_tells_the_clicker_and_changes_nothing(local):
    card = file_case(local, reporter(local))
    olivia = organizer(local)
    before = timeline(local)
    local.stand_in.fail("conversations.members", error="ratelimited", status=429, retry_after=60)

    click(local, olivia, "case_acknowledge", card, value=str(case_id(local)))

    local.stand_in.wait_for(lambda: ephemerals(local, olivia) == [NOT_DONE], timeout=5, what="the notice")
    assert timeline(local) == before


def test_the_listeners_client_never_retries_rate_limited_calls_by_sleeping(local):
    handlers = local.services.client.retry_handlers
    assert not any(isinstance(handler, RateLimitErrorRetryHandler) for handler in handlers)


def test_a_loading_modal_closed_before_slack_answers_is_left_closed_quietly(local, caplog):
    caplog.set_level(logging.INFO)
    card = file_case(local, reporter(local))
    olivia = organizer(local)
    local.stand_in.fail("conversations.members", error=None, delay=1.0)

    click(local, olivia, "case_note", card, value=str(case_id(local)))
    wait_for_notice(local, olivia, "Loading…")
    local.slack.close_view(olivia)

    (update,) = local.stand_in.wait_for(lambda: local.stand_in.calls_to("views.update"), what="the update")
    assert update.error == "not_found"
    assert local.stand_in.open_view(olivia) is None
    eventually(lambda: "a loading modal was not replaced: Slack answered not_found" in caplog.text, what="the log")
    assert not [r for r in caplog.records if r.name == "slack_app.bolt.error_handler"]


def test_a_rate_limited_lookup_when_a_modal_is_sent_keeps_it_open_with_a_field_error(local):
    card = file_case(local, reporter(local))
    olivia = organizer(local)
    click(local, olivia, "case_note", card, value=str(case_id(local)))
    wait_for_modal(local, olivia, "Add a note")
    before = timeline(local)
    local.stand_in.fail("conversations.members", error="ratelimited", status=429, retry_after=60)

    answer = local.slack.submit_view(olivia, {"note": "Spoke with the venue's security."})

    # Answered in the submission itself: the note stays typed in the open modal, nothing stored.
    assert answer.status == 200 and list(answer.errors.values()) == [NOT_DONE]
    assert "Add a note" in modal_text(local, olivia)
    assert timeline(local) == before
    assert not [r for r in local.stand_in.calls_to("chat.postMessage") if "Spoke with" in str(r.params)]


def test_a_refusal_slack_rate_limits_is_dropped_with_a_warning_not_sent_elsewhere(local, caplog):
    caplog.set_level(logging.INFO)
    card = file_case(local, reporter(local))
    olivia = organizer(local)
    click(local, olivia, "case_acknowledge", card, value=str(case_id(local)))
    eventually(lambda: len(timeline(local)) > 1, what="the acknowledgement")
    local.stand_in.fail("chat.postEphemeral", error="ratelimited", status=429, retry_after=60)

    click(local, olivia, "case_acknowledge", card, value=str(case_id(local)))  # refused: done already

    eventually(lambda: "a refusal was not shown: Slack answered ratelimited" in caplog.text, what="the warning")
    assert [call.error for call in local.stand_in.calls_to("chat.postEphemeral")] == ["ratelimited"]
    assert not [c for c in local.stand_in.calls_to("chat.postMessage") if c.params.get("channel") == olivia]
    assert not [r for r in caplog.records if r.name == "slack_app.bolt.error_handler"]
