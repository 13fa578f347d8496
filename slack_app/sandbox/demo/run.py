"""Starting the demo: a fresh database, the real app with a stand-in for Slack,
and the story played in order."""

import logging
import tempfile
from pathlib import Path

from slack_app.sandbox.loopback import LocalSpeakOut

from .case_work import handle_the_case, reminder_fires
from .intake import reply_in_the_dm, report_a_message_about_an_organizer, report_with_the_command
from .stage import DEMO_URGENT_ACK, Stage


def play(stage: Stage) -> None:
    """The whole story; the reminder comes last so its wait overlaps the steps before it."""
    report_with_the_command(stage)
    reply_in_the_dm(stage)
    if stage.local.transport == "socket":
        slack_asks_to_reconnect(stage)
    handle_the_case(stage)
    report_a_message_about_an_organizer(stage)
    reminder_fires(stage)
    stage.step("What the reported people were told")
    stage.out(
        f"@blake received {len(stage.stand_in.dms_to(stage.blake))} messages from Speak Out, all above: "
        "the request to own up, and that the apology was delivered and accepted. Never who reported."
    )
    stage.out(f"@olivia received {len(stage.stand_in.dms_to(stage.olivia))} messages from Speak Out.")


def slack_asks_to_reconnect(stage: Stage) -> None:
    """What Slack does every few hours in Socket Mode: the app opens a new connection before
    letting the old one go, so nothing in between is lost."""
    socket = stage.local.stand_in.socket_mode
    stage.step("5b. Slack asks the app to reconnect (Socket Mode refreshes its connections every few hours)")
    socket.send_disconnect("refresh_requested")
    socket.wait_connected(2)
    stage.out(f"Speak Out opened connection #{len(socket.links())} before the old one closed; the case goes on.")


def run_demo(*, socket_mode: bool = False) -> int:
    # The demo shows what people see; the app's own operational log would drown it.
    logging.getLogger().setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="speakout-demo-") as folder:
        database = Path(folder) / "demo.db"
        print("Speak Out demo: the real app on 127.0.0.1, a local stand-in for Slack, and a fresh")
        print(f"SQLite database in {database}. Nothing leaves this machine.")
        env = {"REMIND_ACK_URGENT_AFTER": DEMO_URGENT_ACK, "OUTBOX_POLL_INTERVAL": "1s"}
        transport = "socket" if socket_mode else "http"
        with LocalSpeakOut(f"sqlite:///{database}", scheduler=True, env=env, transport=transport) as local:
            play(Stage(local))
    how = "over a Socket Mode connection" if socket_mode else "over signed HTTP requests"
    print(f"\nDemo finished: every step above went through the real app {how}.")
    return 0
