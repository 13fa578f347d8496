"""The parts every interactivity payload shares: who, in which team, when."""

from __future__ import annotations

import time

from ..models import JsonDict, Message
from ..web_api import SlackStandIn

VERIFICATION_TOKEN = "stand-in-verification-token"
"""The (deprecated) verification ``token`` field Slack puts in every payload."""
TEAM_DOMAIN = "speakout-stand-in"


def team(stand_in: SlackStandIn) -> JsonDict:
    return {"id": stand_in.team_id, "domain": TEAM_DOMAIN}


def user(stand_in: SlackStandIn, user_id: str) -> JsonDict:
    name = (stand_in.user(user_id) or {}).get("name", user_id)
    return {"id": user_id, "username": name, "name": name, "team_id": stand_in.team_id}


def channel(stand_in: SlackStandIn, channel_id: str) -> JsonDict:
    info = stand_in.channel(channel_id) or {}
    name = info.get("name") or ("directmessage" if channel_id.startswith("D") else channel_id)
    return {"id": channel_id, "name": name}


def common(stand_in: SlackStandIn, kind: str, user_id: str) -> JsonDict:
    """The start of an interactivity payload of ``type`` ``kind`` by ``user_id``."""
    return {
        "type": kind,
        "token": VERIFICATION_TOKEN,
        "api_app_id": stand_in.app_id,
        "team": team(stand_in),
        "user": user(stand_in, user_id),
        "enterprise": None,
        "is_enterprise_install": False,
    }


def action_ts() -> str:
    return f"{time.time():.6f}"


def message_dict(message: JsonDict | Message) -> JsonDict:
    """A message as payloads carry it, from a stored ``Message`` or a partial dict."""
    if isinstance(message, Message):
        return message.to_dict()
    return {"type": "message", **message}
