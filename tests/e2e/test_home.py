"""The App Home tab end to end: a signed app_home_opened event in, views.publish out."""

import json
import logging

from sqlalchemy import select

from db.models import Case
from slack_app.sandbox.loopback import ESCALATION, ORGANIZERS, LocalSpeakOut
from slack_app.sandbox.transcript import block_lines
from tests.e2e.helpers import eventually, names, report, wait_for_channel


def open_home(local: LocalSpeakOut, user_id: str) -> str:
    """Open the Home tab as ``user_id`` and read what Slack shows them, once published."""
    before = len(local.stand_in.calls_to("views.publish"))
    response = local.slack.home_opened(user_id)
    assert response.status == 200
    (call,) = local.stand_in.wait_for(
        lambda: [c for c in local.stand_in.calls_to("views.publish")[before:] if c.params.get("user_id") == user_id],
        what=f"the Home tab of {user_id}",
    )
    assert not call.failed, f"Slack refused the Home tab: {call.error}"
    home = local.stand_in.home_view(user_id)
    return "\n".join(block_lines(home["blocks"], names(local)))


def test_an_organizer_sees_the_open_case_with_a_link_to_its_thread(local):
    alex, blake = local.cast.participants[0], local.cast.participants[1]
    olivia = local.cast.organizers[0]
    report(local, alex.user_id, text="He kept following me.", involved=[blake.user_id], category="stalking")
    card, _ = wait_for_channel(local, ORGANIZERS, 2)

    home = open_home(local, olivia.user_id)

    assert "Open cases" in home
    assert "*New* (1)" in home
    assert "*CoC-0001* · Stalking, following, or unwanted photography or recording" in home
    assert "m old · Unassigned" in home  # minutes old, nobody assigned yet
    link = f"https://stand-in.slack.test/archives/{ORGANIZERS}/p{card.ts.replace('.', '')}"
    published = local.stand_in.home_view(olivia.user_id)
    assert f"<{link}|CoC-0001>" in str(published["blocks"])
    # Organizers' Home never carries the report itself.
    assert "He kept following me." not in str(published)


def test_an_organizer_named_in_an_escalated_case_does_not_see_it(local):
    alex = local.cast.participants[0]
    olivia, lena = local.cast.organizers[0], local.cast.lead
    report(local, alex.user_id, text="An organizer shouted at me.", involved=[olivia.user_id])
    wait_for_channel(local, ESCALATION, 2)
    report(local, local.cast.participants[1].user_id, text="Spam in my DMs.", category="spam")
    wait_for_channel(local, ORGANIZERS, 2)
    # Olivia joins the escalation channel after the case was routed there.
    local.stand_in.set_members(ESCALATION, [lena.user_id, olivia.user_id])

    olivia_home = open_home(local, olivia.user_id)
    lena_home = open_home(local, lena.user_id)

    assert "*CoC-0002* · Spam" in olivia_home
    assert "CoC-0001" not in olivia_home
    assert "*New* (1)" in olivia_home
    assert "*CoC-0001* · Harassment or intimidation" in lena_home
    assert "*CoC-0002* · Spam" in lena_home
    assert "*New* (2)" in lena_home


def test_a_participant_sees_how_to_report_the_code_of_conduct_and_only_their_own_report(local):
    alex, blake = local.cast.participants[0], local.cast.participants[1]
    report(local, alex.user_id, text="Someone photographed my badge.")
    report(local, blake.user_id, text="Unwanted pitches.", category="spam")
    wait_for_channel(local, ORGANIZERS, 4)

    home = open_home(local, alex.user_id)

    assert "/report" in home and "Report this message" in home
    assert "*Our Code of Conduct, in short*" in home
    assert "*Be kind and respectful.*" in home and "*Own up.*" in home
    assert "*Your own reports*\n*CoC-0001* · New · filed " in home
    assert "CoC-0002" not in home
    assert "Open cases" not in home and "Someone photographed my badge." not in home


def test_a_participant_who_has_reported_nothing_sees_no_reports(local):
    casey = local.cast.participants[2]
    report(local, local.cast.participants[0].user_id, text="Someone photographed my badge.")

    home = open_home(local, casey.user_id)

    assert "Reports you send will show here with their status." in home
    assert "CoC-0001" not in home


def test_a_custom_code_of_conduct_file_replaces_the_default(database_url, clean_db, tmp_path):
    coc = tmp_path / "coc.md"
    coc.write_text("# House rules\n\nBe **excellent** to each other.\n")
    with LocalSpeakOut(database_url, env={"COC_FILE": str(coc)}) as local:
        home = open_home(local, local.cast.participants[0].user_id)

    assert "*House rules*\n\nBe *excellent* to each other." in home
    assert "Our Code of Conduct, in short" not in home


def test_organizers_see_messages_slack_refused_and_what_to_fix(local):
    olivia = local.cast.organizers[0].user_id
    # Someone archived the organizers' channel: its members can still be listed, posts are refused.
    # (Had they removed the app from that private channel, Slack would hide the channel from it,
    # the app could not tell who the organizers are, and the Home tab would fail closed.)
    local.stand_in.archive_channel(ORGANIZERS)
    report(local, local.cast.participants[0].user_id, text="It happened at the bar.")
    local.settle()

    local.slack.home_opened(olivia)
    home = local.stand_in.wait_for(lambda: local.stand_in.home_view(olivia), what="the Home tab")
    text = json.dumps(home["blocks"])
    assert "1 message(s) could not be delivered to Slack" in text
    assert "CoC-0001 (case card): is_archived: the channel is archived" in text
    assert "It happened at the bar." not in text


def test_a_crowd_opening_the_home_tab_at_once_costs_one_members_lookup_per_channel(local):
    report(local, local.cast.participants[0].user_id, text="It happened at the bar.")
    wait_for_channel(local, ORGANIZERS, 2)
    local.settle()
    everyone = [p.user_id for p in [*local.cast.participants, *local.cast.organizers, local.cast.lead]]
    lookups_before = len(local.stand_in.calls_to("conversations.members"))
    publishes_before = len(local.stand_in.calls_to("views.publish"))

    for user_id in everyone * 3:
        assert local.slack.home_opened(user_id).status == 200

    local.stand_in.wait_for(
        lambda: len(local.stand_in.calls_to("views.publish")) - publishes_before == len(everyone) * 3,
        what="every Home tab published",
    )
    assert all(not call.failed for call in local.stand_in.calls_to("views.publish")[publishes_before:])
    lookups = local.stand_in.calls_to("conversations.members")[lookups_before:]
    assert sorted(call.params["channel"] for call in lookups) == sorted([ORGANIZERS, ESCALATION])
    assert "CoC-0001" in json.dumps(local.stand_in.home_view(local.cast.organizers[0].user_id))


def test_someone_removed_from_the_organizers_is_refused_at_once_though_their_home_tab_was_just_drawn(local):
    alex, olivia = local.cast.participants[0].user_id, local.cast.organizers[0].user_id
    report(local, alex, text="It happened at the bar.")
    card, _ = wait_for_channel(local, ORGANIZERS, 2)
    local.settle()
    assert "CoC-0001" in open_home(local, olivia)
    others = [p.user_id for p in local.cast.organizers[1:]] + [local.cast.lead.user_id]
    local.stand_in.set_members(ORGANIZERS, others)

    # Clicks are authorized with a fresh lookup, never the Home tab's few-second cache.
    local.slack.block_action(olivia, "case_acknowledge", value=card_case_id(local), message=card.to_dict())
    local.stand_in.wait_for(lambda: local.stand_in.dms_to(olivia), what="the refusal")
    assert local.stand_in.dms_to(olivia)[-1].text == "Only organizers of this case can do this."


def test_a_home_tab_slack_refuses_is_logged_without_its_content_and_the_next_opening_works(local, caplog):
    caplog.set_level(logging.INFO)
    alex = local.cast.participants[0].user_id
    report(local, alex, text="It happened at the bar.")
    local.settle()
    local.stand_in.fail("views.publish", error="invalid_blocks")
    local.stand_in.fail("views.publish", error="ratelimited", status=429, retry_after=60)

    for _ in range(2):
        local.slack.home_opened(alex)
    eventually(
        lambda: [r for r in caplog.records if "Home tab was not published" in r.getMessage()][1:], what="two warnings"
    )

    assert [call.error for call in local.stand_in.calls_to("views.publish")] == ["invalid_blocks", "ratelimited"]
    # The two openings run on two listener threads: their warnings come in either order.
    warnings = sorted(r.getMessage() for r in caplog.records if "Home tab was not published" in r.getMessage())
    assert warnings == [
        "the Home tab was not published: Slack answered invalid_blocks",
        "the Home tab was not published: Slack answered ratelimited",
    ]
    assert "It happened at the bar." not in caplog.text
    assert not [r for r in caplog.records if r.name == "slack_app.bolt.error_handler"]
    assert "CoC-0001" in open_home(local, alex)  # no retry loop: the next opening publishes


def card_case_id(local: LocalSpeakOut) -> str:
    with local.services.sessions.begin() as session:
        return str(session.scalar(select(Case.id)))
