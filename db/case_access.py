"""Who may see a case's words and who did: organizers who stepped back from a case, and the
access log (who, when, what), both content-free."""

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, UTCDateTime, enum_column
from db.enums import AccessKind


class CaseAccess(Base):
    """One opening of a case's words: an organizer's "Open report", or a record shown,
    exported or listed by the CLI. Kept when the case's texts are erased: it holds none."""

    __tablename__ = "case_access"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    # A Slack user id, or "cli:<login>" for the command line.
    who: Mapped[str] = mapped_column(String(80))
    what: Mapped[AccessKind] = mapped_column(enum_column(AccessKind))
    at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_case_access_case_at", "case_id", "at"),)


class StepBack(Base):
    """An organizer who stepped back from a case (``automatic``: named in it). Until it ends
    they can't open the case's report, act on it, lead it or be reminded of it; it ends only
    when another organizer, the one they asked (``confirmer_id``), confirms their return."""

    __tablename__ = "step_backs"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    user_id: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    automatic: Mapped[bool] = mapped_column(Boolean, default=False)
    confirmer_id: Mapped[str | None] = mapped_column(String(32))
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_by: Mapped[str | None] = mapped_column(String(32))

    __table_args__ = (Index("ix_step_backs_case_user", "case_id", "user_id"),)
