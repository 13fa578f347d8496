"""``speakout serve`` processes to kill and restart, and a tap that sees Web API calls arrive.

The stand-in records a call once it has answered it (``SlackStandIn.calls``), so a call it is
holding back with ``fail(..., delay=...)`` is invisible there until it completes. ``WebApiTap``
sits between the app and the stand-in and notes each call the moment the app sends it: that
is when a message is "in flight".
"""

import http.client
import secrets
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from slack_app.sandbox.stand_in import SlackRequests, SlackStandIn
from slack_app.sandbox.stand_in.server import parse_params
from tests.e2e.test_serve_process import clean_env, free_port, read_logs, terminate, wait_until_healthy

# -- the tap ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Arrival:
    method: str
    params: dict[str, Any]


class WebApiTap:
    """A loopback relay to ``stand_in``: point the app's SLACK_API_URL at ``tap.url``."""

    def __init__(self, stand_in: SlackStandIn):
        self.stand_in = stand_in
        self._arrivals: list[Arrival] = []
        self._changed = threading.Condition()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _relay(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="web-api-tap", daemon=True)

    def __enter__(self) -> "WebApiTap":
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/api/"

    def note(self, arrival: Arrival) -> None:
        with self._changed:
            self._arrivals.append(arrival)
            self._changed.notify_all()

    def wait_for(self, predicate: Callable[[Arrival], bool], timeout: float, what: str) -> Arrival:
        """The first call, arrived or arriving within ``timeout``, that ``predicate`` accepts."""

        def found() -> Arrival | None:
            return next((arrival for arrival in self._arrivals if predicate(arrival)), None)

        with self._changed:
            arrival = self._changed.wait_for(found, timeout)
        if arrival is None:
            raise TimeoutError(f"timed out after {timeout}s waiting for {what} to reach Slack")
        return arrival


def _relay(tap: WebApiTap) -> type[BaseHTTPRequestHandler]:
    class Relay(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            content_type = self.headers.get("Content-Type", "")
            path, _, query = self.path.partition("?")
            params, _problem = parse_params(content_type, body, query)
            tap.note(Arrival(path.removeprefix("/api/"), params))
            headers = {name: self.headers[name] for name in ("Content-Type", "Authorization") if self.headers[name]}
            upstream = http.client.HTTPConnection("127.0.0.1", tap.stand_in.port, timeout=60)
            try:
                upstream.request(self.command, self.path, body, headers)
                answer = upstream.getresponse()
                status, answer_headers, answer_body = answer.status, answer.getheaders(), answer.read()
            except (OSError, http.client.HTTPException):
                self.close_connection = True  # the stand-in dropped it: so do we
                return
            finally:
                upstream.close()
            try:
                self.send_response(status)
                for name, value in answer_headers:
                    if name.lower() in ("content-type", "retry-after"):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer_body)))
                self.end_headers()
                self.wfile.write(answer_body)
            except OSError:
                pass  # the app died while Slack was answering: the case these tests are about

        do_GET = do_POST  # slack_sdk reads conversations.history / .replies with GET

        def log_message(self, *_args: Any) -> None:
            pass

    return Relay


# -- speakout serve -----------------------------------------------------------------------------

QUIET_REMINDERS = {
    "REMIND_ACK_AFTER": "0",
    "REMIND_ACK_URGENT_AFTER": "0",
    "REMIND_STALE_AFTER": "0",
    "REPORTER_UPDATE_AFTER": "0",
}


def serve_env(
    directory: Path, stand_in: SlackStandIn, api_url: str, database_url: str, **settings: str
) -> dict[str, str]:
    """Settings for a process talking to ``stand_in`` at ``api_url``, with no reminders."""
    return clean_env(
        directory,
        SLACK_BOT_TOKEN=stand_in.bot_token,
        SLACK_SIGNING_SECRET=secrets.token_hex(16),
        SLACK_API_URL=api_url,
        DATABASE_URL=database_url,
        OUTBOX_POLL_INTERVAL="1s",
        LOG_LEVEL="INFO",
        **QUIET_REMINDERS,
        **settings,
    )


class Serve:
    """One ``python -m slack_app serve`` on a port of its own, logging to files in ``directory``."""

    def __init__(self, directory: Path, name: str, env: dict[str, str], stand_in: SlackStandIn):
        self.name = name
        self.port = free_port()
        self.logs = (directory / f"{name}.stdout", directory / f"{name}.stderr")
        command = [sys.executable, "-m", "slack_app", "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        with self.logs[0].open("wb") as stdout, self.logs[1].open("wb") as stderr:
            self.process = subprocess.Popen(command, cwd=directory, env=env, stdout=stdout, stderr=stderr)
        self.slack = SlackRequests(f"http://127.0.0.1:{self.port}/slack/events", env["SLACK_SIGNING_SECRET"], stand_in)

    def wait_until_healthy(self) -> "Serve":
        wait_until_healthy(self.process, self.port, self.logs)
        return self

    def kill(self) -> None:
        """``kill -9``: no shutdown code runs, as when the machine or the container dies."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)
        assert self.process.returncode == -signal.SIGKILL, self.output()

    def stop(self) -> int | None:
        return terminate(self.process)

    def output(self) -> str:
        return read_logs(*self.logs)
