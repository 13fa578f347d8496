"""Report intake end to end: signed requests in, Web API calls out, what each person sees."""

import json
import logging
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from db.enums import Routing
from db.models import Case, OutboxMessage, ReceivedReport
from slack_app.sandbox.loopback import ESCALATION, ORGANIZERS
from tests.e2e.helpers import (
    eventually,
    modal_text,
    outbox_drained,
    report,
    seen,
    submission_payload,
    wait_for_channel,
    wait_for_dms,
)

# The same scenarios over HTTP and over Socket Mode.
pytestmark = pytest.mark.both_transports

DESCRIPTION = "During the keynote Q&A he kept photographing my badge after I asked him to stop."


def case_count(local) -> int:
    with local.services.sessions.begin() as session:
        return session.scalar(select(func.count()).select_from(Case))


def reports_kept(local) -> int:
    """Cases, and reports received but not opened as cases yet."""
    with local.services.sessions.begin() as session:
        return session.scalar(select(func.count()).select_from(Case)) + session.scalar(
            select(func.count()).select_from(ReceivedReport)
        )


def test_report_command_opens_a_private_modal_prefilled_with_what_was_typed(local):
    alex = local.cast.participants[0].user_id
    response = local.slack.slash_command(alex, "/report", text="he keeps following me")

    assert response.status == 200 and response.body == ""
    view = local.stand_in.wait_for(lambda: local.stand_in.open_view(alex), what="the modal")
    text = modal_text(local, alex)
    assert "== Report a concern ==" in text
    assert "[What happened?] (required)" in text
    assert "Stalking, following, or unwanted photography or recording" in text
    assert "I feel unsafe right now / I need help now" in text
    assert "Keep me anonymous to organizers" in text
    assert "I don't want to receive an apology" in text
    description = next(b for b in view["blocks"] if b.get("block_id") == "description")
    assert description["element"]["initial_value"] == "he keeps following me"
    assert description["element"]["max_length"] == 3000
    # The modal is opened, never posted anywhere: nobody else sees that alex is reporting.
    assert local.stand_in.messages() == []


def test_a_named_report_reaches_organizers_as_a_card_with_details_in_its_thread(local):
    alex, blake = local.cast.participants[0], local.cast.participants[1]
    answer = report(local, alex.user_id, text=DESCRIPTION, involved=[blake.user_id], location_text="Main hall")

    assert answer.status == 200 and answer.slack_error is None
    confirmation = modal_text(local, alex.user_id)
    assert "Your report is with the organizers" in confirmation
    assert "We're sending you a direct message with its reference" in confirmation

    card, details = wait_for_channel(local, ORGANIZERS, 2)
    card_text = seen(local, card)
    assert "*CoC-0001* · Harassment or intimidation" in card_text
    assert "*Status*: New" in card_text
    assert "*Involved*: @blake" in card_text
    assert "*Reporter*: @alex" in card_text
    assert "@channel" not in card_text
    assert DESCRIPTION not in card.text  # the notification text carries no report content
    assert details.thread_ts == card.ts
    details_text = seen(local, details)
    assert DESCRIPTION in details_text
    assert "*Where*: Main hall" in details_text
    assert "Reported by @alex." in details_text

    (receipt,) = wait_for_dms(local, alex.user_id, 1)
    receipt_text = seen(local, receipt)
    assert "We've received your report *CoC-0001*" in receipt_text
    assert "reply to this message at any time to add information" in receipt_text
    # The reported person hears nothing.
    assert local.stand_in.dms_to(blake.user_id) == []


def test_an_anonymous_report_shows_no_trace_of_the_reporter_anywhere_organizers_look(local):
    alex, blake = local.cast.participants[0], local.cast.participants[1]
    report(local, alex.user_id, text=DESCRIPTION, anonymity="anonymous", involved=[blake.user_id])
    wait_for_channel(local, ORGANIZERS, 2)
    wait_for_dms(local, alex.user_id, 1)
    eventually(lambda: outbox_drained(local), what="every message sent")

    alex_dm = local.stand_in.dm_channel_for(alex.user_id)
    elsewhere = [m for m in local.stand_in.messages() if m.channel != alex_dm]
    assert elsewhere, "organizers got the case"
    for message in elsewhere:
        raw = json.dumps(message.to_dict())
        assert alex.user_id not in raw and alex.name not in seen(local, message)
    assert "*Reporter*: Anonymous" in seen(local, elsewhere[0])
    assert "asked to stay *anonymous*" in seen(local, elsewhere[1])
    assert "Organizers will not see your name" in seen(local, local.stand_in.dms_to(alex.user_id)[0])


def test_an_urgent_report_notifies_the_channel_and_tells_the_reporter_whom_to_contact(local):
    alex = local.cast.participants[0].user_id
    report(local, alex, text=DESCRIPTION, urgent=["urgent"])

    assert "Need help right now?" in modal_text(local, alex)
    card, _ = wait_for_channel(local, ORGANIZERS, 2)
    assert card.text.startswith("Urgent report CoC-0001")
    assert "<!channel>" in json.dumps(card.blocks)
    (receipt,) = wait_for_dms(local, alex, 1)
    assert local.settings.urgent_help_text in seen(local, receipt)


def test_report_this_message_attaches_the_message_and_names_its_author(local):
    alex, blake = local.cast.participants[0], local.cast.participants[1]
    posted = local.stand_in.post_user_message(blake.user_id, "C0GENERAL1", "send me your hotel room number")
    message = {"type": "message", "user": blake.user_id, "ts": posted.ts, "text": posted.text}

    response = local.slack.message_shortcut(alex.user_id, "report_message", channel_id="C0GENERAL1", message=message)
    assert response.status == 200
    view = local.stand_in.wait_for(lambda: local.stand_in.open_view(alex.user_id), what="the modal")
    assert "*Message you are reporting* (from @blake):" in modal_text(local, alex.user_id)
    involved = next(b for b in view["blocks"] if b.get("block_id") == "involved")
    assert involved["element"]["initial_users"] == [blake.user_id]

    local.slack.submit_view(
        alex.user_id,
        {"description": "He asked for my room number.", "category": "sexual_attention", "anonymity": "named"},
    )
    _, details = wait_for_channel(local, ORGANIZERS, 2)
    details_text = seen(local, details)
    assert "send me your hotel room number" in details_text
    assert "the reported message by @blake" in details_text
    assert "https://" in json.dumps(details.blocks)  # the permalink from chat.getPermalink


def test_anonymity_about_a_direct_message_warns_that_the_other_person_may_guess(local):
    alex, blake = local.cast.participants[0], local.cast.participants[1]
    dm = local.stand_in.dm_channel_for(alex.user_id)
    message = {"type": "message", "user": blake.user_id, "ts": "1764061200.000100", "text": "you'll regret this"}
    local.slack.message_shortcut(alex.user_id, "report_message", channel_id=dm, message=message)
    view = local.stand_in.wait_for(lambda: local.stand_in.open_view(alex.user_id), what="the modal")
    assert "may guess who reported" not in modal_text(local, alex.user_id)

    anonymous = {"type": "radio_buttons", "selected_option": {"value": "anonymous"}}
    local.slack.block_action(alex.user_id, "anonymity_choice", block_id="anonymity", view=view, selected=anonymous)
    local.stand_in.wait_for(lambda: local.stand_in.calls_to("views.update"), what="the modal update")
    assert "may guess who reported" in modal_text(local, alex.user_id)

    view = local.stand_in.open_view(alex.user_id)
    named = {"type": "radio_buttons", "selected_option": {"value": "named"}}
    local.slack.block_action(alex.user_id, "anonymity_choice", block_id="anonymity", view=view, selected=named)
    local.stand_in.wait_for(lambda: len(local.stand_in.calls_to("views.update")) == 2, what="the second update")
    assert "may guess who reported" not in modal_text(local, alex.user_id)


def test_bad_input_gets_a_field_error_and_nothing_is_stored(local):
    alex = local.cast.participants[0].user_id
    local.slack.slash_command(alex, "/report")
    local.stand_in.wait_for(lambda: local.stand_in.open_view(alex), what="the modal")

    cases = [
        ({"description": "   "}, "description", "Please tell us what happened."),
        ({"description": "x" * 3001}, "description", "under 3,000 characters"),
        ({"description": DESCRIPTION, "involved": [alex]}, "involved", "don't need to add yourself"),
        ({"description": DESCRIPTION, "others_involved": "y" * 501}, "others_involved", "under 500"),
    ]
    for values, block, message in cases:
        answer = local.slack.submit_view(
            alex, {"category": "other", "anonymity": "named", **values}, enforce_required=False
        )
        assert answer.status == 200
        assert message in answer.errors[block]
        assert "== Report a concern ==" in modal_text(local, alex)  # still open, text kept
    assert reports_kept(local) == 0
    with local.services.sessions.begin() as session:
        assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    assert local.stand_in.messages() == []


def test_a_report_naming_an_organizer_goes_to_the_escalation_channel_only(local):
    alex = local.cast.participants[0].user_id
    olivia = local.cast.organizers[0].user_id
    report(local, alex, text=DESCRIPTION, involved=[olivia])

    card, _ = wait_for_channel(local, ESCALATION, 2)
    assert "@olivia" in seen(local, card)
    wait_for_dms(local, alex, 1)
    eventually(lambda: outbox_drained(local), what="every message sent")
    assert local.stand_in.messages(ORGANIZERS) == []
    assert local.stand_in.dms_to(olivia) == []


def test_a_report_naming_an_organizer_in_every_channel_is_held_and_shown_in_healthz(local):
    alex = local.cast.participants[0].user_id
    lena = local.cast.lead.user_id  # an organizer who is also the escalation channel's member
    report(local, alex, text=DESCRIPTION, involved=[lena])

    (receipt,) = wait_for_dms(local, alex, 1)
    assert "We've received your report *CoC-0001*" in seen(local, receipt)
    eventually(lambda: outbox_drained(local), what="every message sent")
    assert local.stand_in.messages(ORGANIZERS) == [] and local.stand_in.messages(ESCALATION) == []
    with local.services.sessions.begin() as session:
        assert session.scalar(select(Case.routing)) is Routing.HELD
    health = json.loads(_get(local, "/healthz"))
    assert health["held_cases"] == ["CoC-0001"] and health["database"] == "reachable"


def test_without_an_escalation_channel_a_report_naming_an_organizer_is_held(database_url, clean_db):
    from slack_app.sandbox.loopback import LocalSpeakOut

    with LocalSpeakOut(database_url, escalation=False) as local:
        alex = local.cast.participants[0].user_id
        report(local, alex, text=DESCRIPTION, involved=[local.cast.organizers[1].user_id])
        wait_for_dms(local, alex, 1)
        eventually(lambda: outbox_drained(local), what="every message sent")
        assert local.stand_in.messages(ORGANIZERS) == []
        assert json.loads(_get(local, "/healthz"))["held_cases"] == ["CoC-0001"]


def test_a_double_clicked_submission_creates_one_case(local):
    alex = local.cast.participants[0].user_id
    local.slack.slash_command(alex, "/report")
    local.stand_in.wait_for(lambda: local.stand_in.open_view(alex), what="the modal")
    body = submission_payload(local, alex, {"description": DESCRIPTION, "category": "other", "anonymity": "named"})

    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda _: local.slack.interactive(json.loads(body)), range(4)))

    assert all(answer.status == 200 for answer in answers)
    assert {answer.json()["response_action"] for answer in answers} == {"update"}
    local.settle()
    assert case_count(local) == 1
    wait_for_channel(local, ORGANIZERS, 2)
    eventually(lambda: outbox_drained(local), what="every message sent")
    assert len(local.stand_in.messages(ORGANIZERS)) == 2


def test_the_reporter_adds_information_by_replying_in_the_dm(local):
    alex = local.cast.participants[0].user_id
    report(local, alex, text=DESCRIPTION, anonymity="anonymous")
    card, _ = wait_for_channel(local, ORGANIZERS, 2)
    (receipt,) = wait_for_dms(local, alex, 1)

    event = local.slack.dm_message(alex, "He also did this at lunch.", thread_ts=receipt.ts)
    assert local.slack.event(event, event_id="Ev0000000001").status == 200
    # Slack re-delivers the same event: it is processed once.
    assert local.slack.event(event, event_id="Ev0000000001", retry_num=1).status == 200

    relayed = local.stand_in.wait_for(
        lambda: len(local.stand_in.thread(ORGANIZERS, card.ts)) >= 2 and local.stand_in.thread(ORGANIZERS, card.ts),
        what="the relayed reply",
    )
    assert "*The reporter added:*\n>He also did this at lunch." in seen(local, relayed[-1])
    assert alex not in json.dumps(relayed[-1].to_dict())
    thanks = wait_for_dms(local, alex, 2)[-1]
    assert "added that to CoC-0001" in seen(local, thanks)
    eventually(lambda: outbox_drained(local), what="every message sent")
    assert len(local.stand_in.thread(ORGANIZERS, card.ts)) == 2


def test_a_dm_without_an_open_report_explains_how_to_report(local):
    casey = local.cast.participants[2].user_id
    local.slack.event(local.slack.dm_message(casey, "hello?"))
    (answer,) = wait_for_dms(local, casey, 1)
    assert "You don't have an open report with us" in seen(local, answer)
    assert local.stand_in.messages(ORGANIZERS) == []


def test_healthz_says_the_database_is_reachable(local, transport):
    health = json.loads(_get(local, "/healthz"))
    # In Socket Mode it also says whether the socket is connected.
    socket = {"socket_mode": "connected"} if transport == "socket" else {}
    assert health == {
        "ok": True,
        **socket,
        "database": "reachable",
        "held_cases": [],
        "outbox": {"pending": 0, "failed": 0},
        "received_reports": {"waiting": 0, "failing": 0},
        "slack": {"paused": None, "channels": {}, "rate_limited": {}},
    }


def test_report_text_is_never_logged(local, caplog):
    caplog.set_level(logging.DEBUG)
    alex = local.cast.participants[0].user_id
    report(local, alex, text=DESCRIPTION, anonymity="anonymous", others_involved="Tall man in a red jacket")
    wait_for_channel(local, ORGANIZERS, 2)
    local.slack.event(local.slack.dm_message(alex, "Secret follow-up detail"))
    wait_for_dms(local, alex, 2)
    eventually(lambda: outbox_drained(local), what="every message sent")

    assert caplog.records, "the flow logged something at DEBUG"
    for secret in (DESCRIPTION, "photographing my badge", "Tall man in a red jacket", "Secret follow-up detail"):
        assert secret not in caplog.text


def _get(local, path: str) -> str:
    import urllib.request

    with urllib.request.urlopen(local.server.url + path, timeout=5) as response:
        return response.read().decode()


def test_reporting_a_dm_from_an_organizer_anonymously_escalates_without_revealing_the_dm(local):
    casey, olivia = local.cast.participants[2].user_id, local.cast.organizers[0].user_id
    dm = local.stand_in.dm_channel_for(casey)
    posted = local.stand_in.post_user_message(olivia, dm, "Come to my hotel room later.")
    message = {"type": "message", "user": olivia, "ts": posted.ts, "text": posted.text}
    local.slack.message_shortcut(casey, "report_message", channel_id=dm, message=message)
    view = local.stand_in.wait_for(lambda: local.stand_in.open_view(casey), what="the modal")
    # Choosing anonymity rebuilds the modal: what the shortcut pre-filled must survive it.
    anonymous = {"type": "radio_buttons", "selected_option": {"value": "anonymous"}}
    local.slack.block_action(casey, "anonymity_choice", block_id="anonymity", view=view, selected=anonymous)
    local.stand_in.wait_for(lambda: local.stand_in.calls_to("views.update"), what="the modal update")
    local.slack.submit_view(casey, {"description": "An organizer invited me to his room.", "category": "other"})

    card, details = wait_for_channel(local, ESCALATION, 2)
    assert "*Involved*: @olivia" in seen(local, card)
    details_text = seen(local, details)
    assert "*Where*: a direct message" in details_text
    assert "the reported message (in a direct message) by @olivia" in details_text
    assert dm not in json.dumps(details.to_dict())
    assert local.stand_in.calls_to("chat.getPermalink") == []
    eventually(lambda: outbox_drained(local), what="every message sent")
    assert local.stand_in.messages(ORGANIZERS) == []


def test_while_slack_is_down_a_report_is_taken_and_reaches_slack_once_it_is_back(database_url, clean_db):
    from slack_app.sandbox.loopback import LocalSpeakOut

    with LocalSpeakOut(database_url, env={"OUTBOX_POLL_INTERVAL": "1s"}) as local:
        alex = local.cast.participants[0].user_id
        local.slack.slash_command(alex, "/report", text=DESCRIPTION)
        local.stand_in.wait_for(lambda: local.stand_in.open_view(alex), what="the modal")
        local.stand_in.go_down()

        answer = local.slack.submit_view(alex, {"category": "harassment", "anonymity": "named"})

        assert answer.status == 200 and answer.slack_error is None
        assert "Your report is with the organizers" in modal_text(local, alex)
        eventually(lambda: case_count(local) == 1, what="the report to become a case")
        local.stand_in.wait_for(lambda: any(call.failed for call in local.stand_in.calls), what="a failed delivery")
        assert local.stand_in.messages(ORGANIZERS) == []

        local.stand_in.come_back()
        # Words on demand (the default): the card reaches the channel, the words stay with the app.
        card = wait_for_channel(local, ORGANIZERS, 1, timeout=20)[0]
        assert "*CoC-0001*" in seen(local, card)
        wait_for_dms(local, alex, 1, timeout=20)
        assert all(DESCRIPTION not in seen(local, message) for message in local.stand_in.messages(ORGANIZERS))
