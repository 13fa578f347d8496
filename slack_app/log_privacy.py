"""Keeping report text out of the logs.

slack_sdk and slack_bolt log whole request and response bodies at DEBUG, and those bodies
carry reports, notes and DMs. Their loggers are pinned at INFO, so LOG_LEVEL=DEBUG shows
Speak Out's own debugging but never a message body.
"""

import logging

BODY_LOGGING_LIBRARIES = ("slack_sdk", "slack_bolt")


def pin_library_loggers() -> None:
    for name in BODY_LOGGING_LIBRARIES:
        library = logging.getLogger(name)
        library.setLevel(max(library.level, logging.INFO))
