"""Organizers handling a case from its card, through signed clicks and modal submissions."""

import json

import pytest
from sqlalchemy import select

from db.enums import ActionResult, CaseStatus
from db.models import CaseAction
from slack_app.sandbox.loopback import ESCALATION, GENERAL
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
from tests.e2e.helpers import eventually, modal_text, seen, wait_for_dms

# The same scenarios over HTTP and over Socket Mode.
pytestmark = pytest.mark.both_transports

RANDOM = "C0RANDOM01"


def people(local):
    alex, blake, casey = (p.user_id for p in local.cast.participants)
    olivia, omar = (p.user_id for p in local.cast.organizers)
    return alex, blake, casey, olivia, omar


def test_acknowledging_updates_the_card_records_who_and_tells_the_reporter_without_naming_them(local):
    alex, blake, _, olivia, _ = people(local)
    card = file_case(local, alex, involved=[blake])

    click(local, olivia, "case_acknowledge", card, value=str(case_id(local)))
    settle(local)

    assert "*Status*: Acknowledged" in card_now(local, card)
    assert "*Acknowledged*: @olivia" in card_now(local, card)
    assert "[Acknowledge]" not in card_now(local, card)
    assert "@olivia · acknowledged the case" in thread_lines(local, card)[-1]
    _receipt, acknowledged = wait_for_dms(local, alex, 2)
    assert "An organizer has read your report CoC-0001" in acknowledged.text
    assert olivia not in json.dumps(acknowledged.to_dict()) and "olivia" not in acknowledged.text
    assert timeline(local)[-1] == ("acknowledged", olivia)
    assert local.stand_in.dms_to(blake) == []


def test_people_who_are_not_organizers_of_the_case_are_refused_and_nothing_changes(local):
    alex, blake, casey, olivia, omar = people(local)
    card = file_case(local, alex, involved=[blake])
    escalated = file_case(local, casey, channel=ESCALATION, involved=[omar])
    before = timeline(local)
    escalated_before = timeline(local, 2)

    click(local, blake, "case_acknowledge", card, value=str(case_id(local)))
    # An organizer of the main channel pointing a button at the escalated case gets nothing.
    click(local, olivia, "case_acknowledge", card, value=str(case_id(local, 2)))
    click(local, blake, "case_note", card, value=str(case_id(local)))
    settle(local)

    # Blake isn't in the private channel, so he hears it in a DM from the app.
    assert [m.text for m in local.stand_in.dms_to(blake)] == ["Only organizers of this case can do this."] * 2
    assert ephemerals(local, olivia) == ["Only organizers of this case can do this."]
    assert timeline(local) == before
    assert local.stand_in.calls_to("chat.update") == []
    # Blake's note modal opened on "Loading…" (before Slack was asked who organizes the case),
    # then says why not, and never shows anything of the case.
    assert modal_text(local, blake).splitlines()[1:] == ["Only organizers of this case can do this.", "[Close]"]
    assert timeline(local, 2) == escalated_before
    assert "*Status*: New" in card_now(local, card) and "*Status*: New" in card_now(local, escalated)


def test_an_organizer_named_in_a_case_can_never_act_on_it(local):
    casey, omar = people(local)[2], people(local)[4]
    card = file_case(local, casey, channel=ESCALATION, involved=[omar])
    # Omar later joins the escalation channel: still not allowed near his own case.
    local.stand_in.set_members(ESCALATION, [local.cast.lead.user_id, omar])

    click(local, omar, "case_acknowledge", card, value=str(case_id(local)))
    settle(local)

    assert ephemerals(local, omar) == [
        "You are named in this case, so you can't act on it. Another organizer will handle it."
    ]
    assert "*Status*: New" in card_now(local, card)


def test_assigning_a_lead_refuses_non_organizers_with_a_field_error(local):
    alex, blake, _, olivia, omar = people(local)
    card = file_case(local, alex, involved=[blake])
    click(local, olivia, "case_assign", card, value=str(case_id(local)))
    wait_for_modal(local, olivia, "Assign a lead")

    refused = local.slack.submit_view(olivia, {"assignee": blake})
    assert refused.errors == {"assignee": f"<@{blake}> is not an organizer of this case."}

    local.slack.submit_view(olivia, {"assignee": omar})
    settle(local)
    assert "*Lead*: @omar" in card_now(local, card)
    assert "@olivia · assigned the case to @omar" in thread_lines(local, card)[-1]


def test_status_changes_follow_the_rules(local):
    alex, blake, _, olivia, _ = people(local)
    card = file_case(local, alex, involved=[blake])
    cid = case_id(local)

    def choose(status: str):
        click(local, olivia, "case_status", card, selected={"selected_option": {"value": f"{cid}:{status}"}})
        settle(local)

    choose("investigating")
    assert "*Status*: Investigating" in card_now(local, card)
    choose("action_taken")
    choose("closed")  # not on the menu; a crafted payload is refused all the same
    assert ephemerals(local, olivia) == [
        "Record the action first (Record action), then the status follows.",
        "Use Close: closing needs an outcome and a summary for the record.",
    ]
    assert "*Status*: Investigating" in card_now(local, card)
    assert [kind for kind, _ in timeline(local)].count("status_changed") == 1


def test_a_note_is_kept_on_the_case_and_shown_in_the_thread(local):
    alex, blake, _, olivia, _ = people(local)
    card = file_case(local, alex, involved=[blake])
    click(local, olivia, "case_note", card, value=str(case_id(local)))
    wait_for_modal(local, olivia, "Add a note")

    local.slack.submit_view(olivia, {"note": "Spoke to the venue: they have CCTV of the hallway."})
    settle(local)

    assert ":memo: Note:\n>Spoke to the venue: they have CCTV of the hallway." in thread_lines(local, card)[-1]
    assert timeline(local)[-1] == ("note", olivia)


def test_messaging_an_anonymous_reporter_goes_both_ways_without_exposing_anyone(local):
    alex, blake, _, olivia, _ = people(local)
    card = file_case(local, alex, involved=[blake], anonymity="anonymous")
    click(local, olivia, "case_message_reporter", card, value=str(case_id(local)))
    wait_for_modal(local, olivia, "Message the reporter")

    local.slack.submit_view(olivia, {"message": "Would you be able to describe where this happened?"})
    settle(local)

    relayed = wait_for_dms(local, alex, 2)[-1]
    assert "A message from the organizers about CoC-0001" in seen(local, relayed)
    assert "describe where this happened" in seen(local, relayed)
    assert olivia not in json.dumps(relayed.to_dict())
    local.slack.event(local.slack.dm_message(alex, "By the coffee stand, around 3pm."))
    settle(local)
    lines = thread_lines(local, card)
    assert "*The reporter added:*\n>By the coffee stand, around 3pm." in lines[-1]
    assert all(alex not in json.dumps(m.to_dict()) for m in local.stand_in.thread(card.channel, card.ts))
    assert [kind for kind, _ in timeline(local)][-2:] == ["message_to_reporter", "reporter_message"]


def test_a_reporter_who_declined_follow_up_cannot_be_messaged(local):
    alex, blake, _, olivia, _ = people(local)
    card = file_case(local, alex, involved=[blake], follow_up="no_follow_up")
    assert "[Reporter declined contact]" in card_now(local, card)

    click(local, olivia, "case_message_reporter", card, value=str(case_id(local)))
    settle(local)

    assert ephemerals(local, olivia) == ["The reporter asked not to be contacted, so they can't be messaged."]
    assert "The reporter asked not to be contacted" in modal_text(local, olivia)


def test_asking_someone_to_stop_sends_the_organizers_words_and_never_the_report(local):
    alex, blake, _, olivia, _ = people(local)
    card = file_case(local, alex, involved=[blake], description="Blake made jokes about my accent all day.")
    click(local, olivia, "case_record_action", card, value=str(case_id(local)))
    wait_for_modal(local, olivia, "Record an action")

    local.slack.submit_view(
        olivia,
        {
            "kind": "asked_to_stop",
            "subject": blake,
            "reason": "First time; clear but not severe.",
            "message": "Some of your jokes today made people feel unwelcome. Please stop.",
        },
    )
    settle(local)

    (dm,) = wait_for_dms(local, blake, 1)
    text = seen(local, dm)
    assert "A message from the event organizers" in text and "Please stop." in text
    assert "Code of Conduct" in text
    for secret in (alex, "alex", "accent", "CoC-0001"):
        assert secret not in json.dumps(dm.to_dict())
    assert "recorded an action: asked to stop for @blake" in thread_lines(local, card)[-1]


def test_removing_someone_from_channels_asks_first_then_records_the_result(local):
    alex, blake, _, olivia, _ = people(local)
    card = file_case(local, alex, involved=[blake])
    click(local, olivia, "case_record_action", card, value=str(case_id(local)))
    wait_for_modal(local, olivia, "Record an action")

    answer = local.slack.submit_view(
        olivia,
        {
            "kind": "removed_from_channel",
            "subject": blake,
            "reason": "Repeated after a warning.",
            "channels": [GENERAL],
        },
    )
    assert answer.response_action == "push"
    assert local.stand_in.calls_to("conversations.kick") == []
    confirm = wait_for_modal(local, olivia, "Confirm removal")
    assert "Remove <@" in json.dumps(confirm["blocks"])

    local.slack.submit_view(olivia)
    settle(local)

    assert blake not in local.stand_in.members(GENERAL)
    assert "Speak Out · removed @blake from #general" in thread_lines(local, card)[-1]
    with local.services.sessions.begin() as session:
        assert session.scalar(select(CaseAction.result)) is ActionResult.DONE


def test_a_removal_slack_refuses_is_recorded_as_failed(local):
    alex, blake, _, olivia, _ = people(local)
    card = file_case(local, alex, involved=[blake])
    local.stand_in.fail("conversations.kick", error="cant_kick_from_general", times=1)
    click(local, olivia, "case_record_action", card, value=str(case_id(local)))
    wait_for_modal(local, olivia, "Record an action")
    local.slack.submit_view(
        olivia, {"kind": "expelled", "subject": blake, "reason": "Threatened an attendee.", "channels": [GENERAL]}
    )
    wait_for_modal(local, olivia, "Confirm removal")
    local.slack.submit_view(olivia)
    settle(local)

    assert "Speak Out · could not remove @blake from #general (cant_kick_from_general)" in thread_lines(local, card)[-1]
    with local.services.sessions.begin() as session:
        action = session.scalar(select(CaseAction))
        assert (action.result, action.result_detail) == (ActionResult.FAILED, f"{GENERAL}: cant_kick_from_general")


def remove_from_channels(local, organizer: str, card, subject: str, channels: list[str]) -> None:
    click(local, organizer, "case_record_action", card, value=str(case_id(local)))
    wait_for_modal(local, organizer, "Record an action")
    local.slack.submit_view(
        organizer,
        {
            "kind": "removed_from_channel",
            "subject": subject,
            "reason": "Repeated after a warning.",
            "channels": channels,
        },
    )
    wait_for_modal(local, organizer, "Confirm removal")
    local.slack.submit_view(organizer)


def kicks(local, channel: str) -> list[bool]:
    return [call.failed for call in local.stand_in.calls_to("conversations.kick") if call.params["channel"] == channel]


def test_a_removal_retried_after_slack_trouble_asks_only_about_the_channels_left(local):
    alex, blake, casey, olivia, _ = people(local)
    local.stand_in.add_channel(RANDOM, "random", members=[alex, blake, casey], is_private=False)
    card = file_case(local, alex, involved=[blake])
    local.stand_in.fail("conversations.kick", error="internal_error", status=500, times=1, channel=RANDOM)

    remove_from_channels(local, olivia, card, blake, [GENERAL, RANDOM])

    eventually(lambda: "removed @blake" in thread_lines(local, card)[-1], what="the removal to be recorded")
    assert "Speak Out · removed @blake from #general, #random" in thread_lines(local, card)[-1]
    assert kicks(local, GENERAL) == [False]  # done before the trouble: not asked again
    assert kicks(local, RANDOM) == [True, False]
    assert blake not in local.stand_in.members(GENERAL) and blake not in local.stand_in.members(RANDOM)
    with local.services.sessions.begin() as session:
        assert session.scalar(select(CaseAction.result)) is ActionResult.DONE


def test_someone_already_out_of_a_channel_counts_as_removed_from_it(local):
    alex, blake, casey, olivia, _ = people(local)
    local.stand_in.add_channel(RANDOM, "random", members=[alex, casey], is_private=False)
    card = file_case(local, alex, involved=[blake])

    remove_from_channels(local, olivia, card, blake, [RANDOM])
    settle(local)

    assert "Speak Out · removed @blake from #random" in thread_lines(local, card)[-1]
    assert [call.error for call in local.stand_in.calls_to("conversations.kick")] == ["not_in_channel"]
    with local.services.sessions.begin() as session:
        assert session.scalar(select(CaseAction.result)) is ActionResult.DONE


def test_closing_needs_an_outcome_and_summary_tells_the_reporter_and_can_be_reopened_with_a_reason(local):
    alex, blake, _, olivia, _ = people(local)
    card = file_case(local, alex, involved=[blake])
    cid = str(case_id(local))
    click(local, olivia, "case_close", card, value=cid)
    wait_for_modal(local, olivia, "Close the case")

    refused = local.slack.submit_view(olivia, {"summary": "  "}, enforce_required=False)
    assert set(refused.errors) == {"outcome"}
    local.slack.submit_view(olivia, {"outcome": "action_taken", "summary": "Warned; no repeat seen."})
    settle(local)

    assert "*Status*: Closed (action taken)" in card_now(local, card)
    assert "[Reopen]" in card_now(local, card)
    closing = wait_for_dms(local, alex, 2)[-1]
    assert "Your report CoC-0001 is now closed. The organizers took action." in closing.text

    click(local, olivia, "case_reopen", card, value=cid)
    wait_for_modal(local, olivia, "Reopen the case")
    assert "reason" in local.slack.submit_view(olivia, {"reason": " "}, enforce_required=False).errors
    local.slack.submit_view(olivia, {"reason": "The reporter says it happened again."})
    settle(local)
    assert "*Status*: Investigating" in card_now(local, card)
    assert [kind for kind, _ in timeline(local)][-2:] == ["closed", "reopened"]
    with local.services.sessions.begin() as session:
        from db.models import Case

        assert session.scalar(select(Case.status)) is CaseStatus.INVESTIGATING


def test_an_anonymous_reporter_never_appears_in_any_message_to_anyone_through_a_whole_case(local):
    alex, blake, _, olivia, omar = people(local)
    card = file_case(local, alex, involved=[blake], anonymity="anonymous")
    cid = str(case_id(local))

    click(local, olivia, "case_acknowledge", card, value=cid)
    click(local, olivia, "case_assign", card, value=cid)
    wait_for_modal(local, olivia, "Assign a lead")
    local.slack.submit_view(olivia, {"assignee": omar})
    click(local, omar, "case_message_reporter", card, value=cid)
    wait_for_modal(local, omar, "Message the reporter")
    local.slack.submit_view(omar, {"message": "Thanks for telling us."})
    settle(local)
    local.slack.event(local.slack.dm_message(alex, "It was after lunch."))
    click(local, omar, "case_record_action", card, value=cid)
    wait_for_modal(local, omar, "Record an action")
    local.slack.submit_view(omar, {"kind": "asked_to_stop", "subject": blake, "reason": "r", "message": "Please stop."})
    click(local, omar, "case_close", card, value=cid)
    wait_for_modal(local, omar, "Close the case")
    local.slack.submit_view(omar, {"outcome": "action_taken", "summary": "Done."})
    settle(local)

    alex_dm = local.stand_in.dm_channel_for(alex)
    others = [m for m in local.stand_in.messages() if m.channel != alex_dm]
    assert len(others) == 9  # card, details, 5 thread lines, the reply, the DM to blake
    for message in others + [m for msg in others for m in msg.edits]:
        assert alex not in json.dumps(message.to_dict()), seen(local, message)
        assert "alex" not in seen(local, message)
    # And alex heard from "the organizers", never from a named organizer.
    for message in local.stand_in.dms_to(alex):
        assert olivia not in json.dumps(message.to_dict()) and omar not in json.dumps(message.to_dict())


def test_a_case_naming_someone_named_before_says_so_without_earlier_reporters(local):
    alex, blake, casey, olivia, _ = people(local)
    first = file_case(local, alex, involved=[blake], description="Blake grabbed my arm.")
    click(local, olivia, "case_close", first, value=str(case_id(local)))
    wait_for_modal(local, olivia, "Close the case")
    local.slack.submit_view(olivia, {"outcome": "action_taken", "summary": "Warned."})
    settle(local)
    # An escalated case naming blake lives elsewhere: organizers here must not learn of it.
    local.slack.slash_command(casey, "/report")
    local.stand_in.wait_for(lambda: local.stand_in.open_view(casey), what="the modal")
    local.slack.submit_view(
        casey, {"description": "Both of them.", "category": "other", "anonymity": "named", "involved": [blake, olivia]}
    )
    settle(local)

    second = file_case(local, casey, involved=[blake], description="Blake followed me home.")

    note = thread_lines(local, second)[-1]
    assert note.startswith(":repeat: *Named before in this channel*")
    assert "@blake in *CoC-0001*" in note and "closed" in note and "action taken" in note
    assert "CoC-0002" not in note
    assert "alex" not in note and "grabbed" not in note
    # The first case had nobody named before it: no note there.
    assert not any("Named before" in line for line in thread_lines(local, first))


def test_a_double_clicked_modal_submission_is_processed_once(local):
    alex, blake, _, olivia, _ = people(local)
    card = file_case(local, alex, involved=[blake])
    click(local, olivia, "case_note", card, value=str(case_id(local)))
    view = wait_for_modal(local, olivia, "Add a note")
    from slack_app.sandbox.stand_in import build_state_values

    state = build_state_values(view, {"note": "Only once, please."}, current=view["state"]["values"])
    payload = {
        "type": "view_submission",
        "team": {"id": local.stand_in.team_id},
        "user": {"id": olivia, "team_id": local.stand_in.team_id},
        "trigger_id": local.stand_in.issue_trigger(olivia),
        "view": {**view, "state": {"values": state}},
    }
    answers = [local.slack.interactive(payload) for _ in range(3)]
    settle(local)

    assert [answer.status for answer in answers] == [200, 200, 200]
    assert [kind for kind, _ in timeline(local)].count("note") == 1
    assert sum("Only once, please." in line for line in thread_lines(local, card)) == 1
