"""What travels over the stand-in's Socket Mode connections, as Slack speaks it.

``apps.connections.open`` hands out a single-use ``ws://…/link/?ticket=…`` URL; on connecting
the app gets a ``hello``; requests arrive as envelopes (``envelope_id``, ``type``
``events_api`` / ``interactive`` / ``slash_commands``, ``payload``, ``accepts_response_payload``,
and for events ``retry_attempt`` / ``retry_reason``) and the app acknowledges each with
``{"envelope_id": …}`` (plus ``payload`` where the envelope accepts one) within 3 seconds.
Pings are answered both ways.
"""

from __future__ import annotations

import contextlib
import secrets
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field

from websockets.sync.server import ServerConnection

from .models import JsonDict

ACK_DEADLINE = 3.0
"""Seconds Slack waits for an envelope's acknowledgement."""
EVENT_RETRIES = 3
"""How many times Slack delivers an unacknowledged event again."""
TICKET_LIFETIME = 30.0
"""Seconds an ``apps.connections.open`` URL stays valid (it is also single-use)."""
HANDOVER_GRACE = 10.0
"""After a ``disconnect``, seconds before Slack closes the old connection regardless."""
REQUEST_TYPES = ("events_api", "interactive", "slash_commands")


@dataclass
class Envelope:
    envelope_id: str
    type: str
    payload: JsonDict
    accepts_response_payload: bool
    retry_attempt: int = 0
    retry_reason: str | None = None

    @classmethod
    def new(cls, kind: str, payload: JsonDict, retry_attempt: int = 0, retry_reason: str | None = None) -> Envelope:
        if kind not in REQUEST_TYPES:
            raise ValueError(f"unknown envelope type {kind!r}")
        return cls(
            envelope_id=str(uuid.uuid4()),
            type=kind,
            payload=payload,
            # Slack takes a response payload for interactions and commands, not for events.
            accepts_response_payload=kind != "events_api",
            retry_attempt=retry_attempt,
            retry_reason=retry_reason,
        )

    def message(self) -> JsonDict:
        body: JsonDict = {
            "envelope_id": self.envelope_id,
            "payload": self.payload,
            "type": self.type,
            "accepts_response_payload": self.accepts_response_payload,
        }
        if self.type == "events_api":
            body["retry_attempt"] = self.retry_attempt
            body["retry_reason"] = self.retry_reason or ""
        return body


@dataclass(frozen=True)
class Ack:
    """The app's acknowledgement of an envelope: ``payload`` only where the envelope accepted
    one; ``elapsed`` is seconds from sending the (last) envelope to its ack."""

    envelope_id: str
    payload: JsonDict | None
    elapsed: float
    attempts: int


@dataclass
class Link:
    """One WebSocket connection from the app."""

    number: int
    connection: ServerConnection
    opened_at: float
    retiring: bool = False
    closed_at: float | None = None
    close_code: int | None = None
    pending: dict[str, Envelope] = field(default_factory=dict)

    @property
    def open(self) -> bool:
        return self.closed_at is None


@dataclass(frozen=True)
class Sent:
    """One envelope as sent, for tests: which connection, which attempt."""

    envelope_id: str
    type: str
    link: int
    retry_attempt: int
    at: float


def hello(app_id: str, connections: int) -> JsonDict:
    return {
        "type": "hello",
        "num_connections": connections,
        "debug_info": {"host": "applink-stand-in", "build_number": 1, "approximate_connection_time": 18060},
        "connection_info": {"app_id": app_id},
    }


def disconnect(reason: str) -> JsonDict:
    """Slack's notice that it will close the connection: ``refresh_requested`` (now),
    ``warning`` (in about 10 seconds) or ``link_disabled`` (Socket Mode was turned off)."""
    return {"type": "disconnect", "reason": reason, "debug_info": {"host": "applink-stand-in"}}


class Tickets:
    """The single-use tickets in ``apps.connections.open`` URLs, each valid ``TICKET_LIFETIME``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._expiry: dict[str, float] = {}

    def issue(self) -> str:
        ticket = secrets.token_hex(16)
        with self._lock:
            self._expiry[ticket] = time.monotonic() + TICKET_LIFETIME
        return ticket

    def redeem(self, ticket: str) -> bool:
        """True once for a ticket issued less than ``TICKET_LIFETIME`` ago."""
        with self._lock:
            expires = self._expiry.pop(ticket, None)
        return expires is not None and expires >= time.monotonic()


def abort(connection: ServerConnection) -> None:
    """Close the TCP connection under the WebSocket, without a close frame."""
    with contextlib.suppress(OSError):
        connection.socket.shutdown(socket.SHUT_RDWR)
