"""``auth.test`` and ``users.info``: who the bot is, and who anyone else is."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..models import ApiError, JsonDict
from ..params import param
from ..workspace import Workspace
from .chat import PERMALINK_HOST


def check_auth(workspace: Workspace, params: Mapping[str, Any]) -> JsonDict:
    return {
        "ok": True,
        "url": f"{PERMALINK_HOST}/",
        "team": "Speak Out (stand-in)",
        "user": workspace.users[workspace.bot_user_id].name,
        "team_id": workspace.team_id,
        "user_id": workspace.bot_user_id,
        "bot_id": workspace.bot_id,
        "is_enterprise_install": False,
    }


def describe_user(workspace: Workspace, params: Mapping[str, Any]) -> JsonDict:
    info = workspace.user_info(param(params, "user") or "")
    if info is None:
        raise ApiError("user_not_found")
    return {"ok": True, "user": info}
