"""Socket Mode: Slack's requests arrive over a WebSocket the app opens, for organizers without a
public HTTPS address.

The protocol layer is slack_sdk's (``BaseSocketModeClient``: issuing the URL with
``apps.connections.open``, parsing envelopes, reconnecting on ``disconnect``) and Bolt's
(``run_bolt_app`` / ``send_response``: an envelope is dispatched like an HTTP request, and the
ack, with any response payload, goes back with its ``envelope_id``). The connection itself is
``websockets``' threaded client, because slack_sdk's own clients each fall short here: the
built-in one notices a dropped connection only after four missed pings (40 s at Bolt's
defaults) and takes 3 s to close; the ``websocket-client`` one cannot open the new connection
before the old one has closed, so a ``disconnect`` leaves a gap of up to 10 s; the
``websockets`` one is asyncio-only. Here a closed connection is replaced at once, a silent one
within ``ping_interval + ping_timeout``, and on ``disconnect`` the new connection is open before
the old one is closed.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from queue import Queue

from slack_bolt import App
from slack_bolt.adapter.socket_mode.base_handler import BaseSocketModeHandler
from slack_bolt.adapter.socket_mode.internals import run_bolt_app, send_response
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientNotConnectedError
from slack_sdk.socket_mode.client import BaseSocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from websockets.exceptions import ConnectionClosed, InvalidHandshake
from websockets.protocol import State
from websockets.sync.client import ClientConnection, connect

from slack_app.core.settings import SettingsError

logger = logging.getLogger(__name__)

PING_INTERVAL = 10.0
"""Seconds between the app's pings; a connection unanswered for another ``PING_TIMEOUT`` is dead."""
PING_TIMEOUT = 10.0
RECONNECT_BACKOFF = (0.5, 1.0, 2.0, 5.0, 10.0, 30.0)
"""Seconds between attempts while Slack can't be reached: quick at first, then patient."""


class SocketModeClient(BaseSocketModeClient):
    """slack_sdk's Socket Mode client protocol over ``websockets.sync.client``."""

    def __init__(
        self, app_token: str, web_client: WebClient, *, concurrency: int, ping_interval: float = PING_INTERVAL
    ) -> None:
        self.app_token = app_token
        self.web_client = web_client
        self.logger = logger
        self.ping_interval = ping_interval
        self.wss_uri = None  # type: ignore[assignment]
        self.message_queue = Queue()
        self.message_listeners = []
        self.socket_mode_request_listeners = []
        self.message_workers = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="socket-mode")
        self.closed = False
        self.connect_operation_lock = threading.Lock()
        self._session: ClientConnection | None = None
        self._changed = threading.Event()
        self._processor = threading.Thread(target=self.process_messages, name="socket-mode-messages", daemon=True)
        self._processor.start()
        self._keeper: threading.Thread | None = None

    def is_connected(self) -> bool:
        session = self._session
        return session is not None and session.state is State.OPEN

    def connect(self) -> None:
        """Open a connection (with the URL issued last, else a new one), then close the old one."""
        url = self.wss_uri or self.issue_new_wss_url()
        self.wss_uri = None  # each URL is good for one connection
        session = connect(
            url,
            ping_interval=self.ping_interval,
            ping_timeout=PING_TIMEOUT,
            open_timeout=10,
            close_timeout=2,
            legacy=True,  # the connection itself, not a context manager: it outlives this call
        )
        old, self._session = self._session, session
        threading.Thread(target=self._receive, args=(session,), name="socket-mode-receive", daemon=True).start()
        if old is not None:
            old.close()
        if self._keeper is None:
            self._keeper = threading.Thread(target=self._keep_connected, name="socket-mode-keeper", daemon=True)
            self._keeper.start()
        self.logger.info("Socket Mode connection open")

    def disconnect(self) -> None:
        session = self._session
        if session is not None:
            session.close()

    def send_message(self, message: str) -> None:
        session = self._session
        if session is None:
            raise SlackClientNotConnectedError("no Socket Mode connection")
        try:
            session.send(message)
        except ConnectionClosed as error:
            raise SlackClientNotConnectedError("the Socket Mode connection closed") from error

    def close(self) -> None:
        self.closed = True
        self._changed.set()
        self.disconnect()
        self.message_workers.shutdown(wait=False)

    def _receive(self, session: ClientConnection) -> None:
        try:
            for message in session:
                self.enqueue_message(message if isinstance(message, str) else message.decode("utf-8", "replace"))
        except ConnectionClosed:
            pass
        if session is self._session and not self.closed:
            self.logger.info("Socket Mode connection lost; reconnecting")
            self._changed.set()

    def _keep_connected(self) -> None:
        """Replace a lost connection at once, then back off while Slack can't be reached."""
        failures = 0
        while not self.closed:
            self._changed.wait(self.ping_interval)
            self._changed.clear()
            while not self.closed and not self.is_connected():
                try:
                    self.connect_to_new_endpoint()
                    failures = 0
                except (OSError, SlackApiError, InvalidHandshake, TimeoutError) as error:
                    delay = RECONNECT_BACKOFF[min(failures, len(RECONNECT_BACKOFF) - 1)]
                    failures += 1
                    self.logger.warning("Socket Mode: cannot reconnect (%s); retrying in %ss", _why(error), delay)
                    time.sleep(delay)


class SocketModeHandler(BaseSocketModeHandler):
    """Bolt's handling of envelopes, over ``SocketModeClient``."""

    def __init__(self, app: App, app_token: str, *, concurrency: int, ping_interval: float = PING_INTERVAL) -> None:
        self.app = app
        self.client = SocketModeClient(app_token, app.client, concurrency=concurrency, ping_interval=ping_interval)
        self.client.socket_mode_request_listeners.append(self.handle)

    def handle(self, client: BaseSocketModeClient, req: SocketModeRequest) -> None:
        started = time.time()
        send_response(client, req, run_bolt_app(self.app, req), started)

    def connect(self) -> None:
        """Check the app token with ``apps.connections.open``, then connect: a refused token or an
        unreachable Slack stops start-up with one line."""
        try:
            self.client.wss_uri = self.client.web_client.apps_connections_open(app_token=self.client.app_token)["url"]
        except SlackApiError as error:
            raise SettingsError(
                f"SLACK_APP_TOKEN was refused by Slack ({error.response.get('error')}): generate an app-level "
                "token with the connections:write scope under Basic Information"
            ) from None
        try:
            self.client.connect()
        except (OSError, InvalidHandshake, TimeoutError) as error:
            raise SettingsError(f"SLACK_APP_TOKEN: cannot open the Socket Mode connection ({_why(error)})") from None

    def connected(self) -> bool:
        return self.client.is_connected()


def _why(error: BaseException) -> str:
    if isinstance(error, SlackApiError):
        return str(error.response.get("error"))
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
