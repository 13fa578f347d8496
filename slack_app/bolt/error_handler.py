"""One error handler for every listener: the traceback goes to the log, the request's content never."""

import logging

from slack_bolt import App

logger = logging.getLogger(__name__)


def register(app: App) -> None:
    app.error(log_error)


def log_error(error: Exception, body: dict) -> None:
    # The body may hold report text: log only what identifies the request's kind.
    kind = body.get("type") if isinstance(body, dict) else None
    logger.exception("listener failed on a %s request: %s", kind or "unknown", type(error).__name__, exc_info=error)
