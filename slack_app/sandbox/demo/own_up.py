"""The own-up path of the first case (steps 10a-10e): @blake is asked to own up,
apologizes, and the reporter chooses to read the apology and accepts it."""

from slack_app.sandbox.loopback import ORGANIZERS

from .stage import Stage


def ask_blake_to_own_up(stage: Stage, case_id: str) -> None:
    omar, blake = stage.omar, stage.blake
    stage.step("10a. @omar asks @blake to own up, in neutral words of his own")
    stage.click(omar, "case_request_own_up", value=case_id)
    stage.submit(
        omar,
        {
            "subject": blake,
            "description": "Taking photos of attendees in the hallway without asking them first.",
            "coc_part": "recording",
            "deadline": "3d",
        },
    )
    request = stage.last_dm(blake)
    stage.shows("@blake (no report, no reporter, no case reference)", stage.message(request))

    stage.step("10b. @blake owns up and apologizes")
    # The request's last block holds its buttons; their value names the own-up, not the case.
    stage.press(blake, "own_up_apologize", request.blocks[-1]["elements"][0]["value"], request)
    stage.submit(
        blake,
        {
            "acknowledgement": "I took photos of people without asking.",
            "apology": "I'm sorry. I should have asked, and I've deleted the photos.",
            "change": "I'll always ask before taking a picture of anyone.",
        },
    )
    stage.shows("#coc-organizers, in the case thread (for review)", stage.latest_in_thread())


def deliver_the_apology(stage: Stage) -> None:
    omar, alex, blake = stage.omar, stage.alex, stage.blake
    stage.step("10c. @omar delivers it: Speak Out asks @alex first")
    review = stage.stand_in.thread(ORGANIZERS, stage.card().ts)[-1]
    own_up_id = review.blocks[-1]["elements"][0]["value"]
    stage.press(omar, "own_up_deliver", own_up_id, review)
    offer = stage.last_dm(alex)
    stage.shows("@alex", stage.message(offer))

    stage.step("10d. @alex chooses to read it")
    stage.press(alex, "apology_read_yes", own_up_id, offer)
    apology = stage.last_dm(alex)
    stage.shows("@alex", stage.message(apology))
    stage.shows("@blake", stage.message(stage.last_dm(blake)))

    stage.step("10e. @alex answers: Thank you, I accept")
    stage.press(alex, "apology_answer", f"{own_up_id}:accept", apology)
    stage.shows("#coc-organizers, in the case thread", stage.latest_in_thread())
    stage.shows("@blake", stage.message(stage.last_dm(blake)))
