"""Slack's Socket Mode side: the WebSocket server an app connects to with its app-level token.

What travels over it is in ``socket_protocol``. An event not acknowledged within 3 seconds, or
whose connection went away first, is delivered again with ``retry_attempt`` one higher and
``retry_reason: "timeout"``; an interaction is not (Slack shows the person an error instead).
``send_disconnect`` sends Slack's ``disconnect`` and closes that connection once the app has
opened another; ``drop`` cuts the connection without a close frame.

The server is ``websockets``' threaded one: each connection has its own thread, and
``deliver`` is called from the test's (or the demo's) thread.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import time
from collections.abc import Callable
from http import HTTPStatus
from urllib.parse import parse_qs, urlsplit

from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request
from websockets.sync.server import Server, ServerConnection, serve

from .models import JsonDict
from .socket_protocol import (
    ACK_DEADLINE,
    EVENT_RETRIES,
    HANDOVER_GRACE,
    Ack,
    Envelope,
    Link,
    Sent,
    Tickets,
    abort,
    disconnect,
    hello,
)

logger = logging.getLogger(__name__)


class SocketModeServer:
    """The Socket Mode endpoint of the stand-in (``SlackStandIn.socket_mode``)."""

    def __init__(self, *, app_id: str, notify: Callable[[], None] = lambda: None) -> None:
        self.app_id = app_id
        self._notify = notify
        self._cond = threading.Condition()
        self._tickets = Tickets()
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
                abort(link.connection)
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
        return f"ws://127.0.0.1:{self.port}/link/?ticket={self._tickets.issue()}&app_id={self.app_id}"

    def _check_ticket(self, connection: ServerConnection, request: Request):
        target = urlsplit(request.path)
        ticket = (parse_qs(target.query).get("ticket") or [""])[0]
        valid = self._tickets.redeem(ticket)
        if target.path != "/link/" or not valid:
            return connection.respond(HTTPStatus.UNAUTHORIZED, "invalid or expired ticket\n")
        if self._refusing:
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
            with contextlib.suppress(ConnectionClosed):
                connection.send(json.dumps(hello(self.app_id, open_count)))
                for raw in connection:
                    self._receive(raw)
        finally:
            self._closed(link, connection.close_code)

    def _receive(self, raw: str | bytes) -> None:
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
            # Envelope ids are the app's, not a connection's: slack_sdk acks on the connection it
            # uses now, after a disconnect maybe not the one the envelope came on (Slack's docs
            # tie an ack to no connection), so an ack counts from any of the app's connections.
            pending = next((each.pending for each in self._links if envelope_id in each.pending), None)
            if pending is None:
                self._stray_acks.append(message)
                return
            if self._lost_acks > 0:
                self._lost_acks -= 1  # lost on the way: as if it never arrived
                return
            envelope = pending.pop(envelope_id)
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
        attempts = 0
        attempt, reason = retry_attempt, retry_reason
        while True:
            envelope = Envelope.new(kind, payload, attempt, reason)
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
            with contextlib.suppress(ConnectionClosed):
                link.connection.send(json.dumps(disconnect(reason)))

    def drop(self) -> None:
        """Cut every open connection at the TCP level, with no close frame (a network failure)."""
        for link in self.links():
            if link.open:
                abort(link.connection)

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

    def sent(self) -> list[Sent]:
        with self._cond:
            return list(self._sent)

    def stray_acks(self) -> list[JsonDict]:
        """Acks for envelopes that were not waiting (late, unknown, or not JSON)."""
        with self._cond:
            return list(self._stray_acks)

    def wait_connected(self, count: int = 1, timeout: float = 10.0) -> None:
        """Block until ``count`` connections have been opened in all and one is usable now."""
        self.wait_for(
            lambda: len(self._links) >= count and self._current_link() is not None,
            timeout=timeout,
            what=f"the app to open connection #{count}",
        )

    def wait_for(self, condition: Callable[[], bool], *, timeout: float = 10.0, what: str = "a condition") -> None:
        """Block until ``condition()`` holds (it may call this server's methods), or TimeoutError."""
        with self._cond:
            if not self._cond.wait_for(condition, timeout=timeout):
                raise TimeoutError(f"timed out after {timeout}s waiting for {what}")


__all__ = ["ACK_DEADLINE", "EVENT_RETRIES", "Ack", "Envelope", "Link", "Sent", "SocketModeServer"]
