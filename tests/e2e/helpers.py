"""Reading what each person sees in the stand-in, as text."""

import json
import threading
import time
from typing import Any

from db.health_queries import health
from slack_app.sandbox.loopback import ESCALATION, ORGANIZERS, LocalSpeakOut
from slack_app.sandbox.stand_in import build_state_values
from slack_app.sandbox.transcript import message_text, view_text

FILLED = {
    "category": "harassment",
    "anonymity": "named",
}


def names(local: LocalSpeakOut):
    def name(slack_id: str) -> str:
        known = local.stand_in.user(slack_id) or local.stand_in.channel(slack_id)
        return known["name"] if known else slack_id

    return name


def seen(local: LocalSpeakOut, message) -> str:
    return message_text(message.to_dict(), names(local))


def modal_text(local: LocalSpeakOut, user_id: str) -> str:
    view = local.stand_in.open_view(user_id)
    assert view is not None, f"{user_id} has no modal open"
    return view_text(view, names(local))


def wait_for_channel(local: LocalSpeakOut, channel: str, count: int, timeout: float = 10.0) -> list:
    return local.stand_in.wait_for(
        lambda: (msgs := local.stand_in.messages(channel)) and len(msgs) >= count and msgs,
        timeout=timeout,
        what=f"{count} message(s) in {channel}",
    )


def wait_for_dms(local: LocalSpeakOut, user_id: str, count: int, timeout: float = 10.0) -> list:
    return local.stand_in.wait_for(
        lambda: (msgs := local.stand_in.dms_to(user_id)) and len(msgs) >= count and msgs,
        timeout=timeout,
        what=f"{count} DM(s) to {user_id}",
    )


def eventually(predicate, timeout: float = 10.0, what: str = "the condition"):
    """Poll ``predicate`` until it is truthy or the deadline passes (for state in the database,
    which has no notification to wait on)."""
    deadline = time.monotonic() + timeout
    pause = threading.Event()
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout}s waiting for {what}")
        pause.wait(0.02)


def outbox_drained(local: LocalSpeakOut) -> bool:
    with local.services.sessions.begin() as session:
        state = health(session)
    return state.outbox_pending == 0


def report(local: LocalSpeakOut, user_id: str, text: str = "", **values: Any):
    """Run /report and send the modal with ``values`` (by block id) over sensible defaults."""
    response = local.slack.slash_command(user_id, "/report", text=text)
    assert response.status == 200
    local.stand_in.wait_for(lambda: local.stand_in.open_view(user_id), what="the report modal")
    return local.slack.submit_view(user_id, {**FILLED, **values})


def submission_payload(local: LocalSpeakOut, user_id: str, values: dict[str, Any]) -> str:
    """The body Slack sends for the user's open modal, to replay it (a double click)."""
    view = local.stand_in.open_view(user_id)
    state = build_state_values(view, values, current=view["state"]["values"])
    payload = {
        "type": "view_submission",
        "team": {"id": local.stand_in.team_id},
        "user": {"id": user_id, "team_id": local.stand_in.team_id},
        "api_app_id": "A0SPEAKOUT",
        "trigger_id": local.stand_in.issue_trigger(user_id),
        "view": {**view, "state": {"values": state}},
    }
    return json.dumps(payload)


__all__ = ["ESCALATION", "ORGANIZERS"]
