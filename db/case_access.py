"""Who looked at a case's words: the access log (who, when, what), content-free."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
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
