"""The organizers at work on the first case (steps 6-10f), and a reminder for the
second, which nobody acknowledges (step 13)."""

from slack_app.sandbox.loopback import ESCALATION

from .own_up import ask_blake_to_own_up, deliver_the_apology
from .stage import DEMO_URGENT_ACK, WAIT, Stage

CASE_ID = "1"


def handle_the_case(stage: Stage) -> None:
    acknowledge_and_assign(stage)
    step_back_and_in(stage)
    hear_more_and_act(stage)
    ask_blake_to_own_up(stage, CASE_ID)
    deliver_the_apology(stage)
    close_the_case(stage)


def acknowledge_and_assign(stage: Stage) -> None:
    stage.step("6. @olivia presses Acknowledge on the card")
    stage.click(stage.olivia, "case_acknowledge", value=CASE_ID)
    stage.shows("#coc-organizers (the card, updated in place)", stage.card_now())
    stage.shows("#coc-organizers, in the case thread", stage.latest_in_thread())
    stage.shows("@alex", stage.message(stage.last_dm(stage.alex)))

    stage.step("7. @olivia assigns @omar to lead the case")
    stage.click(stage.olivia, "case_assign", value=CASE_ID)
    stage.submit(stage.olivia, {"assignee": stage.omar})
    stage.shows("#coc-organizers, in the case thread", stage.latest_in_thread())


def step_back_and_in(stage: Stage) -> None:
    olivia, omar = stage.olivia, stage.omar
    stage.step("7b. @olivia steps back from the case (a conflict she needn't explain to anyone)")
    stage.click(olivia, "case_step_back", value=CASE_ID)
    stage.shows("@olivia (only her)", stage.stand_in.ephemerals_for(olivia)[-1].text)
    stage.shows("#coc-organizers (the card: someone stepped back, not who)", stage.card_now())
    stage.click(olivia, "case_open_report", value=CASE_ID)
    stage.shows("@olivia, pressing Open report now", stage.modal(olivia))

    stage.step("7c. @olivia asks to step back in; @omar, whom she asked, confirms by DM")
    stage.click(olivia, "case_step_back_in", value=CASE_ID)
    stage.submit(olivia, {"confirmer": omar})
    request = stage.wait_dms(omar, 1)[-1]
    stage.shows("@omar", stage.message(request))
    stage.press(omar, "case_confirm_step_in", request.blocks[-1]["elements"][0]["value"], request)
    stage.shows("#coc-organizers, in the case thread", stage.latest_in_thread())


def hear_more_and_act(stage: Stage) -> None:
    omar = stage.omar
    stage.step("8. @omar messages the reporter through the app (alex stays anonymous, omar unnamed)")
    stage.click(omar, "case_message_reporter", value=CASE_ID)
    stage.submit(omar, {"message": "Thank you. Do you know if anyone else saw it?"})
    stage.shows("@alex", stage.message(stage.last_dm(stage.alex)))
    stage.slack.event(stage.slack.dm_message(stage.alex, "Yes, a volunteer at the coffee stand."))
    stage.local.settle()
    stage.shows("#coc-organizers, in the case thread", stage.latest_in_thread())

    stage.step("9. @omar records an action: a formal warning for @blake")
    stage.click(omar, "case_record_action", value=CASE_ID)
    stage.submit(
        omar,
        {"kind": "formal_warning", "subject": stage.blake, "reason": "A witness confirmed it; first incident."},
    )
    stage.shows("#coc-organizers, in the case thread", stage.latest_in_thread())


def close_the_case(stage: Stage) -> None:
    stage.step("10f. @omar closes the case with an outcome and a summary")
    stage.click(stage.omar, "case_close", value=CASE_ID)
    stage.submit(stage.omar, {"outcome": "action_taken", "summary": "Warned; apologized; apology accepted."})
    stage.shows("#coc-organizers (the card)", stage.card_now())
    stage.shows("@alex", stage.message(stage.last_dm(stage.alex)))


def reminder_fires(stage: Stage) -> None:
    stage.step(
        f"13. Nobody acknowledges CoC-0002: after {DEMO_URGENT_ACK} (shortened for the demo; "
        "5 minutes by default for urgent reports) the scheduler reminds the channel"
    )
    card = stage.stand_in.messages(ESCALATION)[0]
    reminder = stage.stand_in.wait_for(
        lambda: [m for m in stage.stand_in.thread(ESCALATION, card.ts) if ":alarm_clock:" in str(m.blocks)],
        timeout=WAIT,
        what="the acknowledgement reminder",
    )[0]
    stage.shows("#coc-escalation, in the case thread", stage.message(reminder))
