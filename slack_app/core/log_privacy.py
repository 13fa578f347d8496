"""Keeping report text out of the logs.

slack_sdk and slack_bolt log whole request and response bodies at DEBUG, and websockets logs
every frame of Socket Mode's connection; those bodies carry reports, notes and DMs. Their
loggers are pinned at INFO, so LOG_LEVEL=DEBUG shows
Speak Out's own debugging but never a message body. Bolt also logs the body of a request
whose signature fails at INFO: that line keeps its news and loses the body.
"""

import logging

BODY_LOGGING_LIBRARIES = ("slack_sdk", "slack_bolt", "websockets")


class _DropBodies(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "body:" in message:
            record.msg = message.split("body:", 1)[0].rstrip(" ,(") + " (body not logged)"
            record.args = ()
        return True


def pin_library_loggers() -> None:
    for name in BODY_LOGGING_LIBRARIES:
        library = logging.getLogger(name)
        library.setLevel(max(library.level, logging.INFO))
    verification = logging.getLogger("slack_bolt.RequestVerification")
    if not any(isinstance(existing, _DropBodies) for existing in verification.filters):
        verification.addFilter(_DropBodies())
