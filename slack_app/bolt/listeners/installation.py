"""The app losing its installation: Slack's ``app_uninstalled`` and ``tokens_revoked`` events.

After either, every Web API call fails with ``invalid_auth``/``token_revoked`` until someone
reinstalls the app: the admin has to hear it, plainly, once, and the outbox stops calling
Slack (no message is marked failed; it probes ``auth.test`` and resumes by itself once a token
works). ``on_token_lost`` is where the rest of the app learns of it.
"""

import logging

from slack_bolt import App

from slack_app.bolt.bind import bind
from slack_app.core.services import Services

logger = logging.getLogger(__name__)

WHAT_TO_DO = (
    "Speak Out can no longer read or post in Slack until it is reinstalled. "
    "Reinstall the app to the workspace (your Slack app's page, Install App), "
    "put the new bot token in SLACK_BOT_TOKEN and restart speakout."
)


def register(app: App, services: Services) -> None:
    app.event("app_uninstalled")(bind(token_lost, services=services))
    app.event("tokens_revoked")(bind(token_lost, services=services))


def token_lost(event: dict, *, services: Services) -> None:
    if event.get("type") == "app_uninstalled":
        # What Slack answers an uninstalled app's calls with: the outbox shows it, with its hint.
        on_token_lost(services, "the app was uninstalled from the workspace", "account_inactive")
        return
    tokens = event.get("tokens")
    bot = tokens.get("bot") if isinstance(tokens, dict) else None
    if isinstance(bot, list) and not bot:
        return  # only user tokens, and this app holds none: nothing it uses was revoked
    on_token_lost(services, "Slack revoked the app's bot token", "token_revoked")


def on_token_lost(services: Services, what_happened: str, code: str) -> None:
    """Everything the app does when its bot token stops working: tell the admin, and pause the
    outbox as if a call had been refused with ``code``, rather than learn it message by message."""
    logger.warning("%s. %s", what_happened, WHAT_TO_DO)
    services.outbox.pause_for_token(code)
