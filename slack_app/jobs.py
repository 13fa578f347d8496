"""APScheduler job functions. Module-level and referenced by name ("slack_app.jobs:…") so the
job store keeps only that name; they take no arguments and act through the services of the
process that runs the scheduler, bound once with ``bind``."""

import logging

from slack_app.services import Services
from workflows.outbox import OutboxNotifier
from workflows.reminders import fire_due_reminders

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
