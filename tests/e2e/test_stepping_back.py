"""Stepping back: an organizer with a conflict leaves a case without a reason; the card says
that someone did, never who; they can't open the report, act, lead or be reminded; they step
back in only when the organizer they ask confirms. Organizers named in a report are stepped
back automatically."""

import pytest
from sqlalchemy import select

from db.models import StepBack, TimelineEntry
from slack_app.sandbox.loopback import ESCALATION, ORGANIZERS, LocalSpeakOut
from slack_app.sandbox.transcript import view_text
from tests.conftest import TEST_ENCRYPTION_KEY
from tests.e2e.cases_helpers import card_now, case_id, click, ephemerals, file_case, settle, thread_lines
from tests.e2e.helpers import names, seen, wait_for_dms
from workflows.access import STEPPED_BACK

DESCRIPTION = "He kept filming the workshop after we asked him to stop."


@pytest.fixture
def report_words() -> str:
    return "on_demand"


def modal(local, user: str) -> str:
    view = local.stand_in.open_view(user)
    return "" if view is None else view_text(view, names(local))


def press(local, user: str, action_id: str, card) -> None:
    click(local, user, action_id, card, value=str(case_id(local)))
    settle(local)


def step_backs(local) -> list[tuple[str, bool, bool]]:
    with local.services.sessions.begin() as session:
        rows = session.scalars(select(StepBack).order_by(StepBack.id))
        return [(row.user_id, row.automatic, row.ended_at is not None) for row in rows]


def test_an_organizer_steps_back_unnamed_and_can_no_longer_open_act_or_lead(local):
    alex, blake = local.cast.participants[0].user_id, local.cast.participants[1].user_id
    olivia, omar = (person.user_id for person in local.cast.organizers)
    card = file_case(local, alex, description=DESCRIPTION, involved=[blake])

    press(local, olivia, "case_step_back", card)

    assert any("You stepped back from CoC-0001" in text for text in ephemerals(local, olivia))
    shown = card_now(local, card)
    assert "*Stepped back*: 1 organizer" in shown and "[Step back in]" in shown
    assert "olivia" not in shown
    assert thread_lines(local, card)[-1].startswith("Speak Out · an organizer stepped back from the case")
    with local.services.sessions.begin() as session:
        entry = session.scalars(select(TimelineEntry).order_by(TimelineEntry.id.desc())).first()
        assert (entry.kind.value, entry.actor_id, entry.body) == ("stepped_back", None, None)
    # From now on: no report, no acting, no leading.
    press(local, olivia, "case_open_report", card)
    assert DESCRIPTION not in modal(local, olivia)
    assert "You stepped back from this case" in modal(local, olivia)
    press(local, olivia, "case_acknowledge", card)
    assert sum(STEPPED_BACK in text for text in ephemerals(local, olivia)) >= 1
    assert "*Acknowledged*: Not yet" in card_now(local, card)
    press(local, omar, "case_assign", card)
    answer = local.slack.submit_view(omar, {"assignee": olivia})
    assert answer.errors == {"assignee": "That organizer stepped back from this case and can't lead it."}
    assert "*Lead*: Unassigned" in card_now(local, card)


def test_stepping_back_in_needs_the_confirmation_of_the_organizer_asked(local):
    alex, blake, casey = (person.user_id for person in local.cast.participants)
    olivia, omar = (person.user_id for person in local.cast.organizers)
    card = file_case(local, alex, description=DESCRIPTION, involved=[blake])
    press(local, olivia, "case_step_back", card)

    press(local, olivia, "case_step_back_in", card)
    assert "Who confirms your return?" in modal(local, olivia)
    itself = local.slack.submit_view(olivia, {"confirmer": olivia})
    assert itself.errors == {"confirmer": "Another organizer confirms: choose someone else."}
    assert local.slack.submit_view(olivia, {"confirmer": omar}).errors is None
    settle(local)
    (request,) = wait_for_dms(local, omar, 1)
    assert "@olivia stepped back from *CoC-0001* and asks to step back in" in seen(local, request)
    assert local.stand_in.dms_to(local.cast.lead.user_id) == []  # only the one asked is told

    # Nobody else can answer for omar, not even by replaying his button.
    local.slack.block_action(casey, "case_confirm_step_in", value=f"{case_id(local)}:1", message=request.to_dict())
    settle(local)
    assert step_backs(local) == [(olivia, False, False)]
    local.slack.block_action(
        omar, "case_confirm_step_in", value=f"{case_id(local)}:1", message=request.to_dict(), channel_id=request.channel
    )
    settle(local)

    assert step_backs(local) == [(olivia, False, True)]
    assert "You confirmed" in seen(local, local.stand_in.message(request.channel, request.ts))
    assert "Stepped back" not in card_now(local, card)
    assert "confirmed that an organizer who had stepped back steps back in" in thread_lines(local, card)[-1]
    press(local, olivia, "case_open_report", card)
    assert DESCRIPTION in modal(local, olivia)


def test_an_organizer_named_in_a_report_stands_stepped_back_for_good(local):
    alex = local.cast.participants[0].user_id
    olivia = local.cast.organizers[0].user_id
    card = file_case(local, alex, channel=ESCALATION, description=DESCRIPTION, involved=[olivia])

    assert step_backs(local) == [(olivia, True, False)]
    assert "*Stepped back*: 1 organizer" in card_now(local, card)
    # Even in the escalation channel, and even asking to step back in.
    local.stand_in.set_members(ESCALATION, [*local.stand_in.members(ESCALATION), olivia])
    press(local, olivia, "case_step_back_in", card)
    assert "You are named in this case" in modal(local, olivia)


def test_reminders_ping_every_organizer_but_the_one_who_stepped_back(database_url, clean_db):
    env = {"REMIND_ACK_AFTER": "2s", "ENCRYPTION_KEY": TEST_ENCRYPTION_KEY}
    with LocalSpeakOut(database_url, scheduler=True, env=env) as local:
        olivia, omar = (person.user_id for person in local.cast.organizers)
        card = file_case(local, local.cast.participants[0].user_id, description=DESCRIPTION)
        press(local, olivia, "case_step_back", card)

        reminder = local.stand_in.wait_for(
            lambda: [m for m in local.stand_in.thread(ORGANIZERS, card.ts) if ":alarm_clock:" in str(m.blocks)],
            timeout=15,
            what="the acknowledgement reminder",
        )[0]

    raw = str(reminder.blocks)
    assert "<!channel>" not in raw and f"<@{olivia}>" not in raw
    assert f"<@{omar}>" in raw and f"<@{local.cast.lead.user_id}>" in raw
