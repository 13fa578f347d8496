"""Words on demand, the default: the organizers' channel (and whoever joins it later) sees what
every organizer may see, with code names; the report's words and the names open with "Open
report" for an organizer of the case, checked live, and every opening is on record."""

import json

import pytest
from slack_sdk import WebClient
from sqlalchemy import select

from db.enums import AccessKind
from db.models import CaseAccess
from slack_app.sandbox.loopback import ORGANIZERS
from slack_app.sandbox.transcript import view_text
from tests.e2e.cases_helpers import card_now, case_id, click, file_case, settle, thread_lines
from tests.e2e.helpers import eventually, names, outbox_drained, seen, wait_for_dms
from workflows.records import case_record

DESCRIPTION = "He followed me to the hotel bar after the workshop and would not leave."
WHERE = "Hotel bar, level 2"
OTHERS = "His friend with the red scarf"
NEWCOMER = "U0NEWORG01"


@pytest.fixture
def report_words() -> str:
    return "on_demand"


def accesses(local) -> list[tuple[str, AccessKind]]:
    with local.services.sessions.begin() as session:
        return [(row.who, row.what) for row in session.scalars(select(CaseAccess).order_by(CaseAccess.id))]


def open_report(local, user: str, card) -> str:
    click(local, user, "case_open_report", card, value=str(case_id(local)))
    settle(local)
    view = local.stand_in.open_view(user)
    return "" if view is None else seen_view(local, view)


def seen_view(local, view) -> str:

    return view_text(view, names(local))


def test_a_newcomer_to_the_organizers_channel_finds_no_report_words_and_no_names_in_its_history(local):
    alex, blake = local.cast.participants[0].user_id, local.cast.participants[1].user_id
    olivia = local.cast.organizers[0].user_id
    card = file_case(
        local, alex, description=DESCRIPTION, involved=[blake], location_text=WHERE, others_involved=OTHERS
    )
    (receipt,) = wait_for_dms(local, alex, 1)
    local.slack.event(local.slack.dm_message(alex, "He was also at the breakfast.", thread_ts=receipt.ts))
    click(local, olivia, "case_note", card, value=str(case_id(local)))
    local.stand_in.wait_for(lambda: (v := local.stand_in.open_view(olivia)) and v.get("callback_id"), what="modal")
    local.slack.submit_view(olivia, {"note": "Spoke to the bar staff; they saw him."})
    settle(local)
    eventually(lambda: outbox_drained(local), what="every message sent")

    # Someone joins the channel later and scrolls up: everything the app ever posted there.
    local.stand_in.add_user(NEWCOMER, "nico")
    local.stand_in.set_members(ORGANIZERS, [*local.stand_in.members(ORGANIZERS), NEWCOMER])
    client = WebClient(token=local.stand_in.bot_token, base_url=local.stand_in.url)
    history = client.conversations_history(channel=ORGANIZERS)["messages"]
    replies = [
        reply
        for message in history
        for reply in client.conversations_replies(channel=ORGANIZERS, ts=message["ts"])["messages"]
    ]
    everything = json.dumps(replies)
    assert len(replies) >= 3  # the card, the reporter's addition, the note
    for words in (DESCRIPTION, WHERE, OTHERS, "breakfast", "bar staff"):
        assert words not in everything
    for person in (alex, blake, "alex", "blake"):
        assert person not in everything
    assert "*Involved*: Person A" in card_now(local, card)
    assert "*Reporter*: Named (in the report)" in card_now(local, card)
    assert any("added a note" in line and "Open report" in line for line in thread_lines(local, card))


def test_open_report_shows_an_organizer_the_words_and_names_and_each_opening_is_recorded(local):
    alex, blake = local.cast.participants[0].user_id, local.cast.participants[1].user_id
    olivia, omar = (person.user_id for person in local.cast.organizers)
    card = file_case(local, alex, description=DESCRIPTION, involved=[blake], location_text=WHERE)

    shown = open_report(local, olivia, card)
    assert DESCRIPTION in shown
    assert f"*Where*: {WHERE}" in shown
    assert "Person A: @blake" in shown
    assert "The reporter: @alex" in shown  # the reporter chose to be named to organizers
    open_report(local, omar, card)
    open_report(local, olivia, card)

    opened = AccessKind.REPORT_OPENED
    assert accesses(local) == [(olivia, opened), (omar, opened), (olivia, opened)]
    with local.services.sessions.begin() as session:
        record = case_record(session, "CoC-0001")
    assert [(entry.who, entry.what) for entry in record.access_log] == accesses(local)
    # The words never reached the channel, the reporter or the person named.
    assert all(DESCRIPTION not in seen(local, message) for message in local.stand_in.messages())


def test_open_report_is_checked_live_and_refused_to_anyone_not_an_organizer_of_the_case(local):
    alex, blake, casey = (person.user_id for person in local.cast.participants)
    olivia, omar = (person.user_id for person in local.cast.organizers)
    card = file_case(local, alex, description=DESCRIPTION, involved=[blake])

    refused = "Only organizers of this case can do this."
    shown = open_report(local, casey, card)  # a participant who got hold of the button
    assert refused in shown and DESCRIPTION not in shown
    # Omar leaves the organizers' channel after the card was posted: refused at his next click.
    local.stand_in.set_members(ORGANIZERS, [m for m in local.stand_in.members(ORGANIZERS) if m != omar])
    shown = open_report(local, omar, card)
    assert refused in shown and DESCRIPTION not in shown

    assert accesses(local) == []
    assert DESCRIPTION in open_report(local, olivia, card)
    assert accesses(local) == [(olivia, AccessKind.REPORT_OPENED)]
