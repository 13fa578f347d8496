"""How each kind of outbox message reaches Slack, split by who reads it.

``build_handlers`` makes the dispatcher's one table, keyed by ``MessageKind``: every kind
exactly once, the posts in a case's channel behind the held-case rule
(``organizers.post_unless_held``), and every post about a case remembered with it
(``context.remembering_posts``), for deleting once the case is purged (``retention``).
"""

from collections import Counter
from functools import partial

from slack_app.delivery.handlers import actions, organizers, people, reporter, retention
from slack_app.delivery.handlers.context import DeliveryContext, Send, remembering_posts
from slack_app.delivery.outcomes import Handler
from workflows.messages import MessageKind

__all__ = ["DeliveryContext", "build_handlers", "registered_kinds"]

# Handlers that take the message alone, by audience; the organizers' channel posts are in
# ``organizers.IN_CHANNEL``.
PLAIN: tuple[dict[MessageKind, Send], ...] = (
    organizers.HANDLERS,
    reporter.HANDLERS,
    people.HANDLERS,
    actions.HANDLERS,
    retention.HANDLERS,
)


def registered_kinds() -> list[MessageKind]:
    """Every kind some table declares, once per declaration (so a kind declared twice shows twice)."""
    return [*organizers.IN_CHANNEL, *(kind for table in PLAIN for kind in table)]


def build_handlers(context: DeliveryContext) -> dict[MessageKind, Handler]:
    duplicated = [kind for kind, count in Counter(registered_kinds()).items() if count > 1]
    if duplicated:
        # A dict merge would keep one silently; which one wins should never be a question.
        raise ValueError(f"outbox kinds with more than one handler: {sorted(duplicated)}")
    handlers: dict[MessageKind, Handler] = {
        kind: partial(organizers.post_unless_held, context, post) for kind, post in organizers.IN_CHANNEL.items()
    }
    for table in PLAIN:
        handlers.update({kind: partial(handler, context) for kind, handler in table.items()})
    return {kind: remembering_posts(context, handler) for kind, handler in handlers.items()}
