"""``speakout demo``: the real app on loopback, against the stand-in for Slack, played through.

Nothing leaves this machine and no Slack workspace is needed. Each step prints what each
person would see in Slack, as text.
"""

import logging
import tempfile
from pathlib import Path

from slack_app.sandbox.loopback import ESCALATION, GENERAL, ORGANIZERS, LocalSpeakOut
from slack_app.sandbox.stand_in import Message
from slack_app.sandbox.transcript import message_text, view_text

WAIT = 15.0
DEMO_URGENT_ACK = "3s"


class Demo:
    def __init__(self, local: LocalSpeakOut, out=print):
        self.local = local
        self.out = out
        self.stand_in = local.stand_in
        self.alex, self.blake, self.casey = local.cast.participants
        self.olivia = local.cast.organizers[0]

    # -- printing ------------------------------------------------------------------------
    def name(self, slack_id: str) -> str:
        known = self.stand_in.user(slack_id) or self.stand_in.channel(slack_id)
        return known["name"] if known else slack_id

    def step(self, title: str) -> None:
        self.out(f"\n=== {title} ===")

    def shows(self, who: str, text: str) -> None:
        self.out(f"{who} sees:")
        self.out("\n".join("  │ " + line for line in text.splitlines()))

    def message(self, message: Message) -> str:
        return message_text(message.to_dict(), self.name)

    def modal(self, user_id: str) -> str:
        return view_text(self.stand_in.open_view(user_id) or {}, self.name)

    # -- waiting for the app -------------------------------------------------------------
    def wait_messages(self, channel: str, count: int) -> list[Message]:
        return self.stand_in.wait_for(
            lambda: len(self.stand_in.messages(channel)) >= count and self.stand_in.messages(channel),
            timeout=WAIT,
            what=f"{count} messages in {channel}",
        )

    def wait_dms(self, user_id: str, count: int) -> list[Message]:
        return self.stand_in.wait_for(
            lambda: len(self.stand_in.dms_to(user_id)) >= count and self.stand_in.dms_to(user_id),
            timeout=WAIT,
            what=f"{count} direct messages to {self.name(user_id)}",
        )

    # -- the story -----------------------------------------------------------------------
    def run(self) -> None:
        self.intake()
        self.reply_in_dm()
        self.handle_the_case()
        self.report_a_message_about_an_organizer()
        self.reminder_fires()
        self.step("What the reported people were told")
        self.out(
            f"@blake received {len(self.stand_in.dms_to(self.blake.user_id))} messages from Speak Out, all above: "
            "the request to own up, and that the apology was delivered and accepted. Never who reported."
        )
        self.out(f"@olivia received {len(self.stand_in.dms_to(self.olivia.user_id))} messages from Speak Out.")

    def intake(self) -> None:
        alex = self.alex.user_id
        self.step("1. @alex runs /report in #general")
        self.local.slack.slash_command(
            alex, "/report", text="He kept photographing me after I asked him to stop.", channel_id=GENERAL
        )
        self.stand_in.wait_for(lambda: self.stand_in.open_view(alex), timeout=WAIT, what="the report modal")
        self.shows("@alex (a private modal, nobody else)", self.modal(alex))

        self.step("2. @alex names @blake, chooses to stay anonymous, and sends the report")
        self.local.slack.submit_view(
            alex,
            {
                "category": "stalking",
                "involved": [self.blake.user_id],
                "location_text": "Hallway after the keynote",
                "anonymity": "anonymous",
            },
        )
        self.shows("@alex", self.modal(alex))

        self.step("3. The organizers' private channel gets the case")
        card, details = self.wait_messages(ORGANIZERS, 2)
        self.shows("#coc-organizers", self.message(card))
        self.shows("#coc-organizers, in the case thread", self.message(details))

        self.step("4. @alex gets a direct message from Speak Out")
        (receipt,) = self.wait_dms(alex, 1)
        self.shows("@alex", self.message(receipt))

    def reply_in_dm(self) -> None:
        alex = self.alex.user_id
        self.step("5. @alex replies in that DM to add something")
        card = self.stand_in.messages(ORGANIZERS)[0]
        receipt = self.stand_in.dms_to(alex)[0]
        self.local.slack.event(
            self.local.slack.dm_message(alex, "He had a blue lanyard, a speaker badge I think.", thread_ts=receipt.ts)
        )
        relayed = self.stand_in.wait_for(
            lambda: len(self.stand_in.thread(ORGANIZERS, card.ts)) >= 2 and self.stand_in.thread(ORGANIZERS, card.ts),
            timeout=WAIT,
            what="the reply in the case thread",
        )[-1]
        self.shows("#coc-organizers, in the case thread (still anonymous)", self.message(relayed))
        self.shows("@alex", self.message(self.wait_dms(alex, 2)[-1]))

    # -- organizers at work ----------------------------------------------------------------
    def click(self, user_id: str, action_id: str, **kwargs) -> None:
        card = self.stand_in.messages(ORGANIZERS)[0]
        self.local.slack.block_action(user_id, action_id, message=card.to_dict(), channel_id=ORGANIZERS, **kwargs)
        self.local.settle()

    def submit(self, user_id: str, values: dict) -> None:
        self.stand_in.wait_for(lambda: self.stand_in.open_view(user_id), timeout=WAIT, what="a modal")
        self.local.slack.submit_view(user_id, values)
        self.local.settle()

    def latest_in_thread(self) -> str:
        card = self.stand_in.messages(ORGANIZERS)[0]
        return self.message(self.stand_in.thread(ORGANIZERS, card.ts)[-1])

    def card_now(self) -> str:
        card = self.stand_in.messages(ORGANIZERS)[0]
        return self.message(self.stand_in.message(ORGANIZERS, card.ts))

    def handle_the_case(self) -> None:
        olivia, omar = (person.user_id for person in self.local.cast.organizers)
        alex, blake = self.alex.user_id, self.blake.user_id
        case_id = "1"

        self.step("6. @olivia presses Acknowledge on the card")
        self.click(olivia, "case_acknowledge", value=case_id)
        self.shows("#coc-organizers (the card, updated in place)", self.card_now())
        self.shows("#coc-organizers, in the case thread", self.latest_in_thread())
        self.shows("@alex", self.message(self.stand_in.dms_to(alex)[-1]))

        self.step("7. @olivia assigns @omar to lead the case")
        self.click(olivia, "case_assign", value=case_id)
        self.submit(olivia, {"assignee": omar})
        self.shows("#coc-organizers, in the case thread", self.latest_in_thread())

        self.step("8. @omar messages the reporter through the app (alex stays anonymous, omar unnamed)")
        self.click(omar, "case_message_reporter", value=case_id)
        self.submit(omar, {"message": "Thank you. Do you know if anyone else saw it?"})
        self.shows("@alex", self.message(self.stand_in.dms_to(alex)[-1]))
        self.local.slack.event(self.local.slack.dm_message(alex, "Yes, a volunteer at the coffee stand."))
        self.local.settle()
        self.shows("#coc-organizers, in the case thread", self.latest_in_thread())

        self.step("9. @omar records an action: a formal warning for @blake")
        self.click(omar, "case_record_action", value=case_id)
        self.submit(
            omar,
            {"kind": "formal_warning", "subject": blake, "reason": "A witness confirmed it; first incident."},
        )
        self.shows("#coc-organizers, in the case thread", self.latest_in_thread())
        self.own_up(case_id)

        self.step("10f. @omar closes the case with an outcome and a summary")
        self.click(omar, "case_close", value=case_id)
        self.submit(omar, {"outcome": "action_taken", "summary": "Warned; apologized; apology accepted."})
        self.shows("#coc-organizers (the card)", self.card_now())
        self.shows("@alex", self.message(self.stand_in.dms_to(alex)[-1]))

    def own_up(self, case_id: str) -> None:
        omar, alex, blake = self.local.cast.organizers[1].user_id, self.alex.user_id, self.blake.user_id
        self.step("10a. @omar asks @blake to own up, in neutral words of his own")
        self.click(omar, "case_request_own_up", value=case_id)
        self.submit(
            omar,
            {
                "subject": blake,
                "description": "Taking photos of attendees in the hallway without asking them first.",
                "coc_part": "recording",
                "deadline": "3d",
            },
        )
        request = self.stand_in.dms_to(blake)[-1]
        self.shows("@blake (no report, no reporter, no case reference)", self.message(request))

        self.step("10b. @blake owns up and apologizes")
        self.local.slack.block_action(
            blake,
            "own_up_apologize",
            value=request.blocks[-1]["elements"][0]["value"],
            message=request.to_dict(),
            channel_id=request.channel,
        )
        self.local.settle()
        self.submit(
            blake,
            {
                "acknowledgement": "I took photos of people without asking.",
                "apology": "I'm sorry. I should have asked, and I've deleted the photos.",
                "change": "I'll always ask before taking a picture of anyone.",
            },
        )
        self.shows("#coc-organizers, in the case thread (for review)", self.latest_in_thread())

        self.step("10c. @omar delivers it: Speak Out asks @alex first")
        review = self.stand_in.thread(ORGANIZERS, self.stand_in.messages(ORGANIZERS)[0].ts)[-1]
        own_up_id = review.blocks[-1]["elements"][0]["value"]
        self.local.slack.block_action(
            omar, "own_up_deliver", value=own_up_id, message=review.to_dict(), channel_id=ORGANIZERS
        )
        self.local.settle()
        offer = self.stand_in.dms_to(alex)[-1]
        self.shows("@alex", self.message(offer))

        self.step("10d. @alex chooses to read it")
        self.local.slack.block_action(
            alex, "apology_read_yes", value=own_up_id, message=offer.to_dict(), channel_id=offer.channel
        )
        self.local.settle()
        apology = self.stand_in.dms_to(alex)[-1]
        self.shows("@alex", self.message(apology))
        self.shows("@blake", self.message(self.stand_in.dms_to(blake)[-1]))

        self.step("10e. @alex answers: Thank you, I accept")
        self.local.slack.block_action(
            alex, "apology_answer", value=f"{own_up_id}:accept", message=apology.to_dict(), channel_id=apology.channel
        )
        self.local.settle()
        self.shows("#coc-organizers, in the case thread", self.latest_in_thread())
        self.shows("@blake", self.message(self.stand_in.dms_to(blake)[-1]))

    def reminder_fires(self) -> None:
        self.step(
            f"13. Nobody acknowledges CoC-0002: after {DEMO_URGENT_ACK} (shortened for the demo; "
            "5 minutes by default for urgent reports) the scheduler reminds the channel"
        )
        card = self.stand_in.messages(ESCALATION)[0]
        reminder = self.stand_in.wait_for(
            lambda: [m for m in self.stand_in.thread(ESCALATION, card.ts) if ":alarm_clock:" in str(m.blocks)],
            timeout=WAIT,
            what="the acknowledgement reminder",
        )[0]
        self.shows("#coc-escalation, in the case thread", self.message(reminder))

    def report_a_message_about_an_organizer(self) -> None:
        casey = self.casey.user_id
        self.step('11. @casey uses "Report this message" on a DM from @olivia, an organizer')
        dm = self.stand_in.dm_channel_for(casey)
        posted = self.stand_in.post_user_message(
            self.olivia.user_id, dm, "Come to my hotel room later, no one will know."
        )
        message = {"type": "message", "user": self.olivia.user_id, "ts": posted.ts, "text": posted.text}
        self.local.slack.message_shortcut(casey, "report_message", channel_id=dm, message=message)
        view = self.stand_in.wait_for(lambda: self.stand_in.open_view(casey), timeout=WAIT, what="the modal")
        anonymous = {"type": "radio_buttons", "selected_option": {"value": "anonymous"}}
        self.local.slack.block_action(casey, "anonymity_choice", block_id="anonymity", view=view, selected=anonymous)
        self.stand_in.wait_for(lambda: self.stand_in.calls_to("views.update"), timeout=WAIT, what="the warning")
        warning = [line for line in self.modal(casey).splitlines() if "may guess" in line]
        self.shows("@casey, after choosing anonymity", "\n".join(warning))
        self.local.slack.submit_view(
            casey,
            {
                "description": "An organizer invited me to his room.",
                "category": "sexual_attention",
                "anonymity": "anonymous",
                "urgent": ["urgent"],
            },
        )
        self.shows("@casey", self.modal(casey))

        self.step("12. The report names an organizer, so it goes to the escalation channel instead")
        card, details = self.wait_messages(ESCALATION, 2)
        self.shows("#coc-escalation", self.message(card))
        self.shows("#coc-escalation, in the case thread", self.message(details))
        self.out(
            f"#coc-organizers (where @olivia is) shows {len(self.stand_in.messages(ORGANIZERS))} "
            "messages, all about the first case."
        )


def run_demo() -> int:
    # The demo shows what people see; the app's own operational log would drown it.
    logging.getLogger().setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="speakout-demo-") as folder:
        database = Path(folder) / "demo.db"
        print("Speak Out demo: the real app on 127.0.0.1, a local stand-in for Slack, and a fresh")
        print(f"SQLite database in {database}. Nothing leaves this machine.")
        env = {"REMIND_ACK_URGENT_AFTER": DEMO_URGENT_ACK, "OUTBOX_POLL_INTERVAL": "1s"}
        with LocalSpeakOut(f"sqlite:///{database}", scheduler=True, env=env) as local:
            Demo(local).run()
    print("\nDemo finished: every step above went through the real app over signed HTTP requests.")
    return 0
