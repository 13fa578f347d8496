"""Slack telling the app about itself: events held back, the app uninstalled, tokens revoked."""

import json
import logging
import urllib.request

import pytest
import yaml

from db.enums import OutboxState
from db.models import OutboxMessage
from tests.e2e.helpers import eventually, report

INSTALLATION_LOGGER = "slack_app.bolt.listeners.installation"


def warnings_from(caplog, logger: str) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == logger and r.levelno == logging.WARNING]


def test_slack_rate_limiting_the_apps_events_is_answered_200_and_logged(local, caplog):
    caplog.set_level(logging.INFO)
    body = {
        "token": "deprecated",
        "type": "app_rate_limited",
        "team_id": local.stand_in.team_id,
        "minute_rate_limited": 1518467820,
        "api_app_id": "A0SPEAKOUT",
    }

    response = local.slack.post(json.dumps(body), content_type="application/json")

    assert response.status == 200
    assert warnings_from(caplog, "slack_app.bolt.guard") == [
        "Slack is rate limiting this app's events (more than 30,000 an hour) since minute 1518467820: "
        "some events are not being delivered"
    ]
    assert not [r for r in caplog.records if r.name == "slack_app.bolt.error_handler"]


@pytest.mark.parametrize(
    ("event", "what_happened"),
    [
        ({"type": "app_uninstalled"}, "the app was uninstalled from the workspace"),
        ({"type": "tokens_revoked", "tokens": {"bot": ["U0SPEAKBOT"]}}, "Slack revoked the app's bot token"),
    ],
)
def test_losing_the_installation_tells_the_admin_to_reinstall(local, caplog, event, what_happened):
    caplog.set_level(logging.INFO)

    assert local.slack.event(event).status == 200

    (warning,) = eventually(lambda: warnings_from(caplog, INSTALLATION_LOGGER), what="the warning")
    assert warning.startswith(f"{what_happened}. Speak Out can no longer read or post in Slack")
    assert "Reinstall the app" in warning and "SLACK_BOT_TOKEN" in warning


@pytest.mark.parametrize(
    ("event", "code"),
    [
        ({"type": "app_uninstalled"}, "account_inactive"),
        ({"type": "tokens_revoked", "tokens": {"bot": ["B"]}}, "token_revoked"),
    ],
)
def test_losing_the_installation_pauses_the_outbox_without_failing_anything(local, event, code):
    assert local.slack.event(event).status == 200
    eventually(lambda: healthz(local)["slack"]["paused"] == code, what="/healthz to show the pause")

    answer = report(local, local.cast.participants[0].user_id, description="Someone kept filming me.")

    # The reporter still gets their answer (from the listener); nothing is tried in Slack, and
    # what the report owes Slack waits, no attempt used up, for the probe to find a token.
    assert answer.status == 200 and answer.slack_error is None
    waiting = eventually(lambda: outbox_rows(local), what="the case to be opened")
    assert set(waiting) == {(OutboxState.PENDING, 0)}
    assert local.stand_in.calls_to("chat.postMessage") == []
    health = healthz(local)
    assert health["ok"] is True and "reinstall" in health["slack"]["hint"]


def outbox_rows(local) -> list[tuple[OutboxState, int]]:
    with local.services.sessions.begin() as session:
        return [tuple(row) for row in session.query(OutboxMessage.state, OutboxMessage.attempts)]


def healthz(local) -> dict:
    with urllib.request.urlopen(local.server.url + "/healthz", timeout=5) as response:
        return json.loads(response.read())


def test_revoked_user_tokens_alone_are_not_the_apps_concern(local, caplog):
    caplog.set_level(logging.INFO)
    local.slack.event({"type": "tokens_revoked", "tokens": {"oauth": ["U0SOMEONE"], "bot": []}})
    local.slack.event({"type": "app_uninstalled"})  # a later event shows the first was handled

    (warning,) = eventually(lambda: warnings_from(caplog, INSTALLATION_LOGGER), what="the warning")
    assert warning.startswith("the app was uninstalled")


def test_the_manifest_subscribes_to_losing_the_installation():
    with open("manifest.yml", encoding="utf-8") as manifest:
        events = yaml.safe_load(manifest)["settings"]["event_subscriptions"]["bot_events"]
    assert {"app_uninstalled", "tokens_revoked"} <= set(events)
