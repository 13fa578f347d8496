"""Slash commands, which Slack sends form-encoded rather than as a JSON payload."""

from __future__ import annotations

from ..web_api import SlackStandIn
from .envelope import TEAM_DOMAIN, VERIFICATION_TOKEN, user


def slash_command_form(
    stand_in: SlackStandIn, user_id: str, command: str, text: str, channel_id: str, channel_name: str
) -> dict[str, str]:
    """The form fields of ``command`` typed by ``user_id`` in ``channel_id``. As Slack does,
    ``&``, ``<`` and ``>`` of what was typed arrive as entities."""
    return {
        "token": VERIFICATION_TOKEN,
        "team_id": stand_in.team_id,
        "team_domain": TEAM_DOMAIN,
        "channel_id": channel_id,
        "channel_name": channel_name,
        "user_id": user_id,
        "user_name": user(stand_in, user_id)["name"],
        "command": command,
        "text": text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"),
        "api_app_id": stand_in.app_id,
        "is_enterprise_install": "false",
        "response_url": stand_in.new_response_url(user_id, channel_id),
        "trigger_id": stand_in.issue_trigger(user_id),
    }
