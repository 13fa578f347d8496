"""What every delivery handler shares: the database and the Slack client, and the few moves
they all make (load facts, post in a case's thread, open a DM, link to a message).

Every post goes through ``post`` (``slack_app.delivery.posting.post_once``): it carries its
outbox id, and is looked for in Slack first when an earlier attempt may have posted it. Where
it landed (channel and ts) is kept on the side (``PostLog``) and recorded with the case, in the
transaction that marks its outbox message sent (``remembering_posts``), so that the case's
messages can be deleted from Slack once it is purged."""

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session, sessionmaker

from db import queries
from db.models import OutboxMessage
from slack_app.core.settings import Settings
from slack_app.delivery.outcomes import Recorder, Retry
from slack_app.delivery.posting import Posted, post_once
from slack_app.views.code_names import People, code_names
from slack_app.views.message import Message
from workflows.posted_messages import remember_posted

# A handler before it is bound to a context; the table binds each one once.
Send = Callable[["DeliveryContext", OutboxMessage], Recorder | None]

T = TypeVar("T")


class PostLog:
    """The posts each outbox message made while being sent, by outbox id, until its sending
    is recorded (thread-safe: the outbox sends several streams at once)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._posts: dict[int, list[Posted]] = {}

    def add(self, outbox_id: int, posted: Posted) -> None:
        with self._lock:
            self._posts.setdefault(outbox_id, []).append(posted)

    def take(self, outbox_id: int) -> list[Posted]:
        with self._lock:
            return self._posts.pop(outbox_id, [])


@dataclass(frozen=True)
class DeliveryContext:
    sessions: sessionmaker[Session]
    client: WebClient
    settings: Settings
    clock: Callable[[], datetime]
    posts: PostLog = field(default_factory=PostLog, compare=False, repr=False)

    def load(self, query: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Read facts in a transaction of their own, closed before anything is sent to Slack."""
        with self.sessions.begin() as session:
            return query(session, *args, **kwargs)

    def people(self, case: queries.CaseFacts) -> People | None:
        """Code names for the case's people where the channel reads, unless the team keeps
        the report's words in the thread (None: people by name)."""
        return None if self.settings.report_words_in_thread else code_names(case)

    def load_case(self, case_id: int) -> queries.CaseFacts:
        return self.load(queries.case_facts, case_id)

    def load_contact(self, case_id: int) -> queries.ReporterContact:
        return self.load(queries.reporter_contact, case_id)

    def post(self, message: OutboxMessage, channel: str, content: Message, *, thread_ts: str | None = None) -> Posted:
        """Post ``message`` once (see ``posting``)."""
        posted = post_once(self.client, message, channel=channel, thread_ts=thread_ts, **content.as_kwargs())
        self.posts.add(message.id, posted)
        return posted

    def post_in_thread(self, message: OutboxMessage, case: queries.CaseFacts, content: Message) -> Posted:
        if case.card_ts is None:
            raise Retry(f"{case.reference} has no card yet")
        return self.post(message, case.channel_id, content, thread_ts=case.card_ts)

    def open_dm(self, user_id: str) -> str:
        return self.client.conversations_open(users=user_id)["channel"]["id"]

    def find_reporter_dm(self, contact: queries.ReporterContact) -> str:
        # The receipt remembers its DM channel, so later DMs skip conversations.open.
        if contact.dm_channel is not None:
            return contact.dm_channel
        return self.open_dm(contact.user_id)

    def dm_reporter(self, message: OutboxMessage, contact: queries.ReporterContact, content: Message) -> Posted:
        return self.post(message, self.find_reporter_dm(contact), content)

    def link_to_card(self, case: queries.CaseFacts) -> str | None:
        if case.channel_id is None or case.card_ts is None:
            return None
        try:
            return self.client.chat_getPermalink(channel=case.channel_id, message_ts=case.card_ts)["permalink"]
        except SlackApiError:
            return None


def remembering_posts(context: DeliveryContext, handler: Callable[[OutboxMessage], Recorder | None]):
    """``handler``, with the case's posts it made recorded along with what it records itself."""

    def send(message: OutboxMessage) -> Recorder | None:
        context.posts.take(message.id)  # nothing of an attempt that ended in an exception
        try:
            recorder = handler(message)
        finally:
            posts = context.posts.take(message.id)
        if message.case_id is None or not posts:
            return recorder
        case_id, now = message.case_id, context.clock()

        def record(session: Session) -> None:
            if recorder is not None:
                recorder(session)
            for posted in posts:
                remember_posted(session, case_id=case_id, channel=posted.channel, ts=posted.ts, now=now)

        return record

    return send
