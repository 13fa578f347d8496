"""Hostile input, generated: malformed and adversarial payloads for every listener, correctly
signed, sent to the real app on loopback. None gets a 5xx, each is answered within Slack's
three seconds, and the database never changes.

Payloads come from non-organizers (the person reported, a bystander), so no well-formed one
may change anything either; typed text is always blank, huge or not a string, so no
generated report or self-report is ever valid. Hypothesis is derandomized: a failure
reproduces on every run, and its shrunk payload is printed.
"""

import json
from collections.abc import Callable, Iterator
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slack_app.core import ids
from slack_app.sandbox.loopback import ORGANIZERS, LocalSpeakOut
from slack_app.sandbox.stand_in.requests import ACK_DEADLINE, Response
from tests.conftest import reset_database
from tests.e2e.cases_helpers import case_id, file_case
from tests.e2e.test_hostile_requests import database_state
from tests.slack_app.hostile_payloads import Target, attackers, huge, junk, loosely, numerals, senders, slackish_ids

# One app serves every example; derandomized, so CI runs the same examples each time.
HOSTILE = settings(
    max_examples=10,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
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
    assert [r.getMessage() for r in caplog.records if r.name == "slack_app.bolt.error_handler"] == []


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
