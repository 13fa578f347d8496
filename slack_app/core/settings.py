"""Configuration from the environment (and a ``.env`` file), checked once at start-up.

Every problem becomes a ``SettingsError`` whose message is one line naming the setting,
so ``speakout`` can stop with that line instead of a traceback.
"""

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse

from cryptography.fernet import Fernet

from slack_app.core.durations import parse_duration
from workflows.reminders import ReminderPolicy

SLACK_API_DEFAULT = "https://slack.com/api/"
DATABASE_DEFAULT = "sqlite:///speakout.db"
URGENT_HELP_DEFAULT = (
    "If you are in danger right now, call your local emergency number. "
    "You can also find an organizer at the registration desk, or reply here and we will come to you."
)

_CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{6,}$")


class SettingsError(Exception):
    """A setting is missing or malformed; ``str(error)`` is the one line to show."""


@dataclass(frozen=True)
class Settings:
    bot_token: str
    signing_secret: str
    organizer_channel_id: str
    escalation_channel_id: str | None = None
    app_token: str | None = None
    slack_api_url: str = SLACK_API_DEFAULT
    database_url: str = DATABASE_DEFAULT
    urgent_help_text: str = URGENT_HELP_DEFAULT
    coc_file: Path | None = None
    listener_threads: int = 32
    outbox_poll_interval: timedelta = timedelta(seconds=5)
    reminders: ReminderPolicy = field(default_factory=ReminderPolicy)
    encryption_keys: tuple[str, ...] = ()
    retention: timedelta = timedelta(days=365)
    outbox_give_up_after: timedelta = timedelta(days=1)
    scheduler_standby_retry: timedelta = timedelta(seconds=10)
    # REPORT_WORDS=in_thread: the report's words and names as the first reply in the case thread
    # (read by everyone in the channel, now and later) rather than on demand.
    report_words_in_thread: bool = False


def load_settings(env: Mapping[str, str] | None = None, *, socket_mode: bool = False) -> Settings:
    """Read and check every setting; raise ``SettingsError`` naming the first bad one."""
    env = os.environ if env is None else env

    def get(name: str) -> str | None:
        value = env.get(name, "").strip()
        return value or None

    def required(name: str, hint: str) -> str:
        value = get(name)
        if value is None:
            raise SettingsError(f"{name} is not set: {hint}")
        return value

    bot_token = required("SLACK_BOT_TOKEN", "the bot token (xoxb-...) from your Slack app's OAuth page")
    if not bot_token.startswith("xoxb-"):
        raise SettingsError("SLACK_BOT_TOKEN must be a bot token starting with xoxb-")
    # Nothing is signed in Socket Mode: the socket itself is authenticated by the app token.
    signing_secret = get("SLACK_SIGNING_SECRET") or ""
    if not socket_mode:
        signing_secret = required("SLACK_SIGNING_SECRET", "the signing secret from your Slack app's Basic Information")
    if (signing_secret or not socket_mode) and not re.fullmatch(r"[0-9A-Za-z_-]{8,}", signing_secret):
        raise SettingsError("SLACK_SIGNING_SECRET looks malformed: copy it again from Basic Information")

    app_token = get("SLACK_APP_TOKEN")
    if socket_mode and app_token is None:
        raise SettingsError("SLACK_APP_TOKEN is not set: Socket Mode needs an app-level token (xapp-...)")
    if app_token is not None and not app_token.startswith("xapp-"):
        raise SettingsError("SLACK_APP_TOKEN must be an app-level token starting with xapp-")

    api_url = get("SLACK_API_URL") or SLACK_API_DEFAULT
    parsed = urlparse(api_url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise SettingsError("SLACK_API_URL must be an http(s) URL such as https://slack.com/api/")
    if not api_url.endswith("/"):
        api_url += "/"

    database_url = get("DATABASE_URL") or DATABASE_DEFAULT
    if not re.match(r"^(sqlite|postgresql)(\+\w+)?://", database_url):
        raise SettingsError("DATABASE_URL must start with sqlite:/// or postgresql+psycopg://")

    organizers = required("ORGANIZER_CHANNEL_ID", "the id (C...) of the private organizers' channel")
    if not _CHANNEL_ID.match(organizers):
        raise SettingsError("ORGANIZER_CHANNEL_ID must be a channel id like C0123ABCD, not a channel name")
    escalation = get("ESCALATION_CHANNEL_ID")
    if escalation is not None and not _CHANNEL_ID.match(escalation):
        raise SettingsError("ESCALATION_CHANNEL_ID must be a channel id like C0123ABCD, not a channel name")
    if escalation == organizers:
        raise SettingsError("ESCALATION_CHANNEL_ID must be a different channel from ORGANIZER_CHANNEL_ID")

    coc_file = get("COC_FILE")
    coc_path = Path(coc_file) if coc_file else None
    if coc_path is not None and not coc_path.is_file():
        raise SettingsError(f"COC_FILE points to {coc_file}, which is not a readable file")

    report_words = (get("REPORT_WORDS") or "on_demand").lower()
    if report_words not in ("on_demand", "in_thread"):
        raise SettingsError(f"REPORT_WORDS must be on_demand (the default) or in_thread, not {report_words!r}")

    return Settings(
        report_words_in_thread=report_words == "in_thread",
        encryption_keys=encryption_keys(get("ENCRYPTION_KEY")),
        bot_token=bot_token,
        signing_secret=signing_secret,
        app_token=app_token,
        slack_api_url=api_url,
        database_url=database_url,
        organizer_channel_id=organizers,
        escalation_channel_id=escalation,
        urgent_help_text=get("URGENT_HELP_TEXT") or URGENT_HELP_DEFAULT,
        coc_file=coc_path,
        listener_threads=_positive_int(get("LISTENER_THREADS"), "LISTENER_THREADS", 32),
        outbox_poll_interval=_positive_duration(get("OUTBOX_POLL_INTERVAL"), "OUTBOX_POLL_INTERVAL", "5s"),
        reminders=ReminderPolicy(
            ack_after=_duration(get("REMIND_ACK_AFTER"), "REMIND_ACK_AFTER", "30m"),
            ack_urgent_after=_duration(get("REMIND_ACK_URGENT_AFTER"), "REMIND_ACK_URGENT_AFTER", "5m"),
            stale_after=_duration(get("REMIND_STALE_AFTER"), "REMIND_STALE_AFTER", "2d"),
            reporter_update_after=_duration(get("REPORTER_UPDATE_AFTER"), "REPORTER_UPDATE_AFTER", "3d"),
            grace=_positive_duration(get("REMINDER_GRACE"), "REMINDER_GRACE", "1d"),
        ),
        retention=timedelta(days=_whole_number(get("RETENTION_DAYS"), "RETENTION_DAYS", 365)),
        outbox_give_up_after=_positive_duration(get("OUTBOX_GIVE_UP_AFTER"), "OUTBOX_GIVE_UP_AFTER", "1d"),
        scheduler_standby_retry=_positive_duration(get("SCHEDULER_STANDBY_RETRY"), "SCHEDULER_STANDBY_RETRY", "10s"),
    )


GENERATE_KEY_HINT = "generate one with `speakout keys generate` and keep it safe: reports can't be read without it"


def encryption_keys(value: str | None) -> tuple[str, ...]:
    """ENCRYPTION_KEY: one Fernet key, or several separated by commas, newest first."""
    if value is None:
        raise SettingsError(f"ENCRYPTION_KEY is not set: {GENERATE_KEY_HINT}")
    keys = tuple(key.strip() for key in value.split(",") if key.strip())
    for key in keys:
        try:
            Fernet(key.encode())
        except (ValueError, TypeError):
            raise SettingsError(f"ENCRYPTION_KEY holds a malformed key: {GENERATE_KEY_HINT}") from None
    if not keys:
        raise SettingsError(f"ENCRYPTION_KEY is empty: {GENERATE_KEY_HINT}")
    return keys


def _whole_number(value: str | None, name: str, default: int) -> int:
    if value is None:
        return default
    if not re.fullmatch(r"[0-9]+", value):
        raise SettingsError(f"{name} must be a whole number of days (0 keeps cases forever), not {value!r}")
    return int(value)


def _positive_int(value: str | None, name: str, default: int) -> int:
    if value is None:
        return default
    if not re.fullmatch(r"[0-9]+", value) or int(value) < 1:
        raise SettingsError(f"{name} must be a whole number of at least 1, not {value!r}")
    return int(value)


def _duration(value: str | None, name: str, default: str) -> timedelta:
    try:
        return parse_duration(value or default)
    except ValueError as error:
        raise SettingsError(f"{name}: {error}") from None


def _positive_duration(value: str | None, name: str, default: str) -> timedelta:
    duration = _duration(value, name, default)
    if duration <= timedelta(0):
        raise SettingsError(f"{name} must be longer than 0, for example {default}")
    return duration
