"""``speakout serve`` as a real process: health check, signed Slack requests, and a clean stop."""

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path
from urllib.error import HTTPError, URLError
from urllib.parse import quote_plus, urlencode

from slack_app.sandbox.stand_in import SlackRequests, SlackStandIn
from tests.conftest import TEST_ENCRYPTION_KEY
from tests.e2e.helpers import eventually

ORGANIZERS = "C0ORGANIZE"
ALEX = "U0PARTIC01"
COMMAND_TEXT = "the man in the green hoodie keeps filming me at the coffee stand"
# Sent with a wrong signature, as Slack's own requests look when the server's clock is off.
FORGED_TEXT = "she cornered me by the cloakroom after the party"

SETTING_PREFIXES = ("SLACK_", "ORGANIZER_", "ESCALATION_")
SETTING_NAMES = {
    "DATABASE_URL",
    "COC_FILE",
    "LISTENER_THREADS",
    "OUTBOX_POLL_INTERVAL",
    "URGENT_HELP_TEXT",
    "PORT",
    "LOG_LEVEL",
    "SPEAKOUT_ENV_FILE",
}

# Loopback requests must never go through a proxy from the environment.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def clean_env(tmp_path: Path, **settings: str) -> dict[str, str]:
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(SETTING_PREFIXES) and name not in SETTING_NAMES and "proxy" not in name.lower()
    }
    env["SPEAKOUT_ENV_FILE"] = str(tmp_path / "no-such.env")
    env.update(settings)
    return env


def get(url: str) -> tuple[int, str]:
    try:
        with _opener.open(url, timeout=5) as answer:
            return answer.status, answer.read().decode()
    except HTTPError as error:
        return error.code, error.read().decode()


def read_logs(*paths: Path) -> str:
    return "".join(path.read_text(errors="replace") for path in paths if path.exists())


def wait_until_healthy(process: subprocess.Popen, port: int, logs: tuple[Path, ...]) -> dict:
    def healthy() -> dict | None:
        if process.poll() is not None:
            raise AssertionError(f"speakout serve exited with {process.returncode}:\n{read_logs(*logs)}")
        try:
            status, body = get(f"http://127.0.0.1:{port}/healthz")
        except (URLError, ConnectionError, TimeoutError):
            return None  # not listening yet
        return json.loads(body) if status == 200 else None

    return eventually(healthy, timeout=60, what="GET /healthz to answer 200")


def terminate(process: subprocess.Popen) -> int | None:
    """SIGTERM and wait; returns the exit code, or ``None`` when it had to be killed."""
    if process.poll() is not None:
        return process.returncode
    process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=20)
        return None


def test_speakout_serve_answers_health_checks_and_signed_slack_requests(database_url, clean_db, tmp_path: Path):
    url = database_url if database_url.startswith("postgresql") else f"sqlite:///{tmp_path / 'serve.db'}"
    secret = secrets.token_hex(16)
    port = free_port()
    stdout_path, stderr_path = tmp_path / "serve.stdout", tmp_path / "serve.stderr"

    with SlackStandIn() as stand_in:
        stand_in.add_user(ALEX, "alex")
        stand_in.add_user("U0ORGANIZ1", "olivia")
        stand_in.add_user("U0ORGANIZ2", "omar")
        stand_in.add_channel(ORGANIZERS, "coc-organizers", members=["U0ORGANIZ1", "U0ORGANIZ2"])
        env = clean_env(
            tmp_path,
            SLACK_BOT_TOKEN=stand_in.bot_token,
            SLACK_SIGNING_SECRET=secret,
            SLACK_API_URL=stand_in.url,
            DATABASE_URL=url,
            ORGANIZER_CHANNEL_ID=ORGANIZERS,
            ENCRYPTION_KEY=TEST_ENCRYPTION_KEY,
            # The most talkative level: report text must stay out of the logs even here.
            LOG_LEVEL="DEBUG",
        )
        command = [sys.executable, "-m", "slack_app", "serve", "--host", "127.0.0.1", "--port", str(port)]
        with stdout_path.open("wb") as stdout, stderr_path.open("wb") as stderr:
            process = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=stdout, stderr=stderr)
        try:
            health = wait_until_healthy(process, port, (stdout_path, stderr_path))
            assert health["ok"] is True and health["database"] == "reachable"
            assert stand_in.calls_to("auth.test"), "serve checks the token with Slack at start-up"

            slack = SlackRequests(f"http://127.0.0.1:{port}/slack/events", secret, stand_in)
            answer = slack.slash_command(ALEX, "/report", text=COMMAND_TEXT)
            assert answer.status == 200
            view = stand_in.wait_for(lambda: stand_in.open_view(ALEX), timeout=10, what="the report modal")
            assert view["title"]["text"] == "Report a concern"
            (opened,) = stand_in.calls_to("views.open")
            assert opened.params["view"]["callback_id"] == "report_modal"
            assert stand_in.messages() == []  # a modal, never a message anyone else could see

            forged_body = urlencode({"command": "/report", "user_id": ALEX, "text": FORGED_TEXT})
            forged = slack.post(forged_body, secret="not-the-signing-secret")
            assert forged.status == 401
            assert len(stand_in.calls_to("views.open")) == 1

            assert get(f"http://127.0.0.1:{port}/slack/events")[0] == 405
            assert get(f"http://127.0.0.1:{port}/nope")[0] == 404
        finally:
            exit_code = terminate(process)

    logs = read_logs(stdout_path, stderr_path)
    assert exit_code == 0, f"SIGTERM should stop speakout cleanly; it exited with {exit_code}:\n{logs}"
    assert f"listening on http://127.0.0.1:{port}/slack/events" in logs  # the logs were captured
    for text in (COMMAND_TEXT, FORGED_TEXT):
        assert text not in logs and quote_plus(text) not in logs, f"report text in the logs:\n{logs}"


def socket_mode_env(tmp_path: Path, stand_in: SlackStandIn, database_url: str, **settings: str) -> dict[str, str]:
    url = database_url if database_url.startswith("postgresql") else f"sqlite:///{tmp_path / 'serve.db'}"
    defaults = {
        "SLACK_BOT_TOKEN": stand_in.bot_token,
        "SLACK_SIGNING_SECRET": secrets.token_hex(16),
        "SLACK_APP_TOKEN": stand_in.app_token,
        "SLACK_API_URL": stand_in.url,
        "DATABASE_URL": url,
        "ORGANIZER_CHANNEL_ID": ORGANIZERS,
        "ENCRYPTION_KEY": TEST_ENCRYPTION_KEY,
    }
    return clean_env(tmp_path, **{**defaults, **settings})


def test_speakout_serve_in_socket_mode_takes_requests_over_the_socket_and_says_so_in_healthz(
    database_url, clean_db, tmp_path: Path
):
    port = free_port()
    logs = (tmp_path / "serve.stdout", tmp_path / "serve.stderr")
    with SlackStandIn() as stand_in:
        stand_in.add_user(ALEX, "alex")
        stand_in.add_channel(ORGANIZERS, "coc-organizers", members=["U0ORGANIZ1"])
        env = socket_mode_env(tmp_path, stand_in, database_url, LOG_LEVEL="DEBUG")
        command = [sys.executable, "-m", "slack_app", "serve", "--socket-mode", "--host", "127.0.0.1"]
        with logs[0].open("wb") as stdout, logs[1].open("wb") as stderr:
            process = subprocess.Popen(
                [*command, "--port", str(port)], cwd=tmp_path, env=env, stdout=stdout, stderr=stderr
            )
        try:
            health = wait_until_healthy(process, port, logs)
            assert health["socket_mode"] == "connected" and health["ok"] is True
            slack = SlackRequests("", "", stand_in, socket_mode=True)
            assert slack.slash_command(ALEX, "/report", text=COMMAND_TEXT).status == 200
            view = stand_in.wait_for(lambda: stand_in.open_view(ALEX), timeout=10, what="the report modal")
            assert view["title"]["text"] == "Report a concern"
            # Slack's requests come over the socket: the port serves the health check only.
            assert get(f"http://127.0.0.1:{port}/slack/events")[0] == 404

            # Slack having trouble: connections dropped, new ones refused. Health says so.
            stand_in.socket_mode.refuse_connections()
            stand_in.socket_mode.drop()
            eventually(
                lambda: get(f"http://127.0.0.1:{port}/healthz")[0] == 503,
                what="/healthz to say the socket is disconnected",
            )
            status, body = get(f"http://127.0.0.1:{port}/healthz")
            assert status == 503 and json.loads(body)["socket_mode"] == "disconnected"
            stand_in.socket_mode.refuse_connections(False)
            health = wait_until_healthy(process, port, logs)
            assert health["socket_mode"] == "connected"
            assert slack.slash_command(ALEX, "/report").status == 200
        finally:
            exit_code = terminate(process)

    output = read_logs(*logs)
    assert exit_code == 0, f"SIGTERM should stop speakout cleanly; it exited with {exit_code}:\n{output}"
    assert "connected to Slack over Socket Mode" in output
    assert COMMAND_TEXT not in output and stand_in.app_token not in output


def test_an_app_token_slack_refuses_stops_socket_mode_with_one_line_naming_it(database_url, clean_db, tmp_path):
    with SlackStandIn() as stand_in:
        env = socket_mode_env(tmp_path, stand_in, database_url, SLACK_APP_TOKEN="xapp-1-A0REVOKED-1-no-longer")
        result = subprocess.run(
            [sys.executable, "-m", "slack_app", "serve", "--socket-mode", "--port", str(free_port())],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("speakout: SLACK_APP_TOKEN was refused by Slack (invalid_auth)")
    assert "xapp-1-A0REVOKED" not in result.stderr
