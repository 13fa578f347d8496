"""``speakout serve`` killed with SIGKILL (no shutdown code runs) at each step of intake, case
handling and own-up, then started again on the same database, moving nothing: no committed
report is lost, nothing reaches anyone twice, not even the message Slack had accepted from the
dying process, and no claim of the dead process holds the outbox once the new one is up.

``tests/e2e/crash_site.py`` explains the two ways the moment of death is chosen; each test
prints how long the restarted process took to empty the outbox (``STALLS``).
"""

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from db.enums import Category
from slack_app.sandbox.loopback import ORGANIZERS
from slack_app.sandbox.stand_in import Message, SlackStandIn
from tests.e2e.crash_site import (
    ALEX,
    BLAKE,
    DESCRIPTION,
    OLIVIA,
    OMAR,
    Site,
    cards,
    cases_in,
    dms,
    file_report,
    replies,
    sent_twice,
    stored_received_reports,
    text,
    the_case,
    unsent,
    wait_for_modal,
    wait_until_delivered,
)
from tests.e2e.helpers import eventually
from tests.e2e.serve_processes import Serve, WebApiTap
from workflows.intake import receive_report
from workflows.reports import ReportForm

ALEX_DM, BLAKE_DM = "D0PARTIC01", "D0PARTIC02"
APOLOGY = "I am sorry I followed you; I should have taken no for an answer."
RECEIPT = "We've received your report *CoC-0001*"


@pytest.fixture
def site(tmp_path: Path, database_url: str, clean_db: Engine) -> Iterator[Site]:
    with SlackStandIn() as stand_in, WebApiTap(stand_in) as tap:
        for user_id, name in ((ALEX, "alex"), (BLAKE, "blake"), (OLIVIA, "olivia"), (OMAR, "omar")):
            stand_in.add_user(user_id, name)
        stand_in.add_channel(ORGANIZERS, "coc-organizers", members=[OLIVIA, OMAR])
        crash_site = Site(tmp_path, stand_in, tap, database_url, clean_db)
        try:
            yield crash_site
        finally:
            for process in crash_site.processes:
                process.stop()


def a_delivered_case(site: Site, **values) -> tuple[Serve, Message]:
    """A process with one case whose card, details and receipt are all out."""
    process = site.start()
    file_report(process, site.stand_in, **values)
    wait_until_delivered(site.engine, process)
    (card,) = cards(site.stand_in)
    return process, card


def assert_intake_reached_everyone_once(site: Site) -> Message:
    (card,) = cards(site.stand_in)
    assert "CoC-0001" in text(site.stand_in, card)
    assert the_case(site.engine).card_ts == card.ts
    assert len(replies(site.stand_in, card, DESCRIPTION)) == 1
    assert len(dms(site.stand_in, ALEX, RECEIPT)) == 1
    assert sent_twice(site.stand_in) == []
    return card


# -- intake: received, opened, card, details, receipt -------------------------------------------


def test_a_report_received_by_a_process_that_died_before_opening_it_is_opened_by_the_next(site: Site, record_property):
    # What a process leaves when it dies between answering Slack and opening the case: the
    # received report, stored by the same workflow its listener runs.
    with Session(site.engine) as session, session.begin():
        receive_report(
            session,
            form=ReportForm(
                description=DESCRIPTION,
                category=Category.HARASSMENT,
                anonymous=True,
                follow_up_allowed=True,
                apology_wanted=False,
            ),
            reporter_id=ALEX,
            submission_key="V0DIEDBEFOREOPENING",
            now=datetime.now(UTC),
        )

    site.resume("intake: received, not opened", record_property)

    card = assert_intake_reached_everyone_once(site)
    assert "@alex" not in text(site.stand_in, card)
    assert stored_received_reports(site.engine) == 0


def test_a_report_answered_just_before_the_crash_reaches_everyone_once_after_the_restart(site: Site, record_property):
    first = site.start()
    site.refuse_messages()
    file_report(first, site.stand_in)
    first.kill()

    # Killed before or after it opened the case: either way the whole report is kept.
    received = stored_received_reports(site.engine)
    if received:
        assert received == 1 and cases_in(site.engine) == 0 and unsent(site.engine) == []
    else:
        case = the_case(site.engine)
        assert case.number == 1 and case.card_ts is None
        assert [kind for kind, _ in unsent(site.engine)] == ["case_card", "case_details", "receipt"]
    assert site.stand_in.messages() == []

    site.resume("intake: opened, nothing delivered", record_property)
    assert_intake_reached_everyone_once(site)


def test_the_card_slack_accepted_from_the_dying_process_is_found_not_posted_again(site: Site, record_property):
    first = site.start()
    accepted = site.kill_in_flight(first, ORGANIZERS, lambda: file_report(first, site.stand_in))
    assert the_case(site.engine).card_ts is None  # Slack has the card; the case doesn't know its ts

    site.resume("intake: card in flight", record_property)

    card = assert_intake_reached_everyone_once(site)
    assert card.ts == accepted.ts  # the card from the dead process is the card, and its thread


def test_the_details_in_flight_when_the_process_dies_reach_the_thread_once(site: Site, record_property):
    first = site.start()
    site.kill_in_flight(first, ORGANIZERS, lambda: file_report(first, site.stand_in), skip=1)
    assert "case_details" in {kind for kind, _ in unsent(site.engine)}

    site.resume("intake: details in flight", record_property)
    assert_intake_reached_everyone_once(site)


def test_the_receipt_in_flight_when_the_process_dies_reaches_the_reporter_once(site: Site, record_property):
    first = site.start()
    receipt = site.kill_in_flight(first, ALEX_DM, lambda: file_report(first, site.stand_in))
    assert the_case(site.engine).reporter_dm_ts is None

    site.resume("intake: receipt in flight", record_property)

    assert_intake_reached_everyone_once(site)
    assert the_case(site.engine).reporter_dm_ts == receipt.ts


# -- handling the case: acknowledge, note, message the reporter, close ----------------------------


def acknowledge(process: Serve, card: Message) -> None:
    assert process.slack.block_action(OLIVIA, "case_acknowledge", message=card, channel_id=ORGANIZERS).status == 200


def through_modal(process: Serve, stand_in: SlackStandIn, card: Message, action: str, title: str, values: dict):
    def act() -> None:
        case_id = str(_case_id(card, stand_in))
        assert process.slack.block_action(OLIVIA, action, value=case_id, message=card, channel_id=ORGANIZERS).status
        wait_for_modal(stand_in, OLIVIA, title)
        answer = process.slack.submit_view(OLIVIA, values)
        assert answer.status == 200 and answer.slack_error is None, answer.body

    return act


def _case_id(card: Message, stand_in: SlackStandIn) -> int:
    # The card's buttons carry the case id as their value.
    for block in card.blocks or []:
        for element in block.get("elements") or []:
            if element.get("action_id") == "case_acknowledge":
                return int(element["value"])
    raise AssertionError("the card has no Acknowledge button")


def test_an_acknowledgement_answered_before_the_crash_shows_on_the_card_after_the_restart(site: Site, record_property):
    first, card = a_delivered_case(site)
    assert "*Acknowledged*: Not yet" in text(site.stand_in, card)

    site.refuse_messages()
    acknowledge(first, card)
    # Slack gets its answer first; the click is stored just after.
    eventually(lambda: the_case(site.engine).acknowledged_by == OLIVIA, what="the acknowledgement to be stored")
    first.kill()
    assert {"card_update", "acknowledged"} <= {kind for kind, _ in unsent(site.engine)}

    site.resume("acknowledge: stored, nothing delivered", record_property)

    now = text(site.stand_in, site.stand_in.message(ORGANIZERS, card.ts))
    assert "*Status*: Acknowledged" in now and "*Acknowledged*: @olivia" in now, now
    assert len([call for call in site.stand_in.calls_to("chat.update") if not call.failed]) == 1
    assert len(dms(site.stand_in, ALEX, "An organizer has read your report CoC-0001")) == 1
    assert len(replies(site.stand_in, card, "@olivia · acknowledged the case")) == 1
    assert sent_twice(site.stand_in) == []


CASE_STEPS = {
    # kill point: (where the message in flight goes, what the organizer does, what must arrive once)
    "acknowledge: thread line in flight": (ORGANIZERS, None, "@olivia · acknowledged the case"),
    "acknowledge: reporter's DM in flight": (ALEX_DM, None, "An organizer has read your report CoC-0001"),
    "note in flight": (
        ORGANIZERS,
        ("case_note", "Add a note", {"note": "Spoke to the venue: they have CCTV."}),
        "Spoke to the venue: they have CCTV.",
    ),
    "message to the reporter in flight": (
        ALEX_DM,
        ("case_message_reporter", "Message the reporter", {"message": "Where did this happen?"}),
        "Where did this happen?",
    ),
    "closing DM in flight": (
        ALEX_DM,
        ("case_close", "Close the case", {"outcome": "action_taken", "summary": "Warned; no repeat seen."}),
        "Your report CoC-0001 is now closed",
    ),
}


@pytest.mark.parametrize("point", CASE_STEPS)
def test_a_case_message_in_flight_when_the_process_dies_arrives_once(site: Site, record_property, point: str):
    channel, modal, expected = CASE_STEPS[point]
    first, card = a_delivered_case(site)
    act = (lambda: acknowledge(first, card)) if modal is None else through_modal(first, site.stand_in, card, *modal)

    accepted = site.kill_in_flight(first, channel, act)
    assert expected in text(site.stand_in, accepted)

    site.resume(f"case: {point}", record_property)

    where = replies(site.stand_in, card, expected) if channel == ORGANIZERS else dms(site.stand_in, ALEX, expected)
    assert len(where) == 1, where
    assert sent_twice(site.stand_in) == []


# -- own-up: the request, the apology for review, its delivery ----------------------------------


def request_own_up(process: Serve, stand_in: SlackStandIn, card: Message) -> None:
    process.slack.block_action(OLIVIA, "case_request_own_up", message=card, channel_id=ORGANIZERS)
    wait_for_modal(stand_in, OLIVIA, "Request own-up")
    asked = process.slack.submit_view(
        OLIVIA, {"subject": BLAKE, "description": "Following people.", "coc_part": "harassment", "deadline": "3d"}
    )
    assert asked.slack_error is None, asked.body


def own_up(process: Serve, stand_in: SlackStandIn) -> None:
    (request,) = stand_in.dms_to(BLAKE)
    process.slack.block_action(BLAKE, "own_up_apologize", message=request, channel_id=request.channel)
    wait_for_modal(stand_in, BLAKE, "Own up")
    answer = process.slack.submit_view(
        BLAKE, {"acknowledgement": "I followed her.", "apology": APOLOGY, "change": "I will take no for an answer."}
    )
    assert answer.status == 200 and answer.slack_error is None


def deliver(process: Serve, stand_in: SlackStandIn, card: Message) -> None:
    (review,) = [m for m in stand_in.thread(ORGANIZERS, card.ts) if "[Deliver]" in text(stand_in, m)]
    assert process.slack.block_action(OLIVIA, "own_up_deliver", message=review, channel_id=ORGANIZERS).status == 200


def test_an_apology_answered_before_the_crash_reaches_the_organizers_once_after_the_restart(
    site: Site, record_property
):
    stand_in = site.stand_in
    first, card = a_delivered_case(site, involved=[BLAKE])
    request_own_up(first, stand_in, card)
    wait_until_delivered(site.engine, first)

    site.refuse_messages()
    own_up(first, stand_in)
    first.kill()
    assert "own_up_review" in {kind for kind, _ in unsent(site.engine)}
    assert replies(stand_in, card, APOLOGY) == []

    site.resume("own-up: apology stored, nothing delivered", record_property)

    (review,) = replies(stand_in, card, APOLOGY)
    assert "@blake owned up" in review and "[Deliver]" in review
    assert sent_twice(stand_in) == []


def test_the_own_up_request_in_flight_when_the_process_dies_reaches_the_person_once(site: Site, record_property):
    stand_in = site.stand_in
    first, card = a_delivered_case(site, involved=[BLAKE])
    site.kill_in_flight(first, BLAKE_DM, lambda: request_own_up(first, stand_in, card))

    site.resume("own-up: request in flight", record_property)

    assert len(stand_in.dms_to(BLAKE)) == 1
    assert len(replies(stand_in, card, "asked @blake to own up")) == 1
    assert sent_twice(stand_in) == []


def test_the_apology_in_flight_to_review_when_the_process_dies_reaches_the_thread_once(site: Site, record_property):
    stand_in = site.stand_in
    first, card = a_delivered_case(site, involved=[BLAKE])
    request_own_up(first, stand_in, card)
    wait_until_delivered(site.engine, first)
    site.kill_in_flight(first, ORGANIZERS, lambda: own_up(first, stand_in))

    site.resume("own-up: apology for review in flight", record_property)

    (review,) = replies(stand_in, card, APOLOGY)
    assert "[Deliver]" in review
    assert sent_twice(stand_in) == []


def test_the_apology_offer_in_flight_when_the_process_dies_reaches_the_reporter_once(site: Site, record_property):
    stand_in = site.stand_in
    first, card = a_delivered_case(site, involved=[BLAKE])
    request_own_up(first, stand_in, card)
    wait_until_delivered(site.engine, first)
    own_up(first, stand_in)
    wait_until_delivered(site.engine, first)
    site.kill_in_flight(first, ALEX_DM, lambda: deliver(first, stand_in, card))

    site.resume("own-up: apology offer in flight", record_property)

    assert len(dms(stand_in, ALEX, "offered an apology")) == 1
    assert len(replies(stand_in, card, "approved the apology")) == 1
    assert sent_twice(stand_in) == []
