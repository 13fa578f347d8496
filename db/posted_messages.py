"""The app's own messages in Slack, by case: what lets a purged case's messages be deleted."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, UTCDateTime, enum_column
from db.enums import SlackDeletion


class PostedMessage(Base):
    """A message the app posted in Slack about a case (its card, thread replies, DMs), by
    channel and ts only: what it said is never copied here. Recorded in the transaction that
    marks its outbox message sent, so a purged case's messages can be deleted from Slack;
    ``deletion`` notes each one's fate as the deletion goes."""

    __tablename__ = "posted_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    channel: Mapped[str] = mapped_column(String(32))
    ts: Mapped[str] = mapped_column(String(32))
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deletion: Mapped[SlackDeletion | None] = mapped_column(enum_column(SlackDeletion))
    deletion_error: Mapped[str | None] = mapped_column(String(40))  # Slack's code, when unreachable

    __table_args__ = (UniqueConstraint("channel", "ts", name="uq_posted_messages_channel_ts"),)
