"""Hostile input, generated: malformed and adversarial payloads for every listener, correctly
signed, sent to the real app on loopback. None gets a 5xx, each is answered within Slack's
three seconds, and the database never changes.

Payloads come from non-organizers (the person reported, a bystander), so no well-formed one
may change anything either; typed text is always blank, huge or not a string, so no
generated report or self-report is ever valid. Hypothesis is derandomized: a failure
reproduces on every run, and its shrunk payload is printed.
"""

import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from slack_bolt import BoltContext
from slack_sdk.signature import SignatureVerifier

from db.models import ActionKind, CaseStatus, Category, Outcome, RecipientAnswer
from slack_app.bolt.guard import StickyAck, check_shape, shape_problem
from slack_app.bolt.web import MAX_BODY_BYTES, slack_events
from slack_app.core import ids
from slack_app.sandbox.loopback import ESCALATION, GENERAL, ORGANIZERS, LocalSpeakOut
from slack_app.sandbox.stand_in.requests import ACK_DEADLINE, Response
from tests.conftest import reset_database
from tests.e2e.cases_helpers import case_id, file_case
from tests.e2e.test_hostile_requests import database_state

# One app serves every example; derandomized, so CI runs the same examples each time.
HOSTILE = settings(
    max_examples=10,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
)

# -- the pieces of a hostile payload ------------------------------------------------------------------

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12)
junk = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)
not_text = st.none() | st.booleans() | st.integers() | st.lists(junk, max_size=2) | st.dictionaries(st.text(), junk)
huge = st.builds(
    lambda char, n: char * n,
    st.sampled_from(["a", "é", "\n", '"', "\\", "\u202e", "\U0001d54f"]),
    st.integers(3001, 20_000),
)
# Typed text that is never acceptable: blank, over every limit, or not text at all.
bad_text = st.sampled_from(["", " ", "\n\t "]) | huge | not_text
# Digits as any script writes them ("٣", "²", "①"): whatever str.isdigit() accepts.
numerals = st.text(st.characters(categories=["Nd", "No"]).filter(str.isdigit), min_size=1, max_size=3)
people = ["U0PARTIC01", "U0PARTIC02", "U0PARTIC03", "U0ORGANIZ1", "U0ORGANIZ2", "U0LEADORG1"]
slackish_ids = st.sampled_from(
    [*people, ORGANIZERS, ESCALATION, GENERAL, "U0PARTIC01\n", "u0partic01", "U" + "A" * 40, "U", "D0DIRECT01"]
)
choices = [
    *ids.Choice,
    *Category,
    *Outcome,
    *ActionKind,
    *RecipientAnswer,
    *(f"case:{status}" for status in CaseStatus),
    "1d",
    "3d",
    "recording",
    "x" * 100,
]
block_ids = st.sampled_from([*ids.Block, *ids.CaseField, *ids.OwnUpField]) | st.text(max_size=8)
action_ids = st.sampled_from([*ids.Action, *(f.action for f in ids.CaseField), *(f.action for f in ids.OwnUpField)])
attackers = st.sampled_from(["U0PARTIC02", "U0PARTIC03"])  # the person reported, a bystander
# Who a payload says it is from: an attacker, or no valid user at all (never an organizer or the reporter).
senders = attackers | st.sampled_from(["U0PARTIC01\n", "u0partic02", "U" + "A" * 40, "U", "U0ORGANIZ1 ", ""])


def loosely(**fields: st.SearchStrategy) -> st.SearchStrategy[dict]:
    """An object whose every field is well formed, wrongly typed, or missing."""
    return st.fixed_dictionaries({}, optional={name: strategy | junk for name, strategy in fields.items()})


@dataclass
class Target:
    local: LocalSpeakOut
    case_id: int
    state: dict[str, object]

    def pointers(self) -> st.SearchStrategy[Any]:
        """What a button value or ``private_metadata`` id could be made to say."""
        return st.sampled_from(self.odd_pointers()) | numerals | st.integers() | junk

    def odd_pointers(self) -> list[str]:
        real = [str(self.case_id), f"{self.case_id}:acknowledged", f"{self.case_id}:apology_accepted"]
        return [*real, "0", "-1", "1.0", " 1", "99999999999", "9" * 40, "1e3", f"{self.case_id}; DROP TABLE cases"]

    def metadata(self) -> st.SearchStrategy[str]:
        """``private_metadata``: mostly the ids the app puts there, pointing anywhere."""
        pointer = self.pointers()
        pointers = st.fixed_dictionaries({"case_id": pointer, "own_up_id": pointer, "action_id": pointer})
        evidence = st.fixed_dictionaries({}, optional={"evidence": junk})
        return st.builds(lambda a, b: json.dumps({**a, **b}), pointers, evidence) | st.text(max_size=20) | huge

    def element(self) -> st.SearchStrategy[dict]:
        """One input's submitted state, in any of the shapes Slack uses, filled with nonsense."""
        option = st.fixed_dictionaries({"value": st.sampled_from(choices) | self.pointers()})
        return loosely(
            type=st.sampled_from(["plain_text_input", "static_select", "users_select", "radio_buttons"]),
            value=bad_text,
            selected_option=option,
            selected_options=st.lists(option, max_size=3),
            selected_user=slackish_ids,
            selected_users=st.lists(slackish_ids, max_size=25),
            selected_conversation=slackish_ids,
            selected_conversations=st.lists(slackish_ids, max_size=3),
            selected_date=st.sampled_from(["2026-11-25", "2026-02-30", "2026-11-25\n", "25/11/2026"]),
            selected_time=st.sampled_from(["09:00", "25:61", "09:00\n"]),
        )

    def view(self, callback: st.SearchStrategy[str]) -> st.SearchStrategy[dict]:
        values = st.dictionaries(block_ids, st.dictionaries(action_ids, self.element(), max_size=3) | junk, max_size=4)
        blocks = st.lists(st.fixed_dictionaries({"type": st.sampled_from(["input", "section"]), "block_id": block_ids}))
        return st.fixed_dictionaries(
            {
                "id": st.just("V0HOSTILE1"),
                "type": st.just("modal"),
                "callback_id": callback,
                "state": st.fixed_dictionaries({"values": values}),
                "private_metadata": self.metadata(),
                "blocks": blocks,
            },
            optional={"hash": junk, "notify_on_close": st.booleans()},
        )


@pytest.fixture(scope="module")
def target(database_url: str, engine) -> Iterator[Target]:
    """One running app for every example, with one real case for listeners to (not) touch."""
    reset_database(engine)
    with LocalSpeakOut(database_url) as local:
        alex, blake = local.cast.participants[0].user_id, local.cast.participants[1].user_id
        file_case(local, alex, involved=[blake])
        yield Target(local=local, case_id=case_id(local), state=database_state(local))


def answered_without_change(target: Target, send: Callable[[], Response], ignore: tuple[str, ...] = ()) -> None:
    response = send()
    assert response.status < 500, response
    assert response.elapsed < ACK_DEADLINE, response
    target.local.settle()
    expected = {name: value for name, value in target.state.items() if name not in ignore}
    assert database_state(target.local, ignore=ignore) == expected


def interaction(target: Target, kind: str, data: st.DataObject, *, well_shaped: dict, loose: dict) -> dict:
    """A payload of ``kind``: either shaped as the guard wants with hostile contents, or
    with any of its fields wrongly typed or missing."""
    local = target.local
    common = {
        "type": st.just(kind),
        "team": st.just({"id": local.stand_in.team_id}),
        "api_app_id": st.just(local.stand_in.app_id),
        "token": st.just("stand-in-verification-token"),
    }
    if data.draw(st.sampled_from([True, True, False]), label="well shaped"):
        user = data.draw(attackers, label="user")
        fields = {
            **common,
            "user": st.just({"id": user, "team_id": local.stand_in.team_id}),
            "trigger_id": st.just(local.stand_in.issue_trigger(user)),
            **well_shaped,
        }
        return data.draw(st.fixed_dictionaries(fields), label="payload")
    user = st.fixed_dictionaries({}, optional={"id": senders | junk}) | senders
    fields = {"user": user, "trigger_id": st.text(max_size=20), **loose}
    return data.draw(st.fixed_dictionaries(common, optional={k: v | junk for k, v in fields.items()}), label="payload")


# -- the guard on its own ---------------------------------------------------------------------------


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


# -- every listener, through the real app --------------------------------------------------------------

BUTTONS = [*ids.CaseAction, *ids.OwnUpAction, *ids.Action]
MODALS = [*ids.Callback, *ids.CaseModal, *ids.OwnUpModal]


@pytest.mark.parametrize("action_id", [*BUTTONS, "case_delete"])
@HOSTILE
@given(data=st.data())
def test_block_actions(target, action_id, data):
    pointer = target.pointers()
    action = st.fixed_dictionaries(
        {"action_id": st.just(action_id), "block_id": st.text(max_size=8), "type": st.just("button")},
        optional={"value": pointer, "selected_option": st.fixed_dictionaries({"value": pointer}), "text": junk},
    )
    place = {
        "channel": st.fixed_dictionaries({"id": slackish_ids}),
        "message": loosely(ts=st.text(max_size=20), text=huge, user=slackish_ids),
        "container": loosely(channel_id=slackish_ids, message_ts=st.text(max_size=20)),
    }
    in_a_view = {"view": target.view(st.sampled_from(MODALS))}
    well_shaped = {
        "actions": st.lists(action, min_size=1, max_size=2),
        **data.draw(st.sampled_from([place, in_a_view]), label="where"),
    }
    loose = {"actions": st.lists(action | junk, max_size=2), **place, **in_a_view}
    payload = interaction(target, "block_actions", data, well_shaped=well_shaped, loose=loose)
    answered_without_change(target, lambda: target.local.slack.interactive(payload))


@pytest.mark.parametrize("where", ["button value", "private_metadata"])
@settings(HOSTILE, max_examples=100)
@given(data=st.data())
def test_ids_in_buttons_and_metadata_are_only_pointers(target, where, caplog, data):
    """Well-formed clicks and submissions whose ids say anything: refused, never a failure."""
    caplog.clear()
    pointer = data.draw(numerals | st.sampled_from(target.odd_pointers()) | st.integers().map(str), label="id")
    user = data.draw(attackers, label="user")
    common = {"user": {"id": user}, "team": {"id": target.local.stand_in.team_id}, "trigger_id": "1.2.3"}
    if where == "button value":
        action = {"action_id": data.draw(st.sampled_from(BUTTONS), label="action"), "type": "button", "value": pointer}
        place = {"channel": {"id": ORGANIZERS}, "message": {"ts": "1.2"}}
        payload = {**common, "type": "block_actions", "actions": [action], **place}
    else:
        metadata = json.dumps({"case_id": pointer, "own_up_id": pointer, "action_id": pointer})
        view = {"id": "V0HOSTILE1", "type": "modal", "state": {"values": {}}, "private_metadata": metadata}
        payload = {
            **common,
            "type": "view_submission",
            "view": {**view, "callback_id": data.draw(st.sampled_from(MODALS))},
        }
    answered_without_change(target, lambda: target.local.slack.interactive(payload))
    assert [r.getMessage() for r in caplog.records if r.name == "slack_app.bolt.errors"] == []


VIEW_REQUESTS = [
    *(("view_submission", callback) for callback in [*MODALS, "case_delete_modal"]),
    *(("view_closed", callback) for callback in [ids.CaseModal.CONFIRM_ACTION, "case_delete_modal"]),
]


@pytest.mark.parametrize(("kind", "callback_id"), VIEW_REQUESTS)
@HOSTILE
@given(data=st.data())
def test_view_submissions_and_closes(target, kind, callback_id, data):
    view = target.view(st.just(callback_id))
    loose_view = st.fixed_dictionaries(
        {}, optional={"id": st.just("V0HOSTILE1"), "callback_id": st.just(callback_id), "state": junk, "blocks": junk}
    )
    payload = interaction(target, kind, data, well_shaped={"view": view}, loose={"view": view | loose_view})
    answered_without_change(target, lambda: target.local.slack.interactive(payload))


@HOSTILE
@given(data=st.data())
def test_the_message_shortcut(target, data):
    fields = {
        "callback_id": st.sampled_from([*ids.Callback, "delete_everything"]),
        "channel": st.fixed_dictionaries({"id": slackish_ids}),
        "message": loosely(ts=st.text(max_size=20), text=huge | st.text(), user=slackish_ids, bot_id=junk),
    }
    kind = data.draw(st.sampled_from(["message_action", "shortcut"]), label="kind")
    payload = interaction(target, kind, data, well_shaped=fields, loose=fields)
    answered_without_change(target, lambda: target.local.slack.interactive(payload))


@pytest.mark.parametrize("command", [*ids.Command, "/delete"])
@HOSTILE
@given(data=st.data(), as_json=st.booleans())
def test_commands(target, command, data, as_json):
    local = target.local
    user = data.draw(senders, label="user_id")
    text = st.text() | huge
    fields = {"command": st.just(command), "user_id": st.just(user), "text": text, "channel_id": slackish_ids}
    fields["trigger_id"] = st.just(local.stand_in.issue_trigger(user))
    if as_json:  # Bolt reads a body starting with "{" as JSON, so values can be of any type
        form = data.draw(st.fixed_dictionaries({}, optional={k: v | junk for k, v in fields.items()}), label="body")
        answered_without_change(target, lambda: local.slack.post(json.dumps(form), content_type="application/json"))
    else:
        form = data.draw(st.fixed_dictionaries({}, optional=fields), label="form")
        answered_without_change(target, lambda: local.slack.post(urlencode(form)))


@HOSTILE
@given(data=st.data())
def test_direct_messages(target, data):
    """A well-formed DM from someone without a report is remembered (processed_events, so a
    redelivery isn't answered twice) and answered; nothing else may change."""
    event = loosely(
        type=st.just("message"),
        user=senders,
        text=huge | st.text(),
        channel=slackish_ids,
        channel_type=st.sampled_from(["im", "channel"]),
        thread_ts=target.pointers(),
        subtype=st.sampled_from(["message_changed", "bot_message"]),
        bot_id=junk,
        ts=st.text(max_size=20),
    )
    sent = data.draw(event, label="event")
    event_id = data.draw(st.text(max_size=20) | huge | junk, label="event_id")
    local = target.local
    answered_without_change(target, lambda: local.slack.event(sent, event_id=event_id), ignore=("processed_events",))


@HOSTILE
@given(data=st.data())
def test_home_tab_opened(target, data):
    event = loosely(
        type=st.just("app_home_opened"),
        user=slackish_ids,
        tab=st.sampled_from(["home", "messages"]),
        channel=slackish_ids,
        view=junk,
    )
    sent = data.draw(event, label="event")
    answered_without_change(target, lambda: target.local.slack.event(sent))


@HOSTILE
@given(
    body=st.binary(max_size=300)
    | st.text(max_size=300)
    | st.builds(lambda s: "payload=" + s, st.text(max_size=100))
    | st.builds(lambda value: "payload=" + json.dumps(value), junk)
    | st.builds(json.dumps, junk),
    content_type=st.sampled_from(["application/x-www-form-urlencoded", "application/json", "text/plain", ""]),
)
def test_raw_bodies(target, body, content_type):
    answered_without_change(target, lambda: target.local.slack.post(body, content_type=content_type))
