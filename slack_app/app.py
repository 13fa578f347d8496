"""The Bolt app: built from services, listeners registered explicitly."""

import logging
from concurrent.futures import Executor, ThreadPoolExecutor

from slack_bolt import App

from slack_app import errors, guard
from slack_app.listeners import cases, home, own_up, reports
from slack_app.services import Services


def build_app(services: Services, *, executor: Executor | None = None) -> App:
    settings = services.settings
    app = App(
        signing_secret=settings.signing_secret,
        client=services.client,
        # The token is checked by `speakout serve` itself, with a one-line message.
        token_verification_enabled=False,
        # Malformed requests stop here, before Bolt's own middleware and matchers read them.
        before_authorize=guard.check_shape,
        # Acknowledge first, work after: listeners run on a pool sized for a busy event,
        # not Bolt's default five threads.
        listener_executor=executor
        or ThreadPoolExecutor(max_workers=settings.listener_threads, thread_name_prefix="listener"),
        logger=logging.getLogger("slack_bolt"),
    )
    errors.register(app)
    reports.register(app, services)
    cases.register(app, services)
    own_up.register(app, services)
    home.register(app, services)
    return app
