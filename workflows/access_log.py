"""The access log: each opening of a case's words (in Slack, or a record shown, exported or
listed by the command line) is recorded as who, when and what, never what was read."""

import getpass
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.enums import AccessKind
from db.models import CaseAccess


@dataclass(frozen=True)
class AccessRecord:
    at: datetime
    who: str  # a Slack user id, or "cli:<login>"
    what: AccessKind


def record_access(session: Session, case_id: int, who: str, what: AccessKind, now: datetime) -> None:
    session.add(CaseAccess(case_id=case_id, who=who[:80], what=what, at=now))
    session.flush()


def access_log(session: Session, case_id: int) -> tuple[AccessRecord, ...]:
    rows = session.scalars(select(CaseAccess).where(CaseAccess.case_id == case_id).order_by(CaseAccess.id))
    return tuple(AccessRecord(at=row.at, who=row.who, what=row.what) for row in rows)


def command_line_user() -> str:
    """Who runs a command: the login of the shell it runs in (there is no Slack user there)."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no login name for this uid (a bare container)
        return "cli:unknown"
