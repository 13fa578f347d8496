"""Builds everything a running Speak Out needs, once, from the settings."""

from urllib.error import URLError

from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler

from db.migrate import upgrade
from db.session import make_engine, make_sessionmaker
from slack_app.core.log_privacy import pin_library_loggers
from slack_app.core.services import Clock, Services, utc_now
from slack_app.core.settings import Settings
from slack_app.delivery.dispatcher import SENDERS as OUTBOX_SENDERS
from slack_app.delivery.dispatcher import OutboxDispatcher
from slack_app.delivery.handlers import DeliveryContext, build_handlers
from slack_app.delivery.rate_limits import OutboxWebClient
from slack_app.delivery.report_opener import ReportOpener
from workflows.reminders import install_planning


def build_services(settings: Settings, *, clock: Clock = utc_now, migrate: bool = True) -> Services:
    pin_library_loggers()
    # Listener threads, plus the outbox's senders, its loop and the scheduler's jobs.
    connections = settings.listener_threads + OUTBOX_SENDERS + 4
    engine = make_engine(settings.database_url, keys=settings.encryption_keys, connections=connections)
    if migrate:
        upgrade(engine)
    sessions = make_sessionmaker(engine)
    install_planning(sessions, settings.reminders, clock)
    # Every Web API call goes through SLACK_API_URL, so the app can run against a stand-in.
    # slack_sdk retries a connection cut while waiting for the answer; Slack may have acted on
    # the request by then (a post shown twice), so only a request that never went out is retried
    # here. The outbox retries the rest itself, looking in Slack first (delivery.posting).
    retry = ConnectionErrorRetryHandler(error_types=[URLError])
    client = OutboxWebClient(
        token=settings.bot_token, base_url=settings.slack_api_url, timeout=10, retry_handlers=[retry]
    )
    handlers = build_handlers(DeliveryContext(sessions, client, settings, clock))
    outbox = OutboxDispatcher(
        sessions,
        handlers,
        clock=clock,
        poll_interval=settings.outbox_poll_interval.total_seconds(),
        give_up_after=settings.outbox_give_up_after,
        chore=ReportOpener(sessions, clock),
        probe=client.auth_test,
        organizer_channel=settings.organizer_channel_id,
    )
    return Services(settings=settings, engine=engine, sessions=sessions, client=client, outbox=outbox, clock=clock)
