"""Logs never contain what people wrote, nor an anonymous reporter's identity: every flow run
with logging at DEBUG, then the captured logs searched."""

import logging

import pytest

from slack_app.sandbox.loopback import ORGANIZERS
from tests.e2e.cases_helpers import case_id, click, file_case, settle, wait_for_modal

WORDS = {
    "description": "Zebediah cornered me near the coat racks",
    "note": "Security has the badge scan logs",
    "message": "Would you like us to move you to another table",
    "reply": "Yes please, anywhere away from him",
    "request": "Standing too close to attendees after being asked not to",
    "apology": "I am truly sorry for making you uncomfortable",
    "acknowledgement": "I stood too close and ignored the request",
    "self": "I shouted at a volunteer at registration",
}


@pytest.mark.both_transports
def test_no_flow_logs_what_people_wrote_or_who_reported_anonymously(local, caplog):
    caplog.set_level(logging.DEBUG)
    alex, blake, casey = (p.user_id for p in local.cast.participants)
    olivia = local.cast.organizers[0].user_id

    card = file_case(local, alex, involved=[blake], anonymity="anonymous", description=WORDS["description"])
    cid = str(case_id(local))
    click(local, olivia, "case_acknowledge", card, value=cid)
    click(local, olivia, "case_note", card, value=cid)
    wait_for_modal(local, olivia, "Add a note")
    local.slack.submit_view(olivia, {"note": WORDS["note"]})
    click(local, olivia, "case_message_reporter", card, value=cid)
    wait_for_modal(local, olivia, "Message the reporter")
    local.slack.submit_view(olivia, {"message": WORDS["message"]})
    settle(local)
    local.slack.event(local.slack.dm_message(alex, WORDS["reply"]))
    click(local, olivia, "case_request_own_up", card, value=cid)
    wait_for_modal(local, olivia, "Request own-up")
    local.slack.submit_view(olivia, {"subject": blake, "description": WORDS["request"], "coc_part": "respect"})
    settle(local)
    request = local.stand_in.dms_to(blake)[-1]
    own_up_id = request.blocks[-1]["elements"][0]["value"]
    local.slack.block_action(
        blake, "own_up_apologize", value=own_up_id, message=request.to_dict(), channel_id=request.channel
    )
    wait_for_modal(local, blake, "Own up")
    local.slack.submit_view(blake, {"acknowledgement": WORDS["acknowledgement"], "apology": WORDS["apology"]})
    settle(local)
    review = local.stand_in.thread(ORGANIZERS, card.ts)[-1]
    local.slack.block_action(olivia, "own_up_deliver", value=own_up_id, message=review.to_dict(), channel_id=ORGANIZERS)
    settle(local)
    offer = local.stand_in.dms_to(alex)[-1]
    local.slack.block_action(
        alex, "apology_read_yes", value=own_up_id, message=offer.to_dict(), channel_id=offer.channel
    )
    settle(local)
    local.slack.slash_command(casey, "/ownup")
    local.stand_in.wait_for(lambda: local.stand_in.open_view(casey), what="the /ownup modal")
    local.slack.submit_view(casey, {"what": WORDS["self"]})
    settle(local)

    assert "An organizer has read your report" in str([m.text for m in local.stand_in.dms_to(alex)])
    assert WORDS["apology"] in str([m.blocks for m in local.stand_in.dms_to(alex)])  # the flows did run
    logged = caplog.text
    assert len(caplog.records) > 50
    for words in WORDS.values():
        assert words not in logged
    assert alex not in logged and "alex" not in logged
