"""Bounded, read-only queries for the App Home tab, returning plain frozen data.

Both queries stay cheap with many thousands of cases: every list has a LIMIT and every
total is a COUNT, so nothing ever loads all the cases.
"""

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, and_, exists, func, select
from sqlalchemy.orm import Session

from db.enums import CaseStatus, Category, PartyRole, Routing
from db.models import Case, Party, format_reference

OPEN_CASES_LIMIT = 40
OWN_REPORTS_LIMIT = 10
# Open statuses in the order the Home tab groups them.
OPEN_STATUSES: tuple[CaseStatus, ...] = tuple(status for status in CaseStatus if status is not CaseStatus.CLOSED)
_ROUTED = (Routing.ORGANIZERS, Routing.ESCALATED)


@dataclass(frozen=True)
class OpenCase:
    reference: str
    category: Category
    status: CaseStatus
    urgent: bool
    created_at: datetime
    assignee_id: str | None
    channel_id: str
    card_ts: str | None


@dataclass(frozen=True)
class OpenCases:
    """Up to ``limit`` cases in display order, and how many the viewer could see in each status."""

    cases: tuple[OpenCase, ...] = ()
    counts: Mapping[CaseStatus, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def not_shown(self) -> int:
        return self.total - len(self.cases)


@dataclass(frozen=True)
class OwnReport:
    reference: str
    status: CaseStatus
    filed_at: datetime


@dataclass(frozen=True)
class OwnReports:
    reports: tuple[OwnReport, ...] = ()
    total: int = 0

    @property
    def not_shown(self) -> int:
        return self.total - len(self.reports)


def _visible_to(viewer_id: str, channel_ids: Iterable[str]) -> ColumnElement[bool]:
    """Open, routed cases in the viewer's channels that don't name the viewer."""
    names_viewer = exists().where(
        Party.case_id == Case.id, Party.slack_user_id == viewer_id, Party.role == PartyRole.INVOLVED
    )
    return and_(
        Case.channel_id.in_(list(channel_ids)),
        Case.status.in_(OPEN_STATUSES),
        Case.routing.in_(_ROUTED),
        ~names_viewer,
    )


def open_cases_for(
    session: Session, *, viewer_id: str, channel_ids: Iterable[str], limit: int = OPEN_CASES_LIMIT
) -> OpenCases:
    """The open cases an organizer may see: in a channel they are in, and not naming them.

    One grouped COUNT, then one LIMITed query per non-empty status, newest urgent first,
    each able to walk an index on (channel_id, status, urgent, created_at).
    """
    channels = sorted(set(channel_ids))
    if not channels:
        return OpenCases()
    visible = _visible_to(viewer_id, channels)
    counts = _visible_counts(session, viewer_id, channels)
    cases: list[OpenCase] = []
    for status in OPEN_STATUSES:
        room = limit - len(cases)
        if room <= 0:
            break
        if not counts.get(status):
            continue
        rows = session.execute(
            select(
                Case.number,
                Case.category,
                Case.status,
                Case.urgent,
                Case.created_at,
                Case.assignee_id,
                Case.channel_id,
                Case.card_ts,
            )
            .where(visible, Case.status == status)
            .order_by(Case.urgent.desc(), Case.created_at.desc(), Case.id.desc())
            .limit(room)
        )
        cases += [
            OpenCase(
                reference=format_reference(row.number),
                category=row.category,
                status=row.status,
                urgent=row.urgent,
                created_at=row.created_at,
                assignee_id=row.assignee_id,
                channel_id=row.channel_id,
                card_ts=row.card_ts,
            )
            for row in rows
        ]
    return OpenCases(
        cases=tuple(cases), counts={status: counts[status] for status in OPEN_STATUSES if status in counts}
    )


def _visible_counts(session: Session, viewer_id: str, channels: list[str]) -> dict[CaseStatus, int]:
    """How many open cases the viewer may see, by status: all open cases in their channels,
    less those naming them. (Counting with the NOT EXISTS of ``_visible_to`` probes the parties
    of each of thousands of open cases; the cases naming one person are few.)"""
    # "status IN (the open ones)" walks the (channel_id, status, ...) index over open cases only;
    # "status != closed" walked every case in the channel, 90% of them closed.
    open_routed = and_(Case.channel_id.in_(channels), Case.status.in_(OPEN_STATUSES), Case.routing.in_(_ROUTED))
    counts = Counter(
        dict(session.execute(select(Case.status, func.count()).where(open_routed).group_by(Case.status)).all())
    )
    naming_viewer = session.execute(
        select(Case.status, func.count(func.distinct(Case.id)))
        .join(Party, Party.case_id == Case.id)
        .where(open_routed, Party.slack_user_id == viewer_id, Party.role == PartyRole.INVOLVED)
        .group_by(Case.status)
    )
    counts.subtract(dict(naming_viewer.all()))
    return {status: count for status, count in counts.items() if count > 0}


def own_reports(session: Session, *, reporter_id: str, limit: int = OWN_REPORTS_LIMIT) -> OwnReports:
    """The reports ``reporter_id`` filed, newest first: reference, status and date only."""
    filed = and_(Party.case_id == Case.id, Party.slack_user_id == reporter_id, Party.role == PartyRole.REPORTER)
    rows = session.execute(
        select(Case.number, Case.status, Case.created_at)
        .join(Party, filed)
        .order_by(Case.created_at.desc(), Case.id.desc())
        .limit(limit)
    ).all()
    reports = tuple(
        OwnReport(reference=format_reference(row.number), status=row.status, filed_at=row.created_at) for row in rows
    )
    total = len(reports)
    if total == limit:
        total = session.scalar(
            select(func.count())
            .select_from(Party)
            .where(Party.slack_user_id == reporter_id, Party.role == PartyRole.REPORTER)
        )
    return OwnReports(reports=reports, total=total)
