"""The own-up flow end to end, through signed requests against the stand-in: what the reporter,
the person asked to own up, and the organizers' case thread and card each receive."""

import json

import pytest
from sqlalchemy import select

from db.enums import OwnUpState, RecipientAnswer
from db.models import OwnUp
from slack_app.sandbox.loopback import ORGANIZERS
from tests.e2e.cases_helpers import (
    card_now,
    case_id,
    click,
    ephemerals,
    file_case,
    settle,
    thread_lines,
    timeline,
    wait_for_modal,
)
from tests.e2e.helpers import modal_text, seen, wait_for_dms

# The same scenarios over HTTP and over Socket Mode.
pytestmark = pytest.mark.both_transports

REPORT = "At the hackathon dinner he kept filming me on his phone after I asked him to stop."
REPORT_WORDS = ("hackathon", "filming me", "asked him to stop")
NEUTRAL = "Taking photos and video of attendees without asking them first."
ASK = "Our Code of Conduct asks everyone who learns that their words or actions made someone uncomfortable"
BUTTONS = "[Own up and apologize] [Talk to an organizer] [I see it differently]"
APOLOGY = {
    "acknowledgement": "I filmed people at dinner without asking them.",
    "apology": "I'm sorry. It was thoughtless, and I understand it felt intrusive.",
    "change": "I'll ask before I take any photo or video of anyone.",
}
OFFER = "The other person has offered an apology. Would you like to read it?"
REVIEW_BUTTONS = "[Deliver] [Ask for changes] [Don't deliver]"
NOT_THEIRS = "Only the person this message was sent to can answer it."
ONLY_ORGANIZERS = "Only organizers of this case can do this."


def people(local):
    alex, blake, casey = (p.user_id for p in local.cast.participants)
    olivia, omar = (p.user_id for p in local.cast.organizers)
    return alex, blake, casey, olivia, omar


def own_up_id(local, subject: str) -> int:
    """The latest own-up request to ``subject``."""
    with local.services.sessions.begin() as session:
        return session.scalar(select(OwnUp.id).where(OwnUp.subject_id == subject).order_by(OwnUp.id.desc()))


FIELDS = (
    "subject_id",
    "recipient_id",
    "state",
    "requested_by",
    "description",
    "coc_part",
    "acknowledgement",
    "apology",
    "change",
    "account",
    "review_note",
    "not_delivered_reason",
    "recipient_answer",
)


def stored(local, own_up: int) -> dict:
    with local.services.sessions.begin() as session:
        row = session.get(OwnUp, own_up)
        return {name: getattr(row, name) for name in FIELDS}


def texts(local, messages) -> list[str]:
    return [seen(local, message) for message in messages]


def dm_texts(local, user: str) -> list[str]:
    return texts(local, local.stand_in.dms_to(user))


def press(local, user: str, action_id: str, message, *, value: str | None = None) -> None:
    """Press a button on a message (a DM, a thread reply) as ``user``, where it was posted."""
    response = local.slack.block_action(
        user, action_id, value=value, message=message.to_dict(), channel_id=message.channel
    )
    assert response.status == 200
    settle(local)


def request_own_up(local, card, organizer: str, subject: str, *, number: int = 1, deadline: str = "3d"):
    """Press the card's "Request own-up", send the modal, and return the DM the subject gets."""
    before = len(local.stand_in.dms_to(subject))
    click(local, organizer, "case_request_own_up", card, value=str(case_id(local, number)))
    wait_for_modal(local, organizer, "Request own-up")
    answer = local.slack.submit_view(
        organizer, {"subject": subject, "description": NEUTRAL, "coc_part": "recording", "deadline": deadline}
    )
    assert answer.errors is None and answer.slack_error is None
    settle(local)
    dms = wait_for_dms(local, subject, before + 1)
    assert len(dms) == before + 1
    return dms[-1]


def send_modal(local, user: str, button: str, message, title: str, values: dict) -> None:
    press(local, user, button, message)
    wait_for_modal(local, user, title)
    answer = local.slack.submit_view(user, values)
    assert answer.errors is None and answer.slack_error is None
    settle(local)


def reviews(local, card) -> list:
    return [m for m in local.stand_in.thread(card.channel, card.ts) if m.text.endswith("an apology to review")]


def to_review(local, **report_values):
    """Alex reports blake, olivia asks blake to own up, blake apologizes: the review is waiting."""
    alex, blake, _, olivia, _ = people(local)
    card = file_case(local, alex, involved=[blake], description=REPORT, **report_values)
    request = request_own_up(local, card, olivia, blake)
    send_modal(local, blake, "own_up_apologize", request, "Own up", APOLOGY)
    assert len(reviews(local, card)) == 1
    return card, request


def assert_nothing_points_at_the_reporter(local, subject: str) -> None:
    """Across everything the subject was ever shown (edits too): not the reporter, not the report."""
    alex = people(local)[0]
    shown = [version for m in local.stand_in.dms_to(subject) for version in (m, *m.edits)]
    assert shown
    for message in shown:
        raw = json.dumps(message.to_dict())
        assert alex not in raw, seen(local, message)
        assert "alex" not in raw.lower(), seen(local, message)
        assert "CoC-" not in raw, seen(local, message)
        for words in REPORT_WORDS:
            assert words not in raw, seen(local, message)


def test_happy_path_each_party_sees_only_their_part_and_the_apology_is_read_and_accepted(local):
    alex, blake, casey, olivia, _ = people(local)
    card = file_case(local, alex, involved=[blake], description=REPORT)
    (receipt,) = wait_for_dms(local, alex, 1)

    request = request_own_up(local, card, olivia, blake)

    # Blake: one DM with the organizer's words, the ask, and three choices; nothing of the report.
    assert len(local.stand_in.dms_to(blake)) == 1
    text = seen(local, request)
    assert "A message from the event organizers" in text
    assert f">{NEUTRAL}" in text
    assert "_Code of Conduct: No unwanted photography or recording_" in text
    assert ASK in text and "own up to it and apologize" in text
    assert "Please reply by " in text
    assert text.splitlines()[-1] == BUTTONS
    assert_nothing_points_at_the_reporter(local, blake)
    # Organizers: the card shows the request, the thread says who asked and in which words.
    assert "*Own-up*\n@blake: waiting for a reply (by " in card_now(local, card)
    assert "[Withdraw own-up request 1]" in card_now(local, card)
    assert thread_lines(local, card)[-1].startswith("@olivia · asked @blake to own up, replying by ")
    assert thread_lines(local, card)[-1].endswith(f"\n>{NEUTRAL}")
    # Alex: nothing yet.
    assert local.stand_in.dms_to(alex) == [receipt]
    assert local.stand_in.dms_to(casey) == []

    send_modal(local, blake, "own_up_apologize", request, "Own up", APOLOGY)

    (review,) = reviews(local, card)
    review_text = seen(local, review)
    assert review_text.startswith(":handshake: *@blake owned up* (CoC-0001)")
    assert f"*Their apology*\n>{APOLOGY['apology']}" in review_text
    assert f"*What they acknowledge*\n>{APOLOGY['acknowledgement']}" in review_text
    assert f"*What they will do differently*\n>{APOLOGY['change']}" in review_text
    assert review_text.splitlines()[-1] == REVIEW_BUTTONS
    assert APOLOGY["apology"] not in review.text  # the notification text carries no apology
    assert "@blake: apology waiting for review" in card_now(local, card)
    assert local.stand_in.dms_to(alex) == [receipt]
    assert len(local.stand_in.dms_to(blake)) == 1

    click(local, olivia, "own_up_deliver", review)
    settle(local)

    _, offer = wait_for_dms(local, alex, 2)
    offer_text = seen(local, offer)
    assert "*About your report CoC-0001*" in offer_text and OFFER in offer_text
    assert offer_text.splitlines()[-1] == "[Yes, show me] [No, thank you]"
    assert APOLOGY["apology"] not in json.dumps(offer.to_dict())  # asked first, shown nothing yet
    assert "@blake: asking the reporter whether to pass it on" in card_now(local, card)
    assert thread_lines(local, card)[-1].startswith(
        "@olivia · approved the apology; asking the reporter whether they want to read it"
    )
    assert len(local.stand_in.dms_to(blake)) == 1

    press(local, alex, "apology_read_yes", offer)

    _, answered_offer, apology = wait_for_dms(local, alex, 3)
    assert answered_offer.ts == offer.ts and answered_offer.edits  # the offer was edited in place
    assert dm_texts(local, alex)[1] == "You chose to read it: it's below."
    apology_text = seen(local, apology)
    assert f"*The apology*\n>{APOLOGY['apology']}" in apology_text
    assert f"*What they will do differently*\n>{APOLOGY['change']}" in apology_text
    assert APOLOGY["acknowledgement"] not in apology_text  # that part is for the organizers
    assert apology_text.splitlines()[-1] == "[Thank you, I accept] [Received] [I'd rather not respond]"
    assert dm_texts(local, blake)[1:] == ["Your apology was delivered. Thank you for owning up."]
    assert thread_lines(local, card)[-1].startswith("Speak Out · the reporter chose to read the apology: delivered")
    assert "@blake: apology delivered" in card_now(local, card)

    press(local, alex, "apology_answer", apology)  # the first answer button: accept

    # The apology stays readable; the answer replaces the buttons.
    answered = dm_texts(local, alex)[2]
    assert answered.startswith("*The apology*") and APOLOGY["apology"] in answered
    assert answered.splitlines()[-1] == "You answered: “Thank you, I accept”."
    assert len(local.stand_in.dms_to(alex)) == 3
    assert thread_lines(local, card)[-1].startswith(
        "Speak Out · the reporter answered the apology: “Thank you, I accept”"
    )
    assert dm_texts(local, blake)[1:] == [
        "Your apology was delivered. Thank you for owning up.",
        "Your apology was delivered, and it was accepted. Thank you for owning up.",
    ]
    card_text = card_now(local, card)
    assert "@blake: apology delivered and answered" in card_text
    assert "Withdraw own-up request" not in card_text

    assert stored(local, own_up_id(local, blake)) == {
        "subject_id": blake,
        "recipient_id": alex,
        "state": OwnUpState.ACKNOWLEDGED,
        "requested_by": olivia,
        "description": NEUTRAL,
        "coc_part": "recording",
        **APOLOGY,
        "account": None,
        "review_note": None,
        "not_delivered_reason": None,
        "recipient_answer": RecipientAnswer.ACCEPT,
    }
    assert timeline(local)[-5:] == [
        ("own_up", olivia),  # requested
        ("own_up", blake),  # owned up
        ("own_up", olivia),  # approved
        ("own_up", None),  # read
        ("own_up", None),  # answered
    ]
    assert [kind for kind, _ in timeline(local)].count("own_up") == 5
    assert local.stand_in.dms_to(casey) == []
    assert_nothing_points_at_the_reporter(local, blake)


def test_asking_for_changes_sends_the_note_and_the_revised_apology_comes_back_for_review(local):
    alex, blake, _, olivia, _ = people(local)
    card, _request = to_review(local)
    note = "Please leave out the part about it being harmless fun."

    click(local, olivia, "own_up_ask_changes", reviews(local, card)[0])
    wait_for_modal(local, olivia, "Ask for changes")
    assert local.slack.submit_view(olivia, {"note": note}).errors is None
    settle(local)

    _, changes = wait_for_dms(local, blake, 2)
    changes_text = seen(local, changes)
    assert "The organizers read your apology and ask for a change before passing it on" in changes_text
    assert f">{note}" in changes_text
    assert changes_text.splitlines()[-1] == "[Revise my apology]"
    assert "@blake: asked to revise the apology" in card_now(local, card)
    assert thread_lines(local, card)[-1].startswith("@olivia · asked for changes to the apology")
    assert thread_lines(local, card)[-1].endswith(f"\n>{note}")
    assert len(local.stand_in.dms_to(alex)) == 1  # the receipt only

    press(local, blake, "own_up_apologize", changes)
    view = wait_for_modal(local, blake, "Own up")
    assert f"*The organizers asked for changes:*\n>{note}" in modal_text(local, blake)
    initial = {b["block_id"]: b["element"].get("initial_value") for b in view["blocks"] if b["type"] == "input"}
    assert initial == APOLOGY  # pre-filled with what they wrote before
    revised = "I'm sorry. Filming you without asking was wrong."
    assert local.slack.submit_view(blake, {"apology": revised}).errors is None
    settle(local)

    _first, second = reviews(local, card)
    assert f"*Their apology*\n>{revised}" in seen(local, second)
    assert f">{APOLOGY['acknowledgement']}" in seen(local, second)  # kept from the first version
    assert seen(local, second).splitlines()[-1] == REVIEW_BUTTONS
    assert "@blake: apology waiting for review" in card_now(local, card)
    row = stored(local, own_up_id(local, blake))
    assert (row["state"], row["apology"], row["review_note"]) == (OwnUpState.UNDER_REVIEW, revised, note)
    assert len(local.stand_in.dms_to(alex)) == 1
    assert len(local.stand_in.dms_to(blake)) == 2
    assert_nothing_points_at_the_reporter(local, blake)


def test_dont_deliver_records_the_reason_and_tells_nobody(local):
    alex, blake, _, olivia, _ = people(local)
    card, _request = to_review(local)
    reason = "The apology blames the reporter; we'll talk to him in person instead."

    click(local, olivia, "own_up_dont_deliver", reviews(local, card)[0])
    wait_for_modal(local, olivia, "Don't deliver")
    assert local.slack.submit_view(olivia, {"reason": reason}).errors is None
    settle(local)

    assert thread_lines(local, card)[-1].startswith("@olivia · decided not to deliver the apology")
    assert thread_lines(local, card)[-1].endswith(f"\n>{reason}")
    assert "@blake: apology not delivered" in card_now(local, card)
    (receipt,) = dm_texts(local, alex)  # the receipt, nothing more
    assert "We've received your report" in receipt
    assert len(local.stand_in.dms_to(blake)) == 1  # the request, nothing more
    row = stored(local, own_up_id(local, blake))
    assert (row["state"], row["not_delivered_reason"]) == (OwnUpState.NOT_DELIVERED, reason)

    # Delivering it afterwards is refused.
    click(local, olivia, "own_up_deliver", reviews(local, card)[0])
    settle(local)
    assert ephemerals(local, olivia) == ["This can't be done now: the own-up request is apology not delivered."]
    assert len(local.stand_in.dms_to(alex)) == 1


def test_a_reporter_who_says_no_is_never_shown_the_apology_and_the_person_is_told_nothing(local):
    alex, blake, _, olivia, _ = people(local)
    card, _request = to_review(local)
    click(local, olivia, "own_up_deliver", reviews(local, card)[0])
    settle(local)
    _, offer = wait_for_dms(local, alex, 2)
    assert OFFER in seen(local, offer)

    press(local, alex, "apology_read_no", offer)

    assert len(local.stand_in.dms_to(alex)) == 2
    assert dm_texts(local, alex)[1] == "You chose not to read it. Nothing was passed on."
    for message in local.stand_in.dms_to(alex):
        for version in (message, *message.edits):
            assert APOLOGY["apology"] not in json.dumps(version.to_dict())
    assert len(local.stand_in.dms_to(blake)) == 1
    assert thread_lines(local, card)[-1].startswith("Speak Out · the reporter preferred not to read the apology")
    assert "@blake: apology not delivered" in card_now(local, card)
    row = stored(local, own_up_id(local, blake))
    assert row["state"] is OwnUpState.NOT_DELIVERED
    assert row["not_delivered_reason"] == "The reporter preferred not to read it."
    assert row["recipient_answer"] is None


@pytest.mark.parametrize("declined", [{"follow_up": "no_follow_up"}, {"apology": "no_apology"}])
def test_deliver_is_refused_when_the_reporter_declined_contact_or_apologies(local, declined):
    alex, blake, _, olivia, _ = people(local)
    card, _request = to_review(local, **declined)
    alex_before = dm_texts(local, alex)
    thread_before = thread_lines(local, card)

    click(local, olivia, "own_up_deliver", reviews(local, card)[0])
    settle(local)

    assert ephemerals(local, olivia) == [
        "The reporter asked not to be contacted or not to receive an apology: use Don't deliver instead."
    ]
    assert dm_texts(local, alex) == alex_before
    assert not any(OFFER in text or APOLOGY["apology"] in text for text in dm_texts(local, alex))
    assert thread_lines(local, card) == thread_before
    assert stored(local, own_up_id(local, blake))["state"] is OwnUpState.UNDER_REVIEW
    assert len(local.stand_in.dms_to(blake)) == 1


def test_talking_to_an_organizer_and_seeing_it_differently_reach_the_case_thread(local):
    alex, blake, _, olivia, _ = people(local)
    card = file_case(local, alex, involved=[blake], description=REPORT)
    request = request_own_up(local, card, olivia, blake)
    message = "I'd like to understand what this is about before I answer. Can we talk tomorrow?"
    account = "I was filming the band on stage; nobody in the audience was the subject."

    send_modal(local, blake, "own_up_talk", request, "Talk to an organizer", {"message": message})

    assert "wants to talk to an organizer" in thread_lines(local, card)[-1]
    assert thread_lines(local, card)[-1].startswith("@blake · ")
    assert thread_lines(local, card)[-1].endswith(f"\n>{message}")
    assert "@blake: wants to talk to an organizer" in card_now(local, card)
    assert stored(local, own_up_id(local, blake))["state"] is OwnUpState.WANTS_TO_TALK

    send_modal(local, blake, "own_up_differently", request, "Your account", {"account": account})

    assert "sees it differently" in thread_lines(local, card)[-1]
    assert thread_lines(local, card)[-1].endswith(f"\n>{account}")
    assert "@blake: sees it differently" in card_now(local, card)
    row = stored(local, own_up_id(local, blake))
    assert (row["state"], row["account"]) == (OwnUpState.SEES_DIFFERENTLY, account)
    # Once they've given their account, "talk" is no longer open, though they may still own up.
    press(local, blake, "own_up_talk", request)
    assert local.stand_in.open_view(blake) is None
    assert dm_texts(local, blake)[-1] == "This can't be done now: the request is sees it differently."
    # Nothing of it reaches the reporter, and blake got no other messages.
    assert len(local.stand_in.dms_to(alex)) == 1
    assert [m.ephemeral_for for m in local.stand_in.dms_to(blake)] == [None, blake]
    assert [kind for kind, _ in timeline(local)].count("own_up") == 3


def test_clicks_by_the_wrong_person_or_in_the_wrong_state_are_refused_and_change_nothing(local):
    alex, blake, casey, olivia, _ = people(local)
    card, request = to_review(local)
    review = reviews(local, card)[0]
    own_up = own_up_id(local, blake)

    def snapshot():
        return stored(local, own_up), timeline(local), thread_lines(local, card), dm_texts(local, alex)

    before = snapshot()
    # Casey presses blake's buttons, on blake's DM.
    for button in ("own_up_apologize", "own_up_talk", "own_up_differently"):
        press(local, casey, button, request)
    assert dm_texts(local, casey) == [NOT_THEIRS] * 3
    assert local.stand_in.open_view(casey) is None
    # Blake presses Deliver on the review in the organizers' thread.
    click(local, blake, "own_up_deliver", review)
    settle(local)
    assert dm_texts(local, blake)[1:] == [ONLY_ORGANIZERS]
    assert snapshot() == before

    click(local, olivia, "own_up_deliver", review)
    settle(local)
    delivered = snapshot()
    click(local, olivia, "own_up_deliver", review)  # a second Deliver
    settle(local)
    assert ephemerals(local, olivia) == [
        "This can't be done now: the own-up request is asking the reporter whether to pass it on."
    ]
    assert snapshot() == delivered
    assert sum(OFFER in text for text in dm_texts(local, alex)) == 1

    _, offer = wait_for_dms(local, alex, 2)
    press(local, blake, "apology_read_yes", offer)  # blake on alex's offer
    assert dm_texts(local, blake)[-1] == NOT_THEIRS
    assert snapshot() == delivered

    press(local, alex, "apology_read_yes", offer)
    read = snapshot()
    assert read[0]["state"] is OwnUpState.DELIVERED
    press(local, alex, "apology_read_yes", offer)  # Yes again, from the same (old) message
    assert ephemerals(local, alex) == ["This can't be done now: the own-up request is apology delivered."]
    assert snapshot()[:3] == read[:3]
    assert sum(APOLOGY["apology"] in text for text in dm_texts(local, alex)) == 1
    assert dm_texts(local, blake)[1:] == [
        ONLY_ORGANIZERS,
        NOT_THEIRS,
        "Your apology was delivered. Thank you for owning up.",
    ]
    assert_nothing_points_at_the_reporter(local, blake)


def test_a_withdrawn_request_tells_the_person_and_its_buttons_stop_working(local):
    alex, blake, _, olivia, _ = people(local)
    card = file_case(local, alex, involved=[blake], description=REPORT)
    request = request_own_up(local, card, olivia, blake)
    own_up = own_up_id(local, blake)

    click(local, olivia, "own_up_withdraw", card, value=str(own_up))
    settle(local)

    assert dm_texts(local, blake)[1:] == [
        "The organizers have withdrawn their earlier request. There's nothing more you need to do."
    ]
    assert thread_lines(local, card)[-1].startswith("@olivia · withdrew the own-up request to @blake")
    assert "@blake: withdrawn" in card_now(local, card)
    assert "Withdraw own-up request" not in card_now(local, card)
    assert stored(local, own_up)["state"] is OwnUpState.WITHDRAWN

    press(local, blake, "own_up_apologize", request)

    assert local.stand_in.open_view(blake) is None
    assert dm_texts(local, blake)[-1] == "This can't be done now: the request is withdrawn."
    assert local.stand_in.dms_to(blake)[-1].ephemeral_for == blake
    assert stored(local, own_up)["state"] is OwnUpState.WITHDRAWN
    assert len(local.stand_in.dms_to(alex)) == 1
    assert_nothing_points_at_the_reporter(local, blake)


def test_several_requests_on_one_case_run_independently(local):
    alex, blake, casey, olivia, _ = people(local)
    card = file_case(local, alex, involved=[blake, casey], description=REPORT)
    to_blake = request_own_up(local, card, olivia, blake)
    to_casey = request_own_up(local, card, olivia, casey)
    assert "@blake: waiting for a reply" in card_now(local, card)
    assert "@casey: waiting for a reply" in card_now(local, card)
    assert "[Withdraw own-up request 1] [Withdraw own-up request 2]" in card_now(local, card)

    # A second open request to the same person is refused on the modal.
    click(local, olivia, "case_request_own_up", card, value=str(case_id(local)))
    wait_for_modal(local, olivia, "Request own-up")
    refused = local.slack.submit_view(
        olivia, {"subject": blake, "description": NEUTRAL, "coc_part": "recording", "deadline": "1d"}
    )
    assert refused.errors == {"subject": f"<@{blake}> already has an open own-up request on this case."}
    local.slack.close_view(olivia)

    # Blake can't answer casey's request, nor casey blake's.
    press(local, blake, "own_up_apologize", to_casey)
    press(local, casey, "own_up_differently", to_blake)
    assert local.stand_in.open_view(blake) is None and local.stand_in.open_view(casey) is None

    send_modal(local, blake, "own_up_apologize", to_blake, "Own up", APOLOGY)
    account = "It was a group video everyone had agreed to."
    send_modal(local, casey, "own_up_differently", to_casey, "Your account", {"account": account})

    blake_row, casey_row = stored(local, own_up_id(local, blake)), stored(local, own_up_id(local, casey))
    assert (blake_row["state"], blake_row["apology"], blake_row["account"]) == (
        OwnUpState.UNDER_REVIEW,
        APOLOGY["apology"],
        None,
    )
    assert (casey_row["state"], casey_row["apology"], casey_row["account"]) == (
        OwnUpState.SEES_DIFFERENTLY,
        None,
        account,
    )
    card_text = card_now(local, card)
    assert "*Own-up*\n@blake: apology waiting for review\n@casey: sees it differently" in card_text
    (review,) = reviews(local, card)
    assert seen(local, review).startswith(":handshake: *@blake owned up*")
    # Each person heard only about their own request.
    assert dm_texts(local, blake) == [seen(local, to_blake), NOT_THEIRS]
    assert dm_texts(local, casey) == [seen(local, to_casey), NOT_THEIRS]
    assert len(local.stand_in.dms_to(alex)) == 1
    for person in (blake, casey):
        assert_nothing_points_at_the_reporter(local, person)


def test_a_self_report_with_an_apology_reaches_the_person_only_after_review_and_their_consent(local):
    alex, _, casey, olivia, _ = people(local)
    what = "I made a joke about accents during the lightning talks that was out of line."
    sorry = "I'm sorry for the joke about your accent. It wasn't funny and it wasn't okay."

    assert local.slack.slash_command(casey, "/ownup").status == 200
    wait_for_modal(local, casey, "Own up")
    answer = local.slack.submit_view(casey, {"what": what, "affected": [alex], "apology": sorry})
    assert answer.errors is None and answer.response_action == "update" and answer.slack_error is None
    assert modal_text(local, casey).startswith("== Thank you ==")
    assert "*CoC-0001*" in modal_text(local, casey)
    settle(local)

    (card,) = [m for m in local.stand_in.messages(ORGANIZERS) if m.thread_ts is None]
    card_text = card_now(local, card)
    assert card_text.startswith(":raised_hand: *Self-report* · *CoC-0001*")
    assert "@casey" in card_text and "@alex" in card_text
    (review,) = reviews(local, card)
    review_text = seen(local, review)
    assert review_text.startswith(":handshake: *@casey owned up* (CoC-0001)")
    assert f"*Their apology*\n>{sorry}" in review_text
    assert "_Deliver asks the people it names first whether they want to read it._" in review_text
    (receipt,) = wait_for_dms(local, casey, 1)
    assert "Thank you for owning up. The organizers have your self-report CoC-0001." in seen(local, receipt)
    assert local.stand_in.dms_to(alex) == []

    click(local, olivia, "own_up_deliver", review)
    settle(local)

    (offer,) = wait_for_dms(local, alex, 1)
    assert seen(local, offer).startswith(
        "Someone you were affected by has offered an apology. Would you like to read it?"
    )
    assert sorry not in json.dumps(offer.to_dict())
    assert len(local.stand_in.dms_to(casey)) == 1

    press(local, alex, "apology_read_yes", offer)

    _, apology = wait_for_dms(local, alex, 2)
    assert f"*The apology*\n>{sorry}" in seen(local, apology)
    assert dm_texts(local, casey)[1:] == ["Your apology was delivered. Thank you for owning up."]
    for message in local.stand_in.dms_to(alex):
        assert what not in json.dumps(message.to_dict())  # what casey told the organizers stays with them
    row = stored(local, own_up_id(local, casey))
    assert (row["subject_id"], row["recipient_id"], row["state"]) == (casey, alex, OwnUpState.DELIVERED)
