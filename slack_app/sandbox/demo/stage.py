"""What every step of the demo uses: the people, how a step is printed, and
how to wait for the app and act on the case card."""

from collections.abc import Callable

from slack_app.sandbox.loopback import ORGANIZERS, LocalSpeakOut
from slack_app.sandbox.stand_in import Message
from slack_app.sandbox.transcript import message_text, view_text

WAIT = 15.0
DEMO_URGENT_ACK = "3s"


class Narrator:
    """Prints each step as what a person would see in Slack, with names instead of ids."""

    def __init__(self, local: LocalSpeakOut, out: Callable[[str], None] = print):
        self.local = local
        self.out = out
        self.stand_in = local.stand_in

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


class Stage(Narrator):
    """The narrator plus the cast and the ways a step drives the app and waits for it."""

    def __init__(self, local: LocalSpeakOut, out: Callable[[str], None] = print):
        super().__init__(local, out)
        self.slack = local.slack
        self.alex, self.blake, self.casey = (person.user_id for person in local.cast.participants)
        self.olivia, self.omar = (person.user_id for person in local.cast.organizers)

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

    def last_dm(self, user_id: str) -> Message:
        return self.stand_in.dms_to(user_id)[-1]

    # -- the first case's card in the organizers' channel -------------------------------
    def card(self) -> Message:
        return self.stand_in.messages(ORGANIZERS)[0]

    def click(self, user_id: str, action_id: str, **kwargs) -> None:
        """Press a button on the case card, and let the app finish what it does."""
        self.slack.block_action(user_id, action_id, message=self.card().to_dict(), channel_id=ORGANIZERS, **kwargs)
        self.local.settle()

    def press(self, user_id: str, action_id: str, value: str, message: Message) -> None:
        """Press a button on ``message``, and let the app finish what it does."""
        self.slack.block_action(user_id, action_id, value=value, message=message.to_dict(), channel_id=message.channel)
        self.local.settle()

    def submit(self, user_id: str, values: dict) -> None:
        """Fill in the modal the app opened for ``user_id`` and send it."""
        self.stand_in.wait_for(lambda: self.stand_in.open_view(user_id), timeout=WAIT, what="a modal")
        self.slack.submit_view(user_id, values)
        self.local.settle()

    def latest_in_thread(self) -> str:
        card = self.card()
        return self.message(self.stand_in.thread(ORGANIZERS, card.ts)[-1])

    def card_now(self) -> str:
        card = self.card()
        return self.message(self.stand_in.message(ORGANIZERS, card.ts))
