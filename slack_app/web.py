"""The HTTP side: Slack's requests at POST /slack/events, a health check at GET /healthz."""

import json
import logging
import threading
from collections.abc import Callable, Iterable
from typing import Any

import waitress
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from waitress.server import BaseWSGIServer, MultiSocketServer

from db.queries import health
from db.session import database_reachable
from slack_app.services import Services

logger = logging.getLogger(__name__)

# Slack's largest payloads (a full modal's state) are far below this.
MAX_BODY_BYTES = 1024 * 1024

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def make_wsgi_app(app: App, services: Services) -> WSGIApp:
    slack = SlackRequestHandler(app, path="/slack/events")

    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "")
        if path == "/healthz" and method == "GET":
            status, body = health_report(services)
            return _json(start_response, status, body)
        if path == "/slack/events":
            if method != "POST":
                return _json(start_response, "405 Method Not Allowed", {"error": "POST only"})
            return slack(environ, start_response)
        return _json(start_response, "404 Not Found", {"error": "not found"})

    return wsgi


def health_report(services: Services) -> tuple[str, dict[str, Any]]:
    """Whether the database answers, which cases are held, and what Slack still owes."""
    if not database_reachable(services.engine):
        return "503 Service Unavailable", {"ok": False, "database": "unreachable"}
    with services.sessions.begin() as session:
        state = health(session)
    return "200 OK", {
        "ok": True,
        "database": "reachable",
        "held_cases": state.held_cases,
        "outbox": {"pending": state.outbox_pending, "failed": state.outbox_failed},
    }


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
        self.server.close()
        self._thread.join(5)
