"""The ``speakout`` command as an admin runs it: a real process, its exit code and its words."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from db.crypto import generate_key

BOT_TOKEN = "xoxb-1111-2222-abcdefABCDEF"
SIGNING_SECRET = "8f14e45fceea167a5a36dedd4bea2543"

# Settings the developer's own shell might carry; none of them may leak into these runs.
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


def clean_env(tmp_path: Path, **settings: str) -> dict[str, str]:
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(SETTING_PREFIXES) and name not in SETTING_NAMES
    }
    env["SPEAKOUT_ENV_FILE"] = str(tmp_path / "no-such.env")
    env.update(settings)
    return env


def speakout(tmp_path: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "slack_app", *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def one_line(stderr: str) -> str:
    lines = stderr.splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got:\n{stderr}"
    return lines[0]


def test_serve_without_settings_stops_with_one_line_naming_the_bot_token(tmp_path: Path):
    result = speakout(tmp_path, "serve", env=clean_env(tmp_path))

    assert result.returncode == 2
    assert one_line(result.stderr).startswith("speakout: SLACK_BOT_TOKEN")


def test_socket_mode_without_an_app_token_names_slack_app_token(tmp_path: Path):
    env = clean_env(
        tmp_path,
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        ORGANIZER_CHANNEL_ID="C0ORGANIZE",
    )
    result = speakout(tmp_path, "serve", "--socket-mode", env=env)

    assert result.returncode == 2
    assert one_line(result.stderr).startswith("speakout: SLACK_APP_TOKEN")


def test_db_upgrade_creates_the_tables(tmp_path: Path):
    database = tmp_path / "x.db"
    env = clean_env(tmp_path, DATABASE_URL=f"sqlite:///{database}")

    result = speakout(tmp_path, "db", "upgrade", env=env)

    assert result.returncode == 0, result.stderr
    assert "Database is up to date" in result.stdout
    with sqlite3.connect(database) as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "cases" in tables
    # Running it again on an up-to-date database is harmless.
    again = speakout(tmp_path, "db", "upgrade", env=env)
    assert again.returncode == 0, again.stderr


def test_settings_are_read_from_the_env_file(tmp_path: Path):
    env_file = tmp_path / "speakout.env"
    env_file.write_text(
        f"SLACK_BOT_TOKEN={BOT_TOKEN}\n"
        f"SLACK_SIGNING_SECRET={SIGNING_SECRET}\n"
        f"DATABASE_URL=sqlite:///{tmp_path / 'env.db'}\n"
        "ORGANIZER_CHANNEL_ID=#coc-organizers\n"
        f"ENCRYPTION_KEY={generate_key()}\n"
    )
    env = clean_env(tmp_path, SPEAKOUT_ENV_FILE=str(env_file))

    result = speakout(tmp_path, "serve", env=env)

    # Without the file the first complaint would be SLACK_BOT_TOKEN.
    assert result.returncode == 2
    assert one_line(result.stderr).startswith("speakout: ORGANIZER_CHANNEL_ID")
    assert not (tmp_path / "env.db").exists()  # it stopped before touching the database
