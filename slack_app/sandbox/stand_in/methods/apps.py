"""``apps.connections.open``: a Socket Mode WebSocket URL, for the app-level token only."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..models import JsonDict
from ..socket_mode import SocketModeServer


def open_connection(socket_mode: SocketModeServer, params: Mapping[str, Any]) -> JsonDict:
    return {"ok": True, "url": socket_mode.open_url()}
