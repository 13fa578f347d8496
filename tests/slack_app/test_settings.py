"""Settings are checked once at start-up: every problem is one line that names the setting."""

from datetime import timedelta
from pathlib import Path

import pytest

from db.crypto import generate_key
from slack_app.core.durations import parse_duration
from slack_app.core.settings import URGENT_HELP_DEFAULT, SettingsError, load_settings

BOT_TOKEN = "xoxb-1111-2222-abcdefABCDEF"
SIGNING_SECRET = "8f14e45fceea167a5a36dedd4bea2543"
KEY = generate_key()

MINIMAL = {
    "SLACK_BOT_TOKEN": BOT_TOKEN,
    "SLACK_SIGNING_SECRET": SIGNING_SECRET,
    "ORGANIZER_CHANNEL_ID": "C0ORGANIZE",
    "ENCRYPTION_KEY": KEY,
}


def env_with(**changes: str | None) -> dict[str, str]:
    """The minimal valid environment with ``changes`` applied (``None`` removes a setting)."""
    env = dict(MINIMAL)
    for name, value in changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def test_a_minimal_environment_loads_with_the_documented_defaults():
    settings = load_settings(dict(MINIMAL))

    assert settings.bot_token == BOT_TOKEN
    assert settings.signing_secret == SIGNING_SECRET
    assert settings.organizer_channel_id == "C0ORGANIZE"
    assert settings.slack_api_url == "https://slack.com/api/"
    assert settings.database_url == "sqlite:///speakout.db"
    assert settings.escalation_channel_id is None
    assert settings.app_token is None
    assert settings.coc_file is None
    assert settings.urgent_help_text == URGENT_HELP_DEFAULT
    assert settings.listener_threads == 32
    assert settings.outbox_poll_interval == timedelta(seconds=5)
    assert settings.report_words_in_thread is False  # words on demand


def test_every_optional_setting_is_read(tmp_path: Path):
    coc = tmp_path / "coc.md"
    coc.write_text("Be kind.\n")
    settings = load_settings(
        env_with(
            SLACK_APP_TOKEN="xapp-1-A0SPEAKOUT-1234-abcdef",
            SLACK_API_URL="http://127.0.0.1:8123/api",
            DATABASE_URL="postgresql+psycopg://speakout@db.internal/speakout",
            ESCALATION_CHANNEL_ID="G0ESCALATE",
            COC_FILE=str(coc),
            URGENT_HELP_TEXT="Call Sam on +1 555 0100.",
            LISTENER_THREADS="8",
            OUTBOX_POLL_INTERVAL="90s",
            REPORT_WORDS="in_thread",
        ),
        socket_mode=True,
    )

    assert settings.app_token == "xapp-1-A0SPEAKOUT-1234-abcdef"
    assert settings.slack_api_url == "http://127.0.0.1:8123/api/"  # the trailing slash is added
    assert settings.database_url == "postgresql+psycopg://speakout@db.internal/speakout"
    assert settings.escalation_channel_id == "G0ESCALATE"
    assert settings.coc_file == coc
    assert settings.urgent_help_text == "Call Sam on +1 555 0100."
    assert settings.listener_threads == 8
    assert settings.outbox_poll_interval == timedelta(seconds=90)
    assert settings.report_words_in_thread is True


def test_a_slack_api_url_that_already_ends_with_a_slash_is_kept_as_it_is():
    settings = load_settings(env_with(SLACK_API_URL="https://slack.com/api/"))
    assert settings.slack_api_url == "https://slack.com/api/"


def test_blank_optional_settings_fall_back_to_their_defaults():
    settings = load_settings(env_with(SLACK_API_URL="  ", DATABASE_URL="", ESCALATION_CHANNEL_ID=" "))
    assert settings.slack_api_url == "https://slack.com/api/"
    assert settings.database_url == "sqlite:///speakout.db"
    assert settings.escalation_channel_id is None


BAD_SETTINGS = [
    pytest.param("SLACK_BOT_TOKEN", env_with(SLACK_BOT_TOKEN=None), False, id="bot-token-missing"),
    pytest.param("SLACK_BOT_TOKEN", env_with(SLACK_BOT_TOKEN="   "), False, id="bot-token-blank"),
    pytest.param("SLACK_BOT_TOKEN", env_with(SLACK_BOT_TOKEN="xoxp-user-token-1234"), False, id="bot-token-not-xoxb"),
    pytest.param("SLACK_SIGNING_SECRET", env_with(SLACK_SIGNING_SECRET=None), False, id="secret-missing"),
    pytest.param("SLACK_SIGNING_SECRET", env_with(SLACK_SIGNING_SECRET="abc"), False, id="secret-too-short"),
    pytest.param(
        "SLACK_SIGNING_SECRET", env_with(SLACK_SIGNING_SECRET="8f14e45f ceea167a!"), False, id="secret-bad-characters"
    ),
    pytest.param("SLACK_APP_TOKEN", env_with(), True, id="app-token-missing-in-socket-mode"),
    pytest.param("SLACK_APP_TOKEN", env_with(SLACK_APP_TOKEN="xoxb-not-an-app-token"), False, id="app-token-not-xapp"),
    pytest.param(
        "SLACK_APP_TOKEN", env_with(SLACK_APP_TOKEN="xoxb-a-bot-token"), True, id="app-token-not-xapp-in-socket-mode"
    ),
    pytest.param(
        "SLACK_SIGNING_SECRET",
        env_with(SLACK_SIGNING_SECRET="abc", SLACK_APP_TOKEN="xapp-1-A1-1-x"),
        True,
        id="secret-given-but-malformed-in-socket-mode",
    ),
    pytest.param("SLACK_API_URL", env_with(SLACK_API_URL="ftp://slack.com/api/"), False, id="api-url-ftp"),
    pytest.param("SLACK_API_URL", env_with(SLACK_API_URL="slack.com/api"), False, id="api-url-no-scheme"),
    pytest.param("DATABASE_URL", env_with(DATABASE_URL="mysql://db/speakout"), False, id="database-url-mysql"),
    pytest.param("DATABASE_URL", env_with(DATABASE_URL="speakout.db"), False, id="database-url-a-path"),
    pytest.param("ORGANIZER_CHANNEL_ID", env_with(ORGANIZER_CHANNEL_ID=None), False, id="organizers-missing"),
    pytest.param(
        "ORGANIZER_CHANNEL_ID", env_with(ORGANIZER_CHANNEL_ID="#coc-organizers"), False, id="organizers-a-name"
    ),
    pytest.param(
        "ESCALATION_CHANNEL_ID", env_with(ESCALATION_CHANNEL_ID="#coc-escalation"), False, id="escalation-a-name"
    ),
    pytest.param(
        "ESCALATION_CHANNEL_ID", env_with(ESCALATION_CHANNEL_ID="C0ORGANIZE"), False, id="escalation-is-organizers"
    ),
    pytest.param("COC_FILE", env_with(COC_FILE="/nonexistent/speakout/coc.md"), False, id="coc-file-missing"),
    pytest.param("LISTENER_THREADS", env_with(LISTENER_THREADS="0"), False, id="listener-threads-zero"),
    pytest.param("LISTENER_THREADS", env_with(LISTENER_THREADS="abc"), False, id="listener-threads-abc"),
    pytest.param("OUTBOX_POLL_INTERVAL", env_with(OUTBOX_POLL_INTERVAL="5 minutes"), False, id="poll-interval-words"),
    pytest.param("REPORT_WORDS", env_with(REPORT_WORDS="thread"), False, id="report-words-unknown"),
]


def test_socket_mode_needs_no_signing_secret():
    # Nothing is signed in Socket Mode; over HTTP the secret stays required (secret-missing above).
    settings = load_settings(env_with(SLACK_SIGNING_SECRET=None, SLACK_APP_TOKEN="xapp-1-A1-1-x"), socket_mode=True)
    assert settings.signing_secret == "" and settings.app_token == "xapp-1-A1-1-x"


@pytest.mark.parametrize(("name", "env", "socket_mode"), BAD_SETTINGS)
def test_a_missing_or_malformed_setting_stops_with_one_line_naming_it(name: str, env: dict, socket_mode: bool):
    with pytest.raises(SettingsError) as raised:
        load_settings(env, socket_mode=socket_mode)

    message = str(raised.value)
    assert message.startswith(name), message
    assert len(message.splitlines()) == 1 and message.strip() == message, repr(message)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SLACK_BOT_TOKEN", "xoxp-9999-secret-user-token"),
        ("SLACK_SIGNING_SECRET", "not a secret!"),
        ("SLACK_APP_TOKEN", "xoxe-9999-secret-refresh-token"),
    ],
)
def test_a_rejected_credential_is_not_echoed_back(name: str, value: str):
    with pytest.raises(SettingsError) as raised:
        load_settings(env_with(**{name: value}))
    assert str(raised.value).startswith(name)
    assert value not in str(raised.value)


def test_coc_file_must_be_a_file_not_a_directory(tmp_path: Path):
    with pytest.raises(SettingsError) as raised:
        load_settings(env_with(COC_FILE=str(tmp_path)))
    assert str(raised.value).startswith("COC_FILE")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90s", timedelta(seconds=90)),
        ("30m", timedelta(minutes=30)),
        ("2h", timedelta(hours=2)),
        ("3d", timedelta(days=3)),
        ("0", timedelta(0)),
    ],
)
def test_parse_duration_reads_seconds_minutes_hours_days_and_zero(text: str, expected: timedelta):
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["5", "1w", "-1m", "", "m", "1.5h"])
def test_parse_duration_rejects_anything_else_naming_the_text(text: str):
    with pytest.raises(ValueError) as raised:
        parse_duration(text)
    assert repr(text) in str(raised.value)
