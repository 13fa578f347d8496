"""Read-only queries that load plain data for messages and views.

Builders get these frozen dataclasses, never ORM objects, so rendering can't touch the
database and can't reach what it shouldn't: ``CaseFacts.reporter_id`` is already None for
an anonymous reporter.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from db.enums import (
    ActionKind,
    ActionResult,
    CaseStatus,
    Category,
    Outcome,
    OwnUpState,
    PartyRole,
    Routing,
    TimelineKind,
)
from db.models import Case, CaseAction, OwnUp, Party, StepBack, TimelineEntry


@dataclass(frozen=True)
class CaseFacts:
    id: int
    reference: str
    category: Category
    status: CaseStatus
    urgent: bool
    anonymous: bool
    reporter_id: str | None  # None when the reporter chose anonymity
    involved: tuple[str, ...]
    follow_up_allowed: bool
    apology_wanted: bool
    created_at: datetime
    routing: Routing
    channel_id: str | None
    card_ts: str | None
    assignee_id: str | None = None
    acknowledged_by: str | None = None
    outcome: Outcome | None = None
    self_report: bool = False
    own_ups: tuple[tuple[int, str, OwnUpState, datetime | None], ...] = ()  # (id, subject, state, deadline)
    stepped_back: int = 0  # how many organizers stand stepped back (never who)


@dataclass(frozen=True)
class ReportFacts:
    description: str
    location_channel_id: str | None
    location_text: str | None
    occurred_on: str | None
    occurred_at_time: str | None
    others_involved: str | None
    evidence_channel_id: str | None
    evidence_ts: str | None
    evidence_author_id: str | None
    evidence_excerpt: str | None


@dataclass(frozen=True)
class ReporterContact:
    case_id: int
    reference: str
    user_id: str
    anonymous: bool
    follow_up_allowed: bool
    urgent: bool
    dm_channel: str | None
    dm_ts: str | None


def _load(session: Session, case_id: int) -> Case | None:
    return session.scalar(
        select(Case)
        .where(Case.id == case_id)
        .options(selectinload(Case.parties), selectinload(Case.report), selectinload(Case.own_ups))
    )


def case_facts(session: Session, case_id: int) -> CaseFacts | None:
    case = _load(session, case_id)
    if case is None:
        return None
    return CaseFacts(
        id=case.id,
        reference=case.reference,
        category=case.category,
        status=case.status,
        urgent=case.urgent,
        anonymous=case.anonymous,
        reporter_id=None if case.anonymous else case.reporter.slack_user_id,
        involved=tuple(party.slack_user_id for party in case.involved),
        follow_up_allowed=case.follow_up_allowed,
        apology_wanted=case.apology_wanted,
        created_at=case.created_at,
        routing=case.routing,
        channel_id=case.channel_id,
        card_ts=case.card_ts,
        assignee_id=case.assignee_id,
        acknowledged_by=case.acknowledged_by,
        outcome=case.outcome,
        self_report=case.self_report,
        own_ups=tuple((o.id, o.subject_id, o.state, o.deadline_at) for o in case.own_ups),
        stepped_back=session.scalar(
            select(func.count()).where(StepBack.case_id == case.id, StepBack.ended_at.is_(None))
        ),
    )


def report_facts(session: Session, case_id: int) -> ReportFacts | None:
    case = _load(session, case_id)
    if case is None or case.report is None:
        return None
    report = case.report
    return ReportFacts(
        description=report.description,
        location_channel_id=report.location_channel_id,
        location_text=report.location_text,
        occurred_on=report.occurred_on,
        occurred_at_time=report.occurred_at_time,
        others_involved=report.others_involved,
        evidence_channel_id=report.evidence_channel_id,
        evidence_ts=report.evidence_ts,
        evidence_author_id=report.evidence_author_id,
        evidence_excerpt=report.evidence_excerpt,
    )


def reporter_contact(session: Session, case_id: int) -> ReporterContact | None:
    case = _load(session, case_id)
    if case is None:
        return None
    return ReporterContact(
        case_id=case.id,
        reference=case.reference,
        user_id=case.reporter.slack_user_id,
        anonymous=case.anonymous,
        follow_up_allowed=case.follow_up_allowed,
        urgent=case.urgent,
        dm_channel=case.reporter_dm_channel,
        dm_ts=case.reporter_dm_ts,
    )


def timeline_body(session: Session, entry_id: int) -> TimelineEntry | None:
    return session.get(TimelineEntry, entry_id)


@dataclass(frozen=True)
class TimelineFacts:
    reference: str
    kind: TimelineKind
    actor_id: str | None
    at: datetime
    summary: str
    body: str | None


def timeline_facts(session: Session, entry_id: int) -> TimelineFacts | None:
    entry = session.get(TimelineEntry, entry_id)
    if entry is None:
        return None
    return TimelineFacts(
        reference=entry.case.reference,
        kind=entry.kind,
        actor_id=entry.actor_id,
        at=entry.at,
        summary=entry.summary,
        body=entry.body,
    )


@dataclass(frozen=True)
class ActionFacts:
    id: int
    case_id: int
    reference: str
    kind: ActionKind
    subject_id: str | None
    message: str | None
    channel_ids: tuple[str, ...]
    result: ActionResult


def action_facts(session: Session, action_id: int) -> ActionFacts | None:
    action = session.get(CaseAction, action_id)
    if action is None:
        return None
    return ActionFacts(
        id=action.id,
        case_id=action.case_id,
        reference=action.case.reference,
        kind=action.kind,
        subject_id=action.subject_id,
        message=action.message,
        channel_ids=tuple(action.channel_ids),
        result=action.result,
    )


def involved_ids(session: Session, case_id: int) -> set[str]:
    return set(
        session.scalars(select(Party.slack_user_id).where(Party.case_id == case_id, Party.role == PartyRole.INVOLVED))
    )


@dataclass(frozen=True)
class OwnUpFacts:
    id: int
    case_id: int
    reference: str
    subject_id: str
    recipient_id: str | None
    state: OwnUpState
    description: str
    coc_part: str | None
    deadline_at: datetime | None
    acknowledgement: str | None
    apology: str | None
    change: str | None
    review_note: str | None
    self_report: bool


def own_up_facts(session: Session, own_up_id: int) -> OwnUpFacts | None:
    own_up = session.get(OwnUp, own_up_id)
    if own_up is None:
        return None
    return OwnUpFacts(
        id=own_up.id,
        case_id=own_up.case_id,
        reference=own_up.case.reference,
        subject_id=own_up.subject_id,
        recipient_id=own_up.recipient_id,
        state=own_up.state,
        description=own_up.description,
        coc_part=own_up.coc_part,
        deadline_at=own_up.deadline_at,
        acknowledgement=own_up.acknowledgement,
        apology=own_up.apology,
        change=own_up.change,
        review_note=own_up.review_note,
        self_report=own_up.case.self_report,
    )


@dataclass(frozen=True)
class StepBackFacts:
    id: int
    case_id: int
    reference: str
    user_id: str
    ended: bool


def step_back_facts(session: Session, step_back_id: int) -> StepBackFacts | None:
    row = session.get(StepBack, step_back_id)
    if row is None:
        return None
    case = session.get(Case, row.case_id)
    return StepBackFacts(row.id, row.case_id, case.reference, row.user_id, row.ended_at is not None)
