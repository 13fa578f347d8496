"""The demo's reports: a /report with a reply in the DM (steps 1-5), and a reported
message about an organizer that goes to the escalation channel (steps 11-12)."""

from slack_app.sandbox.loopback import ESCALATION, GENERAL, ORGANIZERS

from .stage import WAIT, Stage


def report_with_the_command(stage: Stage) -> None:
    alex = stage.alex
    stage.step("1. @alex runs /report in #general")
    stage.slack.slash_command(
        alex, "/report", text="He kept photographing me after I asked him to stop.", channel_id=GENERAL
    )
    stage.stand_in.wait_for(lambda: stage.stand_in.open_view(alex), timeout=WAIT, what="the report modal")
    stage.shows("@alex (a private modal, nobody else)", stage.modal(alex))

    stage.step("2. @alex names @blake, chooses to stay anonymous, and sends the report")
    stage.slack.submit_view(
        alex,
        {
            "category": "stalking",
            "involved": [stage.blake],
            "location_text": "Hallway after the keynote",
            "anonymity": "anonymous",
        },
    )
    stage.shows("@alex", stage.modal(alex))

    stage.step("3. The organizers' private channel gets the case: no words, and @blake is Person A")
    (card,) = stage.wait_messages(ORGANIZERS, 1)
    stage.shows("#coc-organizers (everyone in it, and whoever joins later)", stage.message(card))

    stage.step("3b. @olivia presses Open report: the words and names, for her alone, and on record")
    stage.click(stage.olivia, "case_open_report", value="1")
    stage.shows("@olivia (a private modal)", stage.modal(stage.olivia))

    stage.step("4. @alex gets a direct message from Speak Out")
    (receipt,) = stage.wait_dms(alex, 1)
    stage.shows("@alex", stage.message(receipt))


def reply_in_the_dm(stage: Stage) -> None:
    alex = stage.alex
    stage.step("5. @alex replies in that DM to add something")
    card = stage.card()
    receipt = stage.stand_in.dms_to(alex)[0]
    stage.slack.event(
        stage.slack.dm_message(alex, "He had a blue lanyard, a speaker badge I think.", thread_ts=receipt.ts)
    )
    relayed = stage.stand_in.wait_for(
        lambda: stage.stand_in.thread(ORGANIZERS, card.ts),
        timeout=WAIT,
        what="the reply in the case thread",
    )[-1]
    stage.shows("#coc-organizers, in the case thread (still anonymous)", stage.message(relayed))
    stage.shows("@alex", stage.message(stage.wait_dms(alex, 2)[-1]))


def report_a_message_about_an_organizer(stage: Stage) -> None:
    casey = stage.casey
    stage.step('11. @casey uses "Report this message" on a DM from @olivia, an organizer')
    dm = stage.stand_in.dm_channel_for(casey)
    posted = stage.stand_in.post_user_message(stage.olivia, dm, "Come to my hotel room later, no one will know.")
    message = {"type": "message", "user": stage.olivia, "ts": posted.ts, "text": posted.text}
    stage.slack.message_shortcut(casey, "report_message", channel_id=dm, message=message)
    view = stage.stand_in.wait_for(lambda: stage.stand_in.open_view(casey), timeout=WAIT, what="the modal")
    anonymous = {"type": "radio_buttons", "selected_option": {"value": "anonymous"}}
    stage.slack.block_action(casey, "anonymity_choice", block_id="anonymity", view=view, selected=anonymous)
    stage.stand_in.wait_for(lambda: stage.stand_in.calls_to("views.update"), timeout=WAIT, what="the warning")
    warning = [line for line in stage.modal(casey).splitlines() if "may guess" in line]
    stage.shows("@casey, after choosing anonymity", "\n".join(warning))
    stage.slack.submit_view(
        casey,
        {
            "description": "An organizer invited me to his room.",
            "category": "sexual_attention",
            "anonymity": "anonymous",
            "urgent": ["urgent"],
        },
    )
    stage.shows("@casey", stage.modal(casey))
    show_the_escalation(stage)


def show_the_escalation(stage: Stage) -> None:
    stage.step("12. The report names an organizer, so it goes to the escalation channel instead")
    (card,) = stage.wait_messages(ESCALATION, 1)
    stage.shows("#coc-escalation", stage.message(card))
    stage.out(
        f"#coc-organizers (where @olivia is) shows {len(stage.stand_in.messages(ORGANIZERS))} "
        "messages, all about the first case."
    )
