"""`speakout demo` is a newcomer's first five minutes: it must run to the end and show the story."""

import os
import subprocess
import sys

import pytest

OVER_THE_SOCKET = ("5b. Slack asks the app to reconnect", "opened connection #2", "over a Socket Mode connection")


@pytest.mark.parametrize("flags", [[], ["--socket-mode"]], ids=["http", "socket-mode"])
def test_the_demo_runs_end_to_end_and_shows_what_each_person_sees(tmp_path, flags):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_", "ORGANIZER_"))}
    env["SPEAKOUT_ENV_FILE"] = str(tmp_path / "none.env")
    result = subprocess.run(
        [sys.executable, "-m", "slack_app", "demo", *flags],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    out = result.stdout
    for seen in (
        "== Report a concern ==",
        "Your report is with the organizers",
        "*Reporter*: Anonymous",
        "*Involved*: Person A",
        "3b. @olivia presses Open report",
        "== CoC-0001 ==",
        "Person A: @blake",
        "He kept photographing me after I asked him to stop.",
        "@olivia · opened the report in Slack",
        "7b. @olivia steps back from the case",
        "*Stepped back*: 1 organizer",
        "You stepped back from this case, so you can't open it or act on it.",
        "@olivia stepped back from *CoC-0001* and asks to step back in.",
        "@omar · confirmed that an organizer who had stepped back steps back in",
        "We've received your report *CoC-0001*",
        "*The reporter added information.* Read it with *Open report* on the card.",
        "@olivia · acknowledged the case",
        "A message from the organizers about CoC-0001",
        "A message from the event organizers",
        "*Person A owned up* (CoC-0001)",
        "The other person has offered an apology. Would you like to read it?",
        "Your apology was delivered, and it was accepted.",
        "the reporter answered the apology: “Thank you, I accept”",
        "*Status*: Closed (action taken)",
        "may guess who reported",
        "#coc-escalation sees:",
        ":alarm_clock: *CoC-0002*",
        "@olivia received 0 messages from Speak Out.",
        *(OVER_THE_SOCKET if flags else ("over signed HTTP requests",)),
    ):
        assert seen in out
    if not flags:
        assert not any(line in out for line in OVER_THE_SOCKET)
    assert "Traceback" not in result.stderr
    assert not any(tmp_path.iterdir()) or all(p.name == "none.env" for p in tmp_path.iterdir())
