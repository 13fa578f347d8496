"""The guard on its own: the shape check every request passes before Bolt's listeners see it,
and the HTTP layer's answer to oversized or unsigned bodies (the hostile payloads sent through
the real app are in test_hostile_input.py)."""

import io
from typing import Any

import pytest
from hypothesis import given, settings
from slack_bolt import BoltContext
from slack_sdk.signature import SignatureVerifier

from slack_app.bolt.guard import StickyAck, check_shape, shape_problem
from slack_app.bolt.web import MAX_BODY_BYTES, slack_events
from tests.slack_app.hostile_payloads import junk


@given(body=junk)
@settings(max_examples=300, derandomize=True, database=None)
def test_the_shape_check_never_raises(body):
    problem = shape_problem(body)
    assert problem is None or isinstance(problem, str)


def clicked(**fields: Any) -> dict[str, Any]:
    return {"type": "block_actions", "user": {"id": "U0PARTIC01"}, "actions": [{"action_id": "case_note"}], **fields}


def submitted(**view: Any) -> dict[str, Any]:
    shape = {"id": "V012", "type": "modal", "callback_id": "x", "state": {"values": {}}, "private_metadata": ""}
    return {"type": "view_submission", "user": {"id": "U0PARTIC01"}, "view": {**shape, **view}}


@pytest.mark.parametrize(
    "body",
    [
        clicked(),
        clicked(channel={"id": "C1"}, view={"id": "V012", "blocks": [{"type": "input", "block_id": "note"}]}),
        {**submitted(), "user": {"id": "W0PARTIC01"}},
        {"type": "event_callback", "event": {"type": "message"}},
        {"command": "/report", "user_id": "U0PARTIC01", "trigger_id": "1.2.3"},
        {"type": "url_verification", "challenge": "abc"},
        {"ssl_check": "1", "token": "x"},
    ],
)
def test_well_shaped_requests_pass_the_shape_check(body):
    assert shape_problem(body) is None


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"type": ["block_actions"]}, "type is not one this app handles"),
        ({"type": "interactive_message", "callback_id": "x"}, "type is not one this app handles"),
        (clicked(user={"id": "U0PARTIC01\n"}), "user.id"),
        (clicked(user={"id": "U0" + "A" * 40}), "user.id"),
        (clicked(user="U0PARTIC01"), "user.id"),
        (clicked(trigger_id=5), "trigger_id"),
        (clicked(actions={}), "actions"),
        (clicked(actions=[]), "actions"),
        (clicked(actions=[{"action_id": 1}]), "an action"),
        (clicked(channel="C1"), "channel"),
        (clicked(view={}), "view.id"),
        (clicked(view={"id": "V012", "blocks": [1]}), "view.blocks"),
        ({**submitted(), "view": None}, "view is missing"),
        ({**submitted(), "type": "view_closed", "view": {"id": "V" + "1" * 64}}, "view.id"),
        (submitted(callback_id=None), "view.callback_id"),
        (submitted(state={"values": []}), "view.state.values"),
        (submitted(private_metadata=None), "view.private_metadata"),
        (submitted(blocks=[{"block_id": []}]), "view.blocks"),
        ({"type": "event_callback", "event": "type"}, "event"),
        ({"type": "url_verification", "event": 1}, "event"),
        ({"command": "/report", "user_id": "U0PARTIC01"}, "trigger_id"),
        ({"command": "/report", "trigger_id": "1", "type": "block_actions"}, "user_id"),
        ({"command": 5, "user_id": "U0PARTIC01", "trigger_id": "1"}, "command"),
        ({"text": "hello"}, "neither"),
    ],
)
def test_malformed_requests_are_named_by_the_shape_check(body, problem):
    assert problem in (shape_problem(body) or "")


def test_the_shape_check_answers_400_without_calling_next_and_makes_the_acknowledgement_stick():
    calls: list[str] = []
    context = BoltContext()
    refused = check_shape({"type": "block_actions"}, context, lambda: calls.append("next"))
    assert refused is not None and (refused.status, refused.body, calls, dict(context)) == (400, "", [], {})

    body = {"command": "/report", "user_id": "U0PARTIC01", "trigger_id": "1"}
    assert check_shape(body, context, lambda: calls.append("next")) is None
    assert calls == ["next"]
    ack = context["ack"]
    assert isinstance(ack, StickyAck) and ack.response is None
    sent = ack()
    ack.response = None  # what Bolt does when the listener fails after acknowledging
    assert ack.response is sent and sent.status == 200


class NoBolt:
    def dispatch(self, request):
        raise AssertionError("Bolt must not see this request")


@pytest.mark.parametrize(
    ("environ", "status"),
    [
        ({"CONTENT_LENGTH": str(MAX_BODY_BYTES + 1)}, 413),
        ({"CONTENT_LENGTH": "lots"}, 400),
        ({"CONTENT_LENGTH": "2"}, 401),
        ({"CONTENT_LENGTH": "2", "HTTP_X_SLACK_REQUEST_TIMESTAMP": "1", "HTTP_X_SLACK_SIGNATURE": "v0=0"}, 401),
    ],
)
def test_the_http_layer_answers_oversized_or_unsigned_bodies_before_bolt(environ, status):
    """The size check also holds behind a server other than waitress."""
    answer = slack_events(NoBolt(), SignatureVerifier("secret"), {**environ, "wsgi.input": io.BytesIO(b"{}")})
    assert answer.status == status
