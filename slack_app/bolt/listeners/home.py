"""The App Home tab, published each time someone opens it."""

import logging
import threading
from datetime import timedelta
from pathlib import Path

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from db.health_queries import failed_deliveries
from db.home_queries import open_cases_for, own_reports
from slack_app.bolt.bind import bind
from slack_app.core.directory import MembersCache
from slack_app.core.services import Services
from slack_app.core.settings import Settings
from slack_app.views.home import coc_sections, organizer_home, participant_home

logger = logging.getLogger(__name__)

COC_DEFAULT = Path(__file__).resolve().parents[2] / "views" / "coc_default.md"

# The workspace's URL (from auth.test) never changes while the app runs: asked once per
# process and Web API, and only remembered once Slack has answered.
_workspace_urls: dict[str, str] = {}
_workspace_lock = threading.Lock()


def register(app: App, services: Services) -> None:
    # Read once at start-up: a missing COC_FILE stops `speakout` there, not on a Home tab.
    coc = coc_sections(_coc_markdown(services.settings))
    # Membership for rendering only, reused a few seconds (see slack_app.core.directory).
    members = MembersCache()
    app.event("app_home_opened")(bind(publish_home, services=services, coc=coc, members=members))


def publish_home(
    event: dict, client: WebClient, *, services: Services, coc: tuple[str, ...], members: MembersCache
) -> None:
    user_id = event.get("user")
    if event.get("tab") != "home" or not isinstance(user_id, str):
        return
    channels = _organizer_channels(client, services.settings, user_id, members)
    now = services.clock()
    with services.sessions.begin() as session:
        own = own_reports(session, reporter_id=user_id)
        cases = open_cases_for(session, viewer_id=user_id, channel_ids=channels) if channels else None
        failed = failed_deliveries(session, channels) if channels else ([], 0)
    if cases is None:
        view = participant_home(own, coc)
    else:
        view = organizer_home(
            cases,
            own,
            now=now,
            workspace_url=workspace_url(client),
            ack_overdue_after=services.settings.reminders.ack_after or timedelta(minutes=30),
            failed=failed,
        )
    try:
        client.views_publish(user_id=user_id, view=view)
    except SlackApiError as error:
        # Not retried: the next app_home_opened publishes again. Logged without the view.
        logger.warning("the Home tab was not published: Slack answered %s", error.response.get("error"))


def _coc_markdown(settings: Settings) -> str:
    return (settings.coc_file or COC_DEFAULT).read_text(encoding="utf-8")


def _organizer_channels(client: WebClient, settings: Settings, user_id: str, cache: MembersCache) -> list[str]:
    """The organizers' and escalation channels ``user_id`` is in, at most a few seconds old,
    so someone who left the team stops seeing cases within seconds."""
    found = []
    for channel in (settings.organizer_channel_id, settings.escalation_channel_id):
        if channel is None:
            continue
        try:
            members = cache.members(client, channel)
        except SlackApiError as error:
            # Fail closed: nobody sees the cases of a channel whose members are unknown.
            logger.warning("could not list the members of %s: %s", channel, error.response.get("error"))
            continue
        if user_id in members:
            found.append(channel)
    return found


def workspace_url(client: WebClient) -> str | None:
    """``https://<workspace>.slack.com/`` for case links, or None while Slack can't say."""
    key = client.base_url
    with _workspace_lock:
        if key not in _workspace_urls:
            try:
                url = client.auth_test().get("url")
            except SlackApiError:
                logger.warning("auth.test failed: the Home tab shows cases without links")
                return None
            if not isinstance(url, str) or not url:
                return None
            _workspace_urls[key] = url
        return _workspace_urls[key]
