"""Slack's Socket Mode side: the WebSocket server an app connects to with its app-level token.

As Slack speaks it: ``apps.connections.open`` hands out a single-use ``ws://…/link/?ticket=…``
URL; on connecting the app gets a ``hello``; requests arrive as envelopes (``envelope_id``,
``type`` ``events_api`` / ``interactive`` / ``slash_commands``, ``payload``,
``accepts_response_payload``, and for events ``retry_attempt`` / ``retry_reason``) and the app
acknowledges each with ``{"envelope_id": …}`` (plus ``payload`` where the envelope accepts one)
within 3 seconds. An event not acknowledged in time, or whose connection went away first, is
delivered again with ``retry_attempt`` one higher and ``retry_reason: "timeout"``; an interaction
is not (Slack shows the person an error instead). Pings are answered, and the server pings too.
``send_disconnect`` sends Slack's ``disconnect`` message (``refresh_requested`` or ``warning``)
and closes that connection once the app has opened another; ``drop`` cuts the connection
without a close frame.

The server is ``websockets``' threaded one: each connection has its own thread, and
``deliver`` is called from the test's (or the demo's) thread.
"""

from __future__ import annotations

import contextlib
import json
import logging
import secrets
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from urllib.parse import parse_qs, urlsplit

from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request
from websockets.sync.server import Server, ServerConnection, serve

from .models import JsonDict

logger = logging.getLogger(__name__)

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


class SocketModeServer:
    """The Socket Mode endpoint of the stand-in (``SlackStandIn.socket_mode``)."""

    def __init__(self, *, app_id: str, notify: Callable[[], None] = lambda: None) -> None:
        self.app_id = app_id
        self._notify = notify
        self._cond = threading.Condition()
        self._tickets: dict[str, float] = {}
        self._links: list[Link] = []
        self._acks: dict[str, tuple[JsonDict | None, float]] = {}
        self._sent: list[Sent] = []
        self._stray_acks: list[JsonDict] = []
        self._lost_acks = 0
        self._refusing = False
        self._server: Server | None = None
        self._thread: threading.Thread | None = None

    # -------------------------------------------------------------- lifecycle

    def start(self) -> SocketModeServer:
        if self._server is None:
            # Slack pings the app; websockets answers the app's pings by itself.
            self._server = serve(
                self._serve_link, "127.0.0.1", 0, process_request=self._check_ticket, ping_interval=5, ping_timeout=20
            )
            self._thread = threading.Thread(target=self._server.serve_forever, name="stand-in-socket", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        for link in self.links():
            if link.open:
                _abort(link.connection)
        self._server.shutdown()
        if self._thread is not None:
            self._thread.join(5)
        self._server = self._thread = None

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("Socket Mode is not running")
        return int(self._server.socket.getsockname()[1])

    # ------------------------------------------------- apps.connections.open

    def open_url(self) -> str:
        """A fresh single-use WebSocket URL (the answer of ``apps.connections.open``)."""
        self.start()
        ticket = secrets.token_hex(16)
        with self._cond:
            self._tickets[ticket] = time.monotonic() + TICKET_LIFETIME
        return f"ws://127.0.0.1:{self.port}/link/?ticket={ticket}&app_id={self.app_id}"

    def _check_ticket(self, connection: ServerConnection, request: Request):
        target = urlsplit(request.path)
        ticket = (parse_qs(target.query).get("ticket") or [""])[0]
        with self._cond:
            expires = self._tickets.pop(ticket, None)
            refusing = self._refusing
        if target.path != "/link/" or expires is None or expires < time.monotonic():
            return connection.respond(HTTPStatus.UNAUTHORIZED, "invalid or expired ticket\n")
        if refusing:
            return connection.respond(HTTPStatus.SERVICE_UNAVAILABLE, "unavailable\n")
        return None

    # ----------------------------------------------------------- connections

    def _serve_link(self, connection: ServerConnection) -> None:
        with self._cond:
            link = Link(number=len(self._links) + 1, connection=connection, opened_at=time.monotonic())
            self._links.append(link)
            open_count = sum(1 for each in self._links if each.open)
            self._cond.notify_all()
        self._notify()
        try:
            connection.send(json.dumps(_hello(self.app_id, open_count)))
            for raw in connection:
                self._receive(link, raw)
        except ConnectionClosed:
            pass
        finally:
            self._closed(link, connection.close_code)

    def _receive(self, link: Link, raw: str | bytes) -> None:
        try:
            message = json.loads(raw)
        except ValueError:
            message = None
        if not isinstance(message, dict) or not isinstance(message.get("envelope_id"), str):
            logger.warning("stand-in: the app sent something that is not an acknowledgement")
            with self._cond:
                self._stray_acks.append({"raw": raw if isinstance(raw, str) else raw.decode(errors="replace")})
            return
        envelope_id = message["envelope_id"]
        with self._cond:
            envelope = link.pending.get(envelope_id)
            if envelope is None:
                self._stray_acks.append(message)
                return
            if self._lost_acks > 0:
                self._lost_acks -= 1  # lost on the way: as if it never arrived
                return
            del link.pending[envelope_id]
            payload = message.get("payload") if envelope.accepts_response_payload else None
            self._acks[envelope_id] = (payload if isinstance(payload, dict) else None, time.monotonic())
            self._cond.notify_all()

    def _closed(self, link: Link, code: int | None) -> None:
        with self._cond:
            link.closed_at = time.monotonic()
            link.close_code = code
            self._cond.notify_all()
        self._notify()

    def _retire(self, link: Link) -> None:
        """Close a connection told to go once the app has another and this one's envelopes are
        acknowledged, or after ``HANDOVER_GRACE`` regardless."""

        def handed_over() -> bool:
            return not link.open or (not link.pending and self._current_link() is not None)

        with self._cond:
            self._cond.wait_for(handed_over, timeout=HANDOVER_GRACE)
        if link.open:
            link.connection.close()

    # -------------------------------------------------------------- delivery

    def deliver(
        self,
        kind: str,
        payload: JsonDict,
        *,
        retry_attempt: int = 0,
        retry_reason: str | None = None,
        connect_timeout: float = 10.0,
    ) -> Ack | None:
        """Send ``payload`` as a ``kind`` envelope and wait for its acknowledgement.

        Waits up to ``connect_timeout`` for the app to be connected. An event is delivered
        again (``retry_attempt`` + 1, ``retry_reason: "timeout"``) up to ``EVENT_RETRIES`` times
        when no ack comes within ``ACK_DEADLINE`` or its connection closes first; an
        interaction is sent once. None if nothing was acknowledged.
        """
        if kind not in REQUEST_TYPES:
            raise ValueError(f"unknown envelope type {kind!r}")
        attempts = 0
        attempt, reason = retry_attempt, retry_reason
        while True:
            envelope = Envelope(
                envelope_id=str(uuid.uuid4()),
                type=kind,
                payload=payload,
                # Slack takes a response payload for interactions and commands, not for events.
                accepts_response_payload=kind != "events_api",
                retry_attempt=attempt,
                retry_reason=reason,
            )
            attempts += 1
            sent = self._send(envelope, connect_timeout)
            if sent is not None:
                link, sent_at = sent
                ack = self._await_ack(link, envelope, sent_at)
                if ack is not None:
                    payload_back, at = ack
                    return Ack(envelope.envelope_id, payload_back, at - sent_at, attempts)
            if kind != "events_api" or attempt - retry_attempt >= EVENT_RETRIES:
                return None
            attempt, reason = attempt + 1, "timeout"

    def _send(self, envelope: Envelope, connect_timeout: float) -> tuple[Link, float] | None:
        with self._cond:
            link = self._cond.wait_for(self._current_link, timeout=connect_timeout)
            if not link:
                return None
            link.pending[envelope.envelope_id] = envelope
            at = time.monotonic()
            self._sent.append(Sent(envelope.envelope_id, envelope.type, link.number, envelope.retry_attempt, at))
        with contextlib.suppress(ConnectionClosed):  # the wait for the ack sees the connection closed
            link.connection.send(json.dumps(envelope.message()))
        return link, at

    def _await_ack(self, link: Link, envelope: Envelope, sent_at: float) -> tuple[JsonDict | None, float] | None:
        """The ack's payload and arrival, or None after the deadline or once its connection closed."""
        deadline = sent_at + ACK_DEADLINE
        with self._cond:

            def settled() -> bool:
                return envelope.envelope_id in self._acks or not link.open

            self._cond.wait_for(settled, timeout=max(0.0, deadline - time.monotonic()))
            link.pending.pop(envelope.envelope_id, None)
            self._cond.notify_all()
            return self._acks.pop(envelope.envelope_id, None)

    def _current_link(self) -> Link | None:
        """The newest open connection not told to go (lock held)."""
        for link in reversed(self._links):
            if link.open and not link.retiring:
                return link
        return None

    # ---------------------------------------------------------- disruptions

    def send_disconnect(self, reason: str = "refresh_requested") -> None:
        """Send ``disconnect`` on every open connection, as Slack does before it closes them
        (``refresh_requested``: now; ``warning``: in about 10 seconds). New envelopes wait for
        the app's next connection; each old one closes once it is idle and another is open."""
        with self._cond:
            links = [link for link in self._links if link.open and not link.retiring]
            for link in links:
                link.retiring = True
        for link in links:
            threading.Thread(target=self._retire, args=(link,), name="stand-in-retire", daemon=True).start()
            message = {"type": "disconnect", "reason": reason, "debug_info": {"host": "applink-stand-in"}}
            try:
                link.connection.send(json.dumps(message))
            except ConnectionClosed:
                continue

    def drop(self) -> None:
        """Cut every open connection at the TCP level, with no close frame (a network failure)."""
        for link in self.links():
            if link.open:
                _abort(link.connection)

    def lose_acks(self, count: int = 1) -> None:
        """The next ``count`` acknowledgements get lost on the way to Slack."""
        with self._cond:
            self._lost_acks += count

    def refuse_connections(self, refusing: bool = True) -> None:
        """While refusing, WebSocket handshakes are answered 503 (Slack having trouble)."""
        with self._cond:
            self._refusing = refusing

    # -------------------------------------------------------------- records

    def links(self) -> list[Link]:
        with self._cond:
            return list(self._links)

    def open_links(self) -> int:
        with self._cond:
            return sum(1 for link in self._links if link.open)

    def sent(self) -> list[Sent]:
        with self._cond:
            return list(self._sent)

    def stray_acks(self) -> list[JsonDict]:
        """Acks for envelopes that were not waiting (late, unknown, or not JSON)."""
        with self._cond:
            return list(self._stray_acks)

    def wait_connected(self, count: int = 1, timeout: float = 10.0) -> None:
        """Block until ``count`` connections have been opened in all and one is usable now."""
        with self._cond:
            ready = self._cond.wait_for(
                lambda: len(self._links) >= count and self._current_link() is not None, timeout=timeout
            )
        if not ready:
            raise TimeoutError(f"the app did not open connection #{count} within {timeout}s")


def _hello(app_id: str, connections: int) -> JsonDict:
    return {
        "type": "hello",
        "num_connections": connections,
        "debug_info": {"host": "applink-stand-in", "build_number": 1, "approximate_connection_time": 18060},
        "connection_info": {"app_id": app_id},
    }


def _abort(connection: ServerConnection) -> None:
    """Close the TCP connection under the WebSocket, without a close frame."""
    with contextlib.suppress(OSError):
        connection.socket.shutdown(socket.SHUT_RDWR)


__all__ = ["ACK_DEADLINE", "EVENT_RETRIES", "Ack", "Envelope", "Link", "Sent", "SocketModeServer"]
