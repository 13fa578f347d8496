"""Hostile requests at the HTTP edge, end to end: forged, stale, oversized, unreadable, or
pointing at things the sender may not touch. None gets a 5xx, and none changes anything."""

import http.client
import json
import logging
import time
import urllib.request
from urllib.error import HTTPError
from urllib.parse import urlencode

from sqlalchemy import func, select

from db.base import Base
from db.models import Case, OutboxMessage, OwnUp, TimelineEntry
from slack_app.sandbox.loopback import ESCALATION, LocalSpeakOut
from slack_app.sandbox.stand_in import build_state_values
from slack_app.sandbox.stand_in.requests import ACK_DEADLINE, slack_signature
from tests.e2e.cases_helpers import case_id, click, ephemerals, file_case, settle, timeline, wait_for_modal
from tests.e2e.helpers import wait_for_dms

SECRET_WORDS = "he cornered me by the coat rack"


def database_state(local: LocalSpeakOut, *, ignore: tuple[str, ...] = ()) -> dict[str, object]:
    """Row counts of every table, the newest timeline entry and outbox message, and the latest
    change to a case or own-up: equal before and after means nothing was stored or changed."""
    with local.services.engine.connect() as connection:
        state: dict[str, object] = {
            table.name: connection.scalar(select(func.count()).select_from(table))
            for table in Base.metadata.sorted_tables
            if table.name not in ignore
        }
        state["timeline_entries.max_id"] = connection.scalar(select(func.max(TimelineEntry.id)))
        state["outbox.max_id"] = connection.scalar(select(func.max(OutboxMessage.id)))
        state["cases.updated_at"] = connection.scalar(select(func.max(Case.updated_at)))
        state["own_ups.updated_at"] = connection.scalar(select(func.max(OwnUp.updated_at)))
    return state


def people(local: LocalSpeakOut):
    alex, blake, casey = (p.user_id for p in local.cast.participants)
    olivia, omar = (p.user_id for p in local.cast.organizers)
    return alex, blake, casey, olivia, omar


def report_command(local: LocalSpeakOut, user: str) -> str:
    """A /report body that would open a modal, were it believed."""
    form = {
        "command": "/report",
        "user_id": user,
        "text": SECRET_WORDS,
        "trigger_id": local.stand_in.issue_trigger(user),
    }
    return urlencode(form)


def submit_as(local: LocalSpeakOut, user: str, view: dict, values: dict, **metadata) -> dict:
    """Send ``view`` (a modal someone has open) as submitted by ``user``, with ``metadata``
    written over its ``private_metadata``: what anyone holding a copy of the payload could send."""
    state = build_state_values(view, values, current=view["state"]["values"])
    forged = {**view, "state": {"values": state}}
    forged["private_metadata"] = json.dumps({**json.loads(view["private_metadata"] or "{}"), **metadata})
    payload = {
        "type": "view_submission",
        "team": {"id": local.stand_in.team_id},
        "user": {"id": user, "team_id": local.stand_in.team_id},
        "api_app_id": local.stand_in.app_id,
        "trigger_id": local.stand_in.issue_trigger(user),
        "view": forged,
    }
    response = local.slack.interactive(payload)
    assert response.status == 200, response
    settle(local)
    return response.json()


# -- the signature, checked before anything else ---------------------------------------------------


# How each forgery is sent, given the real signing secret and the body.
FORGERIES = {
    "wrong secret": lambda secret, body: {"secret": "not-the-signing-secret"},
    "no signature headers": lambda secret, body: {"sign": False},
    "a good signature but no timestamp": lambda secret, body: {
        "sign": False,
        "headers": {"X-Slack-Signature": slack_signature(secret, str(int(time.time())), body)},
    },
    "six minutes old": lambda secret, body: {"timestamp": int(time.time()) - 6 * 60},
    "six minutes ahead": lambda secret, body: {"timestamp": int(time.time()) + 6 * 60},
    "a timestamp that is not a number": lambda secret, body: {"timestamp": "soon"},
    "a huge timestamp": lambda secret, body: {"timestamp": "9" * 5000},
    "a signature that is not ASCII": lambda secret, body: {
        "sign": False,
        "headers": {"X-Slack-Request-Timestamp": str(int(time.time())), "X-Slack-Signature": "v0=\u00e9t\u00e9"},
    },
}


def test_unsigned_forged_or_stale_requests_get_401_and_reach_nothing(local, caplog):
    alex = people(local)[0]
    before = database_state(local)
    answers = {}
    for name, forgery in FORGERIES.items():
        body = report_command(local, alex)
        # A body that would break the parser is refused for its signature first, never parsed.
        unreadable = "payload=%7Bnot-json"
        answers[name] = (
            local.slack.post(body, **forgery(local.signing_secret, body)).status,
            local.slack.post(unreadable, **forgery(local.signing_secret, unreadable)).status,
        )
    settle(local)

    assert answers == {name: (401, 401) for name in FORGERIES}
    assert local.stand_in.calls == []  # not even auth.test
    assert database_state(local) == before
    assert SECRET_WORDS not in caplog.text and "coat+rack" not in caplog.text


def test_a_body_that_is_not_utf8_cannot_be_verified_and_gets_401(local):
    before = database_state(local)
    response = local.slack.post(b"command=%2Freport&text=\xff\xfe")  # signed over the raw bytes
    assert response.status == 401
    assert local.stand_in.calls == [] and database_state(local) == before


def test_only_post_reaches_slack_events(local):
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def request(method: str) -> int:
        try:
            with opener.open(urllib.request.Request(local.slack.app_url, method=method), timeout=5) as answer:
                return answer.status
        except HTTPError as error:
            return error.code

    assert [request(method) for method in ("GET", "PUT", "DELETE")] == [405, 405, 405]
    assert local.stand_in.calls == []


def test_a_body_over_the_size_limit_gets_413(local):
    """A signed 2 MB body is refused as soon as its length is known. (The client reads the
    answer before sending the body: waitress closes the connection without reading it, and a
    client still writing would see the connection reset instead of the answer.)"""
    alex = people(local)[0]
    before = database_state(local)
    body = (report_command(local, alex) + "&padding=" + "x" * 2 * 1024 * 1024).encode()
    stamp = str(int(time.time()))
    connection = http.client.HTTPConnection("127.0.0.1", local.server.port, timeout=5)
    connection.putrequest("POST", "/slack/events")
    for name, value in {
        "Content-Type": "application/x-www-form-urlencoded",
        "Content-Length": str(len(body)),
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": slack_signature(local.signing_secret, stamp, body),
    }.items():
        connection.putheader(name, value)
    connection.endheaders()

    response = connection.getresponse()
    connection.close()

    assert response.status == 413
    assert local.stand_in.calls == [] and database_state(local) == before


# -- signed, but malformed ---------------------------------------------------------------------------

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
UNREADABLE = {
    "empty": ("", FORM),
    "plain words": (SECRET_WORDS, "text/plain"),
    "form fields of no known kind": (urlencode({"text": SECRET_WORDS}), FORM),
    "payload that is not JSON": ("payload=" + SECRET_WORDS.replace(" ", "+"), FORM),
    "payload that is empty": ("payload=", FORM),
    "payload that is a list": ("payload=" + json.dumps([SECRET_WORDS]), FORM),
    "payload that is null": ("payload=null", FORM),
    "payload that is a string": ("payload=" + json.dumps(SECRET_WORDS), FORM),
    "JSON that is cut off": ('{"type": "event_callback", "event": {"text": "' + SECRET_WORDS, JSON),
    "JSON that is a list": (json.dumps([{"type": "event_callback"}]), JSON),
    "JSON that is a number": ("42", JSON),
    "JSON with user as a number": (json.dumps({"type": "block_actions", "user": 7, "actions": []}), JSON),
    "JSON of an unknown type": (json.dumps({"type": "interactive_message", "callback_id": "x"}), JSON),
    "a submitted view without a type": (
        "payload="
        + json.dumps(
            {"type": "view_submission", "user": {"id": "U0PARTIC01"}, "view": {"id": "V01", "callback_id": "x"}}
        ),
        FORM,
    ),
    "an event that is a string": (json.dumps({"type": "event_callback", "event": "type"}), JSON),
    "response_urls that is a number": ("payload=" + json.dumps({"type": "shortcut", "response_urls": 3}), FORM),
    "a command without a user": (urlencode({"command": "/report", "text": SECRET_WORDS, "trigger_id": "1.2.3"}), FORM),
    "a command from a lowercase user": (urlencode({"command": "/ownup", "user_id": "u123", "trigger_id": "1"}), FORM),
}


def test_signed_but_malformed_bodies_get_400_without_the_body_in_the_logs(local, caplog):
    caplog.set_level(logging.DEBUG)
    before = database_state(local)

    answers = {name: local.slack.post(body, content_type=kind).status for name, (body, kind) in UNREADABLE.items()}

    assert answers == {name: 400 for name in UNREADABLE}
    assert local.stand_in.calls == [] and database_state(local) == before
    refusals = [r.getMessage() for r in caplog.records if r.getMessage().startswith("refused a")]
    assert len(refusals) == len(UNREADABLE)  # one line each, saying what kind of problem it was
    assert "coat rack" not in caplog.text and "coat+rack" not in caplog.text


def test_ids_the_app_does_not_know_get_a_4xx_and_change_nothing(local):
    alex, blake, casey, _, _ = people(local)
    file_case(local, alex, involved=[blake])
    before = database_state(local)
    common = {"user": {"id": casey}, "team": {"id": local.stand_in.team_id}, "trigger_id": "1.2.3"}
    view = {"id": "V0UNKNOWN1", "callback_id": "case_delete_modal", "state": {"values": {}}, "private_metadata": "{}"}

    answers = [
        local.slack.interactive({**common, "type": "block_actions", "actions": [{"action_id": "case_delete"}]}),
        local.slack.interactive({**common, "type": "view_submission", "view": view}),
        local.slack.interactive({**common, "type": "view_closed", "view": view}),
        local.slack.interactive({**common, "type": "shortcut", "callback_id": "delete_everything"}),
        local.slack.slash_command(casey, "/delete"),
        local.slack.event({"type": "reaction_added", "user": casey, "reaction": "fire"}),
    ]
    settle(local)

    assert all(400 <= answer.status < 500 for answer in answers), [answer.status for answer in answers]
    assert database_state(local) == before


def test_a_listener_failing_after_its_acknowledgement_still_answers_at_once(local, caplog):
    """Slack's acknowledgement is sent even when the work after it fails at once (here,
    views.open refuses an unknown trigger id): Bolt alone would wait out 3 s and answer 404."""
    casey = people(local)[2]
    form = {"command": "/report", "user_id": casey, "text": SECRET_WORDS, "trigger_id": "1.1.unknown"}

    answers = [local.slack.post(urlencode(form)) for _ in range(5)]
    settle(local)

    assert [(answer.status, answer.body) for answer in answers] == [(200, "")] * 5
    assert max(answer.elapsed for answer in answers) < ACK_DEADLINE / 2
    failures = [r for r in caplog.records if r.getMessage().startswith("listener failed")]
    assert len(failures) == 5 and all("SlackApiError" in r.getMessage() for r in failures)
    assert SECRET_WORDS not in caplog.text


# -- nothing in a payload decides who may act -------------------------------------------------------


def own_up_on(local: LocalSpeakOut, card, organizer: str, subject: str, number: int):
    """Ask ``subject`` to own up on case ``number``; return the DM with their buttons."""
    before = len(local.stand_in.dms_to(subject))
    click(local, organizer, "case_request_own_up", card, value=str(case_id(local, number)))
    wait_for_modal(local, organizer, "Request own-up")
    answer = local.slack.submit_view(
        organizer, {"subject": subject, "description": "Filming people.", "coc_part": "recording", "deadline": "3d"}
    )
    assert answer.errors is None
    settle(local)
    return wait_for_dms(local, subject, before + 1)[-1]


def test_a_person_pointing_their_own_buttons_at_someone_elses_request_gets_nothing(local):
    alex, blake, casey, olivia, _ = people(local)
    first = file_case(local, alex, involved=[blake])
    second = file_case(local, alex, involved=[casey])
    blakes = own_up_on(local, first, olivia, blake, 1)
    own_up_on(local, second, olivia, casey, 2)
    with local.services.sessions.begin() as session:
        caseys_request = session.scalar(select(OwnUp.id).where(OwnUp.subject_id == casey))
    before = database_state(local)

    # Blake edits the value of the buttons on his own DM to casey's request.
    for button in ("own_up_apologize", "own_up_talk", "own_up_differently"):
        response = local.slack.block_action(
            blake, button, value=str(caseys_request), message=blakes.to_dict(), channel_id=blakes.channel
        )
        assert response.status == 200
    settle(local)
    assert [m.text for m in local.stand_in.dms_to(blake)][-3:] == [
        "Only the person this message was sent to can answer it."
    ] * 3
    assert local.stand_in.open_view(blake) is None

    # He opens his own apology modal, then sends it with casey's request in its metadata.
    local.slack.block_action(blake, "own_up_apologize", message=blakes.to_dict(), channel_id=blakes.channel)
    view = wait_for_modal(local, blake, "Own up")
    values = {"acknowledgement": "I did it.", "apology": "Sorry.", "change": "I'll stop."}
    answer = submit_as(local, blake, view, values, own_up_id=caseys_request)

    assert answer["response_action"] == "errors"
    assert database_state(local) == before


def test_a_forged_case_modal_submission_changes_nothing(local):
    alex, blake, casey, olivia, omar = people(local)
    card = file_case(local, alex, involved=[blake])
    file_case(local, casey, channel=ESCALATION, involved=[omar])
    click(local, olivia, "case_note", card, value=str(case_id(local)))
    view = wait_for_modal(local, olivia, "Add a note")
    before = database_state(local)
    timelines = timeline(local), timeline(local, 2)

    # A participant replays olivia's open note modal as his own.
    by_blake = submit_as(local, blake, view, {"note": "Case closed, nothing happened."})
    # Olivia points her note modal at the escalated case, which is not hers to see.
    escalated = submit_as(local, olivia, view, {"note": "Peeking."}, case_id=case_id(local, 2))

    assert by_blake == {"response_action": "errors", "errors": {"note": "Only organizers of this case can do this."}}
    assert escalated == {"response_action": "errors", "errors": {"note": "Only organizers of this case can do this."}}
    assert database_state(local) == before
    assert (timeline(local), timeline(local, 2)) == timelines
    assert ephemerals(local, blake) == [] and local.stand_in.dms_to(omar) == []


# -- values the database must never get as sent -----------------------------------------------------


def test_ids_dates_and_times_with_a_trailing_newline_are_not_taken(local):
    """``$`` also matches before a final newline: "2026-11-25\\n" is not a date (and would not fit
    its column on PostgreSQL), "U0PARTIC02\\n" is not a user."""
    alex, blake, *_ = people(local)
    local.slack.slash_command(alex, "/report")
    local.stand_in.wait_for(lambda: local.stand_in.open_view(alex), what="the report modal")
    view = local.stand_in.open_view(alex)
    values = build_state_values(view, {"category": "harassment", "description": "He shouted at me."}, current={})
    values["occurred_on"] = {"occurred_on_picker": {"type": "datepicker", "selected_date": "2026-11-25\n"}}
    values["occurred_at"] = {"occurred_at_picker": {"type": "timepicker", "selected_time": "09:30\n"}}
    values["involved"] = {"involved_select": {"type": "multi_users_select", "selected_users": [f"{blake}\n"]}}
    payload = {
        "type": "view_submission",
        "team": {"id": local.stand_in.team_id},
        "user": {"id": alex},
        "trigger_id": local.stand_in.issue_trigger(alex),
        "view": {**view, "state": {"values": values}},
    }

    answer = local.slack.interactive(payload)
    settle(local)

    assert answer.status == 200
    with local.services.sessions.begin() as session:
        case = session.scalar(select(Case))
        stored = case.report.occurred_on, case.report.occurred_at_time, [p.slack_user_id for p in case.involved]
    assert stored == (None, None, [])


def test_a_code_of_conduct_part_that_is_not_on_the_list_is_not_stored(local):
    alex, blake, _, olivia, _ = people(local)
    card = file_case(local, alex, involved=[blake])
    click(local, olivia, "case_request_own_up", card, value=str(case_id(local)))
    view = wait_for_modal(local, olivia, "Request own-up")
    values = {"subject": blake, "description": "Filming people.", "coc_part": "recording", "deadline": "3d"}
    state = build_state_values(view, values, current=view["state"]["values"])
    state["coc_part"]["coc_part_input"]["selected_option"]["value"] = "Section 9: whatever I say" * 4
    payload = {
        "type": "view_submission",
        "team": {"id": local.stand_in.team_id},
        "user": {"id": olivia},
        "trigger_id": local.stand_in.issue_trigger(olivia),
        "view": {**view, "state": {"values": state}},
    }

    answer = local.slack.interactive(payload)
    settle(local)

    assert answer.status == 200
    with local.services.sessions.begin() as session:
        assert session.scalars(select(OwnUp.coc_part)).all() in ([], [None])


def test_forged_or_stale_requests_get_401_and_change_nothing(local):
    # Over HTTP only: in Socket Mode nothing reaches the app unless Slack sends it on the socket.
    alex = local.cast.participants[0].user_id
    before = database_state(local)
    body = "command=%2Freport&user_id=" + alex + "&trigger_id=" + local.stand_in.issue_trigger(alex)
    assert local.slack.post(body, secret="not-the-secret").status == 401
    assert local.slack.post(body, sign=False).status == 401
    assert local.slack.post(body, timestamp=int(time.time()) - 6 * 60).status == 401
    assert local.stand_in.calls_to("views.open") == []
    assert database_state(local) == before
