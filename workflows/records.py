"""Organizers' records: one case in full, and the cases that name a person.

Read-only; everything comes back as frozen dataclasses. When the reporter chose anonymity
their Slack id never leaves this module: the record says "anonymous" or "the reporter".
Nothing about a person's history says who reported.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from db.enums import ActionKind, ActionResult, CaseStatus, Category, Outcome, PartyRole, Routing, TimelineKind
from db.models import Case, CaseAction, Party, TimelineEntry, format_reference
from workflows.access_log import AccessRecord, access_log
from workflows.errors import NotFound

ANONYMOUS = "anonymous"
APP = "Speak Out"
THE_REPORTER = "the reporter"

_REFERENCE = re.compile(r"coc-(\d{1,9})", re.IGNORECASE)


@dataclass(frozen=True)
class ReportRecord:
    description: str
    location_channel_id: str | None
    location_text: str | None
    occurred_on: str | None  # YYYY-MM-DD as the reporter chose it
    occurred_at_time: str | None  # HH:MM in the reporter's local time
    others_involved: str | None
    evidence_channel_id: str | None
    evidence_ts: str | None
    evidence_author_id: str | None
    evidence_excerpt: str | None


@dataclass(frozen=True)
class ActionRecord:
    kind: ActionKind
    subject_id: str | None
    decided_by: str
    reason: str
    message: str | None
    channel_ids: tuple[str, ...]
    result: ActionResult
    result_detail: str | None
    at: datetime


@dataclass(frozen=True)
class TimelineRecord:
    at: datetime
    kind: TimelineKind
    actor: str  # a Slack user id, "Speak Out", or "the reporter"
    summary: str
    body: str | None


@dataclass(frozen=True)
class CaseRecord:
    reference: str
    category: Category
    status: CaseStatus
    urgent: bool
    created_at: datetime
    routing: Routing
    channel_id: str | None
    anonymous: bool
    reporter: str  # "anonymous", or the reporter's Slack user id
    involved: tuple[str, ...]
    follow_up_allowed: bool
    apology_wanted: bool
    report: ReportRecord
    assignee_id: str | None
    acknowledged_by: str | None
    acknowledged_at: datetime | None
    outcome: Outcome | None
    closing_summary: str | None
    closed_at: datetime | None
    actions: tuple[ActionRecord, ...]
    timeline: tuple[TimelineRecord, ...]
    access_log: tuple[AccessRecord, ...] = ()


@dataclass(frozen=True)
class HistoryEntry:
    case_id: int
    reference: str
    created_at: datetime
    category: Category
    status: CaseStatus
    outcome: Outcome | None
    routing: Routing
    channel_id: str | None
    card_ts: str | None
    names: tuple[str, ...]  # which of the people asked about this case names


def parse_reference(reference: str) -> int:
    """The case number in "CoC-0042" (or "coc-42"); NotFound for anything else."""
    match = _REFERENCE.fullmatch(reference.strip())
    if match is None:
        raise NotFound(f'"{reference.strip()[:40]}" is not a case reference (they look like CoC-0042)')
    return int(match.group(1))


class _Mask:
    """Replaces an anonymous reporter's id, wherever it would show, with "the reporter"."""

    def __init__(self, hidden_id: str | None):
        self.hidden_id = hidden_id

    def id(self, user_id: str | None) -> str | None:
        return THE_REPORTER if user_id is not None and user_id == self.hidden_id else user_id

    def text(self, text: str | None) -> str | None:
        if text is None or not self.hidden_id:
            return text
        return text.replace(f"<@{self.hidden_id}>", THE_REPORTER).replace(self.hidden_id, THE_REPORTER)


def case_record(session: Session, reference: str) -> CaseRecord:
    number = parse_reference(reference)
    case = session.scalar(
        select(Case)
        .where(Case.number == number)
        .options(selectinload(Case.parties), selectinload(Case.report), selectinload(Case.timeline))
    )
    if case is None:
        raise NotFound(f"no case {format_reference(number)}")
    actions = session.scalars(
        select(CaseAction).where(CaseAction.case_id == case.id).order_by(CaseAction.at, CaseAction.id)
    )
    reporter_id = case.reporter.slack_user_id
    mask = _Mask(reporter_id if case.anonymous else None)
    return CaseRecord(
        reference=case.reference,
        category=case.category,
        status=case.status,
        urgent=case.urgent,
        created_at=case.created_at,
        routing=case.routing,
        channel_id=case.channel_id,
        anonymous=case.anonymous,
        reporter=ANONYMOUS if case.anonymous else reporter_id,
        involved=tuple(mask.id(party.slack_user_id) for party in case.involved),
        follow_up_allowed=case.follow_up_allowed,
        apology_wanted=case.apology_wanted,
        report=_report(case, mask),
        assignee_id=mask.id(case.assignee_id),
        acknowledged_by=mask.id(case.acknowledged_by),
        acknowledged_at=case.acknowledged_at,
        outcome=case.outcome,
        closing_summary=mask.text(case.closing_summary),
        closed_at=case.closed_at,
        actions=tuple(_action(action, mask) for action in actions),
        timeline=tuple(_entry(entry, mask) for entry in case.timeline),
        access_log=access_log(session, case.id),
    )


def _report(case: Case, mask: _Mask) -> ReportRecord:
    report = case.report
    return ReportRecord(
        description=mask.text(report.description),
        location_channel_id=report.location_channel_id,
        location_text=mask.text(report.location_text),
        occurred_on=report.occurred_on,
        occurred_at_time=report.occurred_at_time,
        others_involved=mask.text(report.others_involved),
        evidence_channel_id=report.evidence_channel_id,
        evidence_ts=report.evidence_ts,
        evidence_author_id=mask.id(report.evidence_author_id),
        evidence_excerpt=mask.text(report.evidence_excerpt),
    )


def _action(action: CaseAction, mask: _Mask) -> ActionRecord:
    return ActionRecord(
        kind=action.kind,
        subject_id=mask.id(action.subject_id),
        decided_by=mask.id(action.decided_by),
        reason=mask.text(action.reason),
        message=mask.text(action.message),
        channel_ids=tuple(action.channel_ids or ()),
        result=action.result,
        result_detail=mask.text(action.result_detail),
        at=action.at,
    )


def _entry(entry: TimelineEntry, mask: _Mask) -> TimelineRecord:
    if entry.actor_id is None:
        actor = THE_REPORTER if entry.kind is TimelineKind.REPORTER_MESSAGE else APP
    else:
        actor = mask.id(entry.actor_id)
    return TimelineRecord(
        at=entry.at, kind=entry.kind, actor=actor, summary=mask.text(entry.summary), body=mask.text(entry.body)
    )


def person_history(session: Session, user_id: str) -> list[HistoryEntry]:
    """Every case that names ``user_id`` as involved, oldest first. Being the reporter of a
    case does not count, and nothing returned says who reported."""
    return _history(session, [user_id], Party.slack_user_id == user_id)


def earlier_cases_naming(
    session: Session, user_ids: Iterable[str], *, channel_id: str, before_case_id: int
) -> list[HistoryEntry]:
    """Earlier cases in the same channel that name any of ``user_ids``, oldest first: what a
    case thread may note as repeat behaviour. Cases in any other channel (escalated or held
    ones, seen by other people) never appear."""
    wanted = list(dict.fromkeys(user_ids))
    if not wanted or not channel_id:
        return []
    return _history(
        session,
        wanted,
        Party.slack_user_id.in_(wanted),
        Case.id < before_case_id,
        Case.channel_id == channel_id,
        Case.routing.in_((Routing.ORGANIZERS, Routing.ESCALATED)),
    )


def _history(session: Session, wanted: list[str], *conditions) -> list[HistoryEntry]:
    rows = session.execute(
        select(Case, Party.slack_user_id)
        .join(Party, Party.case_id == Case.id)
        .where(Party.role == PartyRole.INVOLVED, *conditions)
        .order_by(Case.created_at, Case.number)
    ).all()
    cases: dict[int, Case] = {}
    names: dict[int, set[str]] = {}
    for case, user_id in rows:
        cases.setdefault(case.id, case)
        names.setdefault(case.id, set()).add(user_id)
    return [
        HistoryEntry(
            case_id=case.id,
            reference=case.reference,
            created_at=case.created_at,
            category=case.category,
            status=case.status,
            outcome=case.outcome,
            routing=case.routing,
            channel_id=case.channel_id,
            card_ts=case.card_ts,
            names=tuple(user_id for user_id in wanted if user_id in names[case.id]),
        )
        for case in cases.values()
    ]
