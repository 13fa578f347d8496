"""``speakout serve``: the app, its outbox delivery, and HTTP or Socket Mode."""

import contextlib
import logging
import signal
import threading

from slack_sdk.errors import SlackApiError

from slack_app.bolt.app import build_app
from slack_app.bolt.web import create_server, make_socket_mode_wsgi_app, make_wsgi_app
from slack_app.core.settings import Settings, SettingsError
from slack_app.runtime.scheduler import Scheduler
from slack_app.runtime.socket_mode import SocketModeHandler
from slack_app.runtime.wiring import build_services

logger = logging.getLogger(__name__)


def serve(settings: Settings, *, host: str, port: int, socket_mode: bool, scheduler: bool = True) -> int:
    services = build_services(settings)
    _check_token(services.client)
    app = build_app(services)
    socket = None
    if socket_mode:
        socket = SocketModeHandler(app, settings.app_token or "", concurrency=settings.listener_threads)
        socket.connect()  # a refused app token stops start-up here, before anything else runs
    reminders = Scheduler(services) if scheduler else None
    if reminders is not None:
        # With several web processes on PostgreSQL, all but one stand by.
        reminders.start(standby=True)
    services.outbox.start()
    signal.signal(signal.SIGTERM, _stop_serving)
    try:
        if socket is not None:
            # Slack's requests come over the socket; the port serves /healthz only.
            server = create_server(make_socket_mode_wsgi_app(services, socket.connected), host, port)
            logger.info(
                "Speak Out is connected to Slack over Socket Mode; health at http://%s:%s/healthz",
                host,
                server.effective_port,
            )
        else:
            server = create_server(make_wsgi_app(app, services), host, port)
            logger.info("Speak Out is listening on http://%s:%s/slack/events", host, server.effective_port)
        with contextlib.suppress(KeyboardInterrupt):
            server.run()
        server.close()
    finally:
        if socket is not None:
            socket.close()
        if reminders is not None:
            reminders.stop()
        services.outbox.stop()
        services.engine.dispose()
    return 0


def work(settings: Settings) -> int:
    """``speakout worker``: the scheduler and outbox delivery, no web server."""
    services = build_services(settings)
    _check_token(services.client)
    reminders = Scheduler(services)
    reminders.start(standby=True)
    services.outbox.start()
    signal.signal(signal.SIGTERM, _stop_serving)
    logger.info("Speak Out worker started")
    try:
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()
    finally:
        reminders.stop()
        services.outbox.stop()
        services.engine.dispose()
    return 0


def _stop_serving(*_args) -> None:
    # Leave waitress's loop the way Ctrl-C does; closing its sockets from a signal handler
    # would pull them out from under select().
    raise KeyboardInterrupt


def _check_token(client) -> None:
    try:
        client.auth_test()
    except SlackApiError as error:
        raise SettingsError(
            f"SLACK_BOT_TOKEN was refused by Slack ({error.response.get('error')}): "
            "copy it again from OAuth & Permissions"
        ) from None
    except OSError as error:
        raise SettingsError(f"SLACK_API_URL: cannot reach Slack's Web API ({error})") from None
