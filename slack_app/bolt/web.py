"""The HTTP side: Slack's requests at POST /slack/events, a health check at GET /healthz."""

import json
import logging
import threading
from collections.abc import Callable, Iterable
from typing import Any

import waitress
from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.adapter.wsgi.http_response import WsgiHttpResponse
from slack_sdk.signature import SignatureVerifier
from waitress.server import BaseWSGIServer, MultiSocketServer

from db.health_queries import health
from db.session import database_reachable
from slack_app.core.services import Services

logger = logging.getLogger(__name__)

# Slack's largest payloads (a full modal's state) are far below this.
MAX_BODY_BYTES = 1024 * 1024

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def make_wsgi_app(app: App, services: Services) -> WSGIApp:
    verifier = SignatureVerifier(services.settings.signing_secret)

    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "")
        if path == "/healthz" and method == "GET":
            status, body = health_report(services)
            return _json(start_response, status, body)
        if path == "/slack/events":
            if method != "POST":
                return _json(start_response, "405 Method Not Allowed", {"error": "POST only"})
            return _slack(start_response, slack_events(app, verifier, environ))
        return _json(start_response, "404 Not Found", {"error": "not found"})

    return wsgi


def make_socket_mode_wsgi_app(services: Services, connected: Callable[[], bool]) -> WSGIApp:
    """Socket Mode's HTTP side: Slack's requests come over the socket, so only ``GET /healthz``,
    which also says whether the socket is connected."""

    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO", "") == "/healthz" and environ.get("REQUEST_METHOD", "") == "GET":
            status, body = health_report(services, socket_connected=connected())
            return _json(start_response, status, body)
        return _json(start_response, "404 Not Found", {"error": "not found"})

    return wsgi


def slack_events(app: App, verifier: SignatureVerifier, environ: dict[str, Any]) -> BoltResponse:
    """Verify the raw body's signature, then let Bolt parse and dispatch it.

    Nothing is parsed before the signature holds. A signed body that Bolt can't parse, or
    that breaks something on the way to a listener, gets a 400: never a 500, and never a
    log line with the body in it (it may hold a report).
    """
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return BoltResponse(status=400, body="")
    if length > MAX_BODY_BYTES:  # waitress refuses these first; this is for any other server
        return BoltResponse(status=413, body="")
    raw = environ["wsgi.input"].read(length) if length > 0 else b""
    headers = {name[5:].lower().replace("_", "-"): value for name, value in environ.items() if name.startswith("HTTP_")}
    if not _signed(verifier, raw, headers):
        return BoltResponse(status=401, body="")
    headers["content-type"] = environ.get("CONTENT_TYPE", "")
    try:
        request = BoltRequest(body=raw.decode("utf-8"), query=environ.get("QUERY_STRING", ""), headers=headers)
        return app.dispatch(request)
    except Exception as error:
        logger.warning("refused a Slack request Bolt could not read: %s", type(error).__name__)
        return BoltResponse(status=400, body="")


def _signed(verifier: SignatureVerifier, raw: bytes, headers: dict[str, str]) -> bool:
    timestamp, signature = headers.get("x-slack-request-timestamp"), headers.get("x-slack-signature")
    try:
        return verifier.is_valid(raw, timestamp, signature)
    except (ValueError, TypeError):  # a timestamp that isn't a number, a body that isn't UTF-8, ...
        return False


def health_report(services: Services, *, socket_connected: bool | None = None) -> tuple[str, dict[str, Any]]:
    """Whether the database answers, which cases are held, which reports could not yet be
    opened as cases, and what Slack still owes; in Socket Mode, whether the socket is connected
    (while it isn't, nothing reaches the app: "ok" is false)."""
    socket = {} if socket_connected is None else {"socket_mode": "connected" if socket_connected else "disconnected"}
    if not database_reachable(services.engine):
        return "503 Service Unavailable", {"ok": False, "database": "unreachable", **socket}
    with services.sessions.begin() as session:
        state = health(session)
    ok = socket_connected is not False
    return ("200 OK" if ok else "503 Service Unavailable"), {
        "ok": ok,
        **socket,
        "database": "reachable",
        "held_cases": state.held_cases,
        "outbox": {"pending": state.outbox_pending, "failed": state.outbox_failed},
        "received_reports": {"waiting": state.reports_waiting, "failing": state.reports_failing},
        # What Slack refuses (the token, or channels): the app itself is fine, and restarting
        # it fixes nothing, so "ok" stays true; monitor "slack.paused" and "slack.channels".
        "slack": services.outbox.slack_status(),
    }


def _slack(start_response: Callable[..., Any], response: BoltResponse) -> Iterable[bytes]:
    answer = WsgiHttpResponse(status=response.status, headers=response.headers, body=response.body)
    start_response(answer.status, answer.get_headers())
    return answer.get_body()


def _json(start_response: Callable[..., Any], status: str, body: dict[str, Any]) -> list[bytes]:
    data = json.dumps(body).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    return [data]


def create_server(wsgi: WSGIApp, host: str, port: int, *, threads: int = 16) -> BaseWSGIServer | MultiSocketServer:
    """A waitress server (production-grade, pure Python); ``port=0`` picks a free one."""
    return waitress.create_server(
        wsgi,
        host=host,
        port=port,
        threads=threads,
        max_request_body_size=MAX_BODY_BYTES,
        ident="speakout",
        clear_untrusted_proxy_headers=True,
    )


class BackgroundServer:
    """Runs a waitress server in a thread (the demo and the tests use it on loopback)."""

    def __init__(self, wsgi: WSGIApp, host: str = "127.0.0.1", port: int = 0):
        self.server = create_server(wsgi, host, port)
        self.port = self.server.effective_port
        self.url = f"http://{host}:{self.port}"
        self._thread = threading.Thread(target=self.server.run, name="speakout-http", daemon=True)

    def start(self) -> "BackgroundServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        # The loop closes its own wake-up pipe on an error reading it; its fd may be another
        # file's by now, so it is not written to then.
        trigger = getattr(self.server, "trigger", None)
        if (
            isinstance(self.server, BaseWSGIServer)
            and self._thread.is_alive()
            and not getattr(trigger, "_closed", True)
        ):
            # Close from waitress's own loop: closed from this thread, its sockets would be
            # pulled out from under select() and the loop thread would die with EBADF.
            try:
                trigger.pull_trigger(self.server.close)
            except OSError:
                self.server.close()
        else:
            self.server.close()
        self._thread.join(5)
