"""The Bolt app: built from services, listeners registered explicitly."""

import logging
import threading
from concurrent.futures import Executor, ThreadPoolExecutor

from slack_bolt import App
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped

from slack_app.bolt import error_handler, guard
from slack_app.bolt.listeners import cases, home, installation, own_up, report_words, reports, step_back
from slack_app.core.services import Services


class _TokenBesideClient(logging.Filter):
    """Bolt warns that its token goes unused whenever SLACK_BOT_TOKEN is in the environment and a
    client is given, as it always is here (the client carries the token): noise at every start."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != warning_client_prioritized_and_token_skipped()


_BOLT_LOGGER = logging.getLogger("slack_bolt")
_BOLT_LOGGER.addFilter(_TokenBesideClient())


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
        listener_executor=executor or started_pool(settings.listener_threads),
        logger=_BOLT_LOGGER,
    )
    error_handler.register(app)
    reports.register(app, services)
    cases.register(app, services)
    report_words.register(app, services)
    step_back.register(app, services)
    own_up.register(app, services)
    home.register(app, services)
    installation.register(app, services)
    return app


def started_pool(threads: int) -> ThreadPoolExecutor:
    """A listener pool with every thread running already. A pool otherwise starts its threads
    one per submit during its first burst, under a lock that every submit waits on: the first
    burst of reports after a restart would be answered up to a second late."""
    pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="listener")
    # Each task holds its thread until all are running, so each submit has to start a new one.
    everyone = threading.Barrier(threads + 1)
    for _ in range(threads):
        pool.submit(everyone.wait, 30)
    everyone.wait(30)
    return pool
