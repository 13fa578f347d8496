"""APScheduler job functions. Module-level and referenced by name ("slack_app.runtime.jobs:…") so the
job store keeps only that name; they take no arguments and act through the services of the
process that runs the scheduler, bound once with ``bind``."""

import logging

from slack_app.core.services import Services
from workflows.outbox import OutboxNotifier
from workflows.reminder_firing import fire_due_reminders
from workflows.retention import purge_expired_cases

logger = logging.getLogger(__name__)

_services: Services | None = None


def bind(services: Services) -> None:
    global _services
    _services = services


def dispatch_reminders() -> None:
    """Fire every reminder that is due; the messages go out through the outbox."""
    services = _services
    if services is None:
        return
    with services.sessions.begin() as session:
        now = services.clock()
        fired = fire_due_reminders(session, OutboxNotifier(session, now), now=now, policy=services.settings.reminders)
    if fired:
        logger.info("fired %d reminder(s)", fired)
        services.outbox.wake()


def purge_expired() -> None:
    """Erase the texts of cases closed longer ago than RETENTION_DAYS; the outbox then deletes
    their messages from Slack."""
    services = _services
    if services is None:
        return
    with services.sessions.begin() as session:
        now = services.clock()
        notifier = OutboxNotifier(session, now)
        purged = purge_expired_cases(session, notifier, now=now, retention=services.settings.retention)
    if purged:
        logger.info("erased the texts of %d case(s) past their retention", purged)
        services.outbox.wake()  # their Slack messages go next
