"""Typed SQLAlchemy models: cases, their reports, parties and timelines, and the outbox."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.base import Base, UTCDateTime, enum_column

# Loaded with the other models, so the metadata (and Alembic's comparison) knows every table.
from db.case_access import CaseAccess, StepBack  # noqa: F401
from db.crypto import EncryptedText
from db.enums import (
    ActionKind,
    ActionResult,
    CaseStatus,
    Category,
    OutboxState,
    Outcome,
    OwnUpState,
    PartyRole,
    RecipientAnswer,
    ReminderKind,
    ReminderState,
    Routing,
    TimelineKind,
)
from db.posted_messages import PostedMessage as PostedMessage  # with the rest of the models


class Counter(Base):
    """Gapless sequences (case numbers); incremented with UPDATE ... RETURNING under a row lock."""

    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


class Case(Base):
    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(Integer, unique=True)
    # A retried or double-clicked submission carries the same key (the modal's view id).
    submission_key: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[CaseStatus] = mapped_column(enum_column(CaseStatus), default=CaseStatus.NEW)
    category: Mapped[Category] = mapped_column(enum_column(Category))
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    anonymous: Mapped[bool] = mapped_column(Boolean)
    follow_up_allowed: Mapped[bool] = mapped_column(Boolean)
    apology_wanted: Mapped[bool] = mapped_column(Boolean)
    routing: Mapped[Routing] = mapped_column(enum_column(Routing), default=Routing.PENDING)
    channel_id: Mapped[str | None] = mapped_column(String(32))
    card_ts: Mapped[str | None] = mapped_column(String(32))
    reporter_dm_channel: Mapped[str | None] = mapped_column(String(32))
    reporter_dm_ts: Mapped[str | None] = mapped_column(String(32))
    assignee_id: Mapped[str | None] = mapped_column(String(32))
    acknowledged_by: Mapped[str | None] = mapped_column(String(32))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[Outcome | None] = mapped_column(enum_column(Outcome))
    closing_summary: Mapped[str | None] = mapped_column(EncryptedText)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    self_report: Mapped[bool] = mapped_column(Boolean, default=False)
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the reporter last heard from the app: the reporter follow-up is measured from it.
    reporter_contacted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Last timeline activity: what "stale" and the App Home's ordering are measured from.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    report: Mapped["Report"] = relationship(back_populates="case", uselist=False)
    parties: Mapped[list["Party"]] = relationship(back_populates="case", order_by="Party.id")
    timeline: Mapped[list["TimelineEntry"]] = relationship(back_populates="case", order_by="TimelineEntry.id")
    actions: Mapped[list["CaseAction"]] = relationship(back_populates="case", order_by="CaseAction.id")
    own_ups: Mapped[list["OwnUp"]] = relationship(back_populates="case", order_by="OwnUp.id")

    __table_args__ = (
        Index("ix_cases_status_created", "status", "created_at"),
        Index("ix_cases_channel_status", "channel_id", "status", "urgent", "created_at"),
        Index("ix_cases_routing", "routing"),
        Index("ix_cases_closed_purged", "closed_at", "purged_at"),
    )

    @property
    def reference(self) -> str:
        return format_reference(self.number)

    @property
    def reporter(self) -> "Party":
        return next(party for party in self.parties if party.role is PartyRole.REPORTER)

    @property
    def involved(self) -> list["Party"]:
        return [party for party in self.parties if party.role is PartyRole.INVOLVED]


def format_reference(number: int) -> str:
    return f"CoC-{number:04d}"


class Report(Base):
    """What the reporter wrote: the sensitive part of a case, kept apart from its routing data."""

    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
    description: Mapped[str] = mapped_column(EncryptedText)
    location_channel_id: Mapped[str | None] = mapped_column(String(32))
    location_text: Mapped[str | None] = mapped_column(EncryptedText)
    occurred_on: Mapped[str | None] = mapped_column(String(10))  # YYYY-MM-DD as the reporter chose it
    occurred_at_time: Mapped[str | None] = mapped_column(String(5))  # HH:MM, the reporter's local time
    others_involved: Mapped[str | None] = mapped_column(EncryptedText)  # people who are not in Slack
    evidence_channel_id: Mapped[str | None] = mapped_column(String(32))
    evidence_ts: Mapped[str | None] = mapped_column(String(32))
    evidence_author_id: Mapped[str | None] = mapped_column(String(32))
    evidence_excerpt: Mapped[str | None] = mapped_column(EncryptedText)

    case: Mapped[Case] = relationship(back_populates="report")


class Party(Base):
    __tablename__ = "parties"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    role: Mapped[PartyRole] = mapped_column(enum_column(PartyRole))
    slack_user_id: Mapped[str] = mapped_column(String(32))

    case: Mapped[Case] = relationship(back_populates="parties")

    __table_args__ = (
        UniqueConstraint("case_id", "role", "slack_user_id", name="uq_parties_case_role_user"),
        Index("ix_parties_user_role", "slack_user_id", "role"),
    )


class TimelineEntry(Base):
    """Append-only history of a case. ``actor_id`` is None for the app itself and for an
    anonymous reporter, whose identity must not be recorded where organizers read it."""

    __tablename__ = "timeline_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[TimelineKind] = mapped_column(enum_column(TimelineKind))
    actor_id: Mapped[str | None] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    summary: Mapped[str] = mapped_column(String(300), default="")
    body: Mapped[str | None] = mapped_column(EncryptedText)

    case: Mapped[Case] = relationship(back_populates="timeline")


class CaseAction(Base):
    """A response organizers decided on, with who decided and why. Where the app carries it
    out in Slack (removing someone from channels) ``result`` tracks that, failures included."""

    __tablename__ = "case_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[ActionKind] = mapped_column(enum_column(ActionKind))
    subject_id: Mapped[str | None] = mapped_column(String(32))
    decided_by: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(EncryptedText)
    message: Mapped[str | None] = mapped_column(EncryptedText)  # the "please stop" DM, in the organizer's words
    channel_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    result: Mapped[ActionResult] = mapped_column(enum_column(ActionResult))
    result_detail: Mapped[str | None] = mapped_column(String(300))
    at: Mapped[datetime] = mapped_column(UTCDateTime)

    case: Mapped[Case] = relationship(back_populates="actions")


class OwnUp(Base):
    """A mediated own-up: the person asked to own up (``subject_id``), and the person an
    apology may reach (``recipient_id``: the reporter, or someone a self-report names), who is
    asked first. The subject is never shown who the recipient is."""

    __tablename__ = "own_ups"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    subject_id: Mapped[str] = mapped_column(String(32), index=True)
    recipient_id: Mapped[str | None] = mapped_column(String(32), index=True)
    state: Mapped[OwnUpState] = mapped_column(enum_column(OwnUpState))
    requested_by: Mapped[str | None] = mapped_column(String(32))  # None for a self-report
    description: Mapped[str] = mapped_column(EncryptedText)  # the organizer's neutral words, or the self-report's
    coc_part: Mapped[str | None] = mapped_column(String(40))
    deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledgement: Mapped[str | None] = mapped_column(EncryptedText)
    apology: Mapped[str | None] = mapped_column(EncryptedText)
    change: Mapped[str | None] = mapped_column(EncryptedText)
    account: Mapped[str | None] = mapped_column(EncryptedText)  # "I see it differently"
    review_note: Mapped[str | None] = mapped_column(EncryptedText)
    not_delivered_reason: Mapped[str | None] = mapped_column(EncryptedText)
    recipient_answer: Mapped[RecipientAnswer | None] = mapped_column(enum_column(RecipientAnswer))
    review_ts: Mapped[str | None] = mapped_column(String(32))  # the review message in the case thread
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    case: Mapped[Case] = relationship(back_populates="own_ups")


class Reminder(Base):
    """A follow-up owed on a case: one row per (case, kind), rescheduled in place, written in
    the transaction of the change that calls for it."""

    __tablename__ = "reminders"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    kind: Mapped[ReminderKind] = mapped_column(enum_column(ReminderKind))
    state: Mapped[ReminderState] = mapped_column(enum_column(ReminderState), default=ReminderState.PENDING)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # What within the case it is about ("" for the case itself, "own-up-3" for a request), so
    # several own-up requests on one case each have their own.
    subject: Mapped[str] = mapped_column(String(40), default="")
    # Times fired since the case last changed in a way that rescheduled it.
    fired: Mapped[int] = mapped_column(Integer, default=0)
    last_fired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        UniqueConstraint("case_id", "kind", "subject", name="uq_reminders_case_kind_subject"),
        Index("ix_reminders_state_due", "state", "due_at"),
    )


class OutboxMessage(Base):
    """A message the app owes Slack, written in the transaction of the change that causes it.

    ``stream`` orders delivery: messages of one stream go out strictly in id order. A sender
    claims a message (``claimed_by``, ``claimed_until``) before sending it.
    """

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    stream: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(40))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    state: Mapped[OutboxState] = mapped_column(enum_column(OutboxState), default=OutboxState.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    available_at: Mapped[datetime] = mapped_column(UTCDateTime)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Who holds the claim: "host:pid:nonce" of the sending process (slack_app.delivery.claims).
    claimed_by: Mapped[str | None] = mapped_column(String(120))
    # An earlier attempt may have reached Slack (its sender died, or the call timed out): look
    # for the message in Slack before posting it again.
    maybe_sent: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(300))

    __table_args__ = (Index("ix_outbox_state_id", "state", "id"),)


class ReceivedReport(Base):
    """A submitted report, stored whole the moment it arrives and before Slack is answered;
    it becomes a case (and this row goes) right after the answer, in one transaction.

    Everything the participant sent, who they are included, is in ``submission``, encrypted.
    """

    __tablename__ = "received_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The modal's view id, as on the case it becomes: a double click is received once.
    submission_key: Mapped[str] = mapped_column(String(64), unique=True)
    submission: Mapped[str] = mapped_column(EncryptedText)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(300))


class ProcessedEvent(Base):
    """Slack event ids already handled, so a re-delivered event is a no-op."""

    __tablename__ = "processed_events"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
