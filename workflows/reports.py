"""Report intake: a participant's report becomes a case, stored whole or not at all."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from db.enums import CaseStatus, Category, PartyRole, TimelineKind
from db.models import Case, Counter, Party, Report, TimelineEntry
from workflows.errors import InvalidReport
from workflows.messages import MessageKind
from workflows.ports import Notifier

DESCRIPTION_MAX = 3000
SHORT_TEXT_MAX = 500
EXCERPT_MAX = 500
INVOLVED_MAX = 20


@dataclass(frozen=True)
class Evidence:
    """A Slack message attached to a report through the "Report this message" shortcut."""

    channel_id: str
    ts: str
    author_id: str | None
    excerpt: str


@dataclass(frozen=True)
class ReportForm:
    description: str
    category: Category | None
    anonymous: bool
    follow_up_allowed: bool
    apology_wanted: bool
    urgent: bool = False
    involved_user_ids: tuple[str, ...] = ()
    others_involved: str | None = None
    location_channel_id: str | None = None
    location_text: str | None = None
    occurred_on: str | None = None
    occurred_at_time: str | None = None
    evidence: Evidence | None = None


def validate_report(form: ReportForm, reporter_id: str) -> dict[str, str]:
    """Every rule a report must meet, as ``{field: message}``; empty when it is fine."""
    errors: dict[str, str] = {}
    description = form.description.strip()
    if not description:
        errors["description"] = "Please tell us what happened."
    elif len(description) > DESCRIPTION_MAX:
        errors["description"] = (
            f"Please keep this under {DESCRIPTION_MAX:,} characters "
            f"(it has {len(description):,}). You can add more by replying to our message afterwards."
        )
    if form.category is None:
        errors["category"] = "Please choose the kind of behaviour that comes closest."
    if len(form.involved_user_ids) > INVOLVED_MAX:
        errors["involved"] = f"Please name at most {INVOLVED_MAX} people."
    elif reporter_id in form.involved_user_ids:
        errors["involved"] = "Name the other people involved; you don't need to add yourself."
    for name in ("others_involved", "location_text"):
        value = getattr(form, name)
        if value is not None and len(value) > SHORT_TEXT_MAX:
            errors[name] = f"Please keep this under {SHORT_TEXT_MAX} characters."
    return errors


@dataclass(frozen=True)
class Submitted:
    case: Case
    created: bool


def submit_report(
    session: Session,
    notifier: Notifier,
    *,
    form: ReportForm,
    reporter_id: str,
    submission_key: str,
    now: datetime,
) -> Submitted:
    """Store a report as a new case with its parties and first timeline entry, and queue the
    messages that follow from it. A submission seen before returns the case it created."""
    existing = session.scalar(select(Case).where(Case.submission_key == submission_key))
    if existing is not None:
        return Submitted(existing, created=False)
    errors = validate_report(form, reporter_id)
    if errors:
        raise InvalidReport(errors)

    report = Report(
        description=form.description.strip(),
        location_channel_id=form.location_channel_id,
        location_text=_clean(form.location_text),
        occurred_on=form.occurred_on,
        occurred_at_time=form.occurred_at_time,
        others_involved=_clean(form.others_involved),
        evidence_channel_id=form.evidence.channel_id if form.evidence else None,
        evidence_ts=form.evidence.ts if form.evidence else None,
        evidence_author_id=form.evidence.author_id if form.evidence else None,
        evidence_excerpt=form.evidence.excerpt[:EXCERPT_MAX] if form.evidence else None,
    )
    case = open_case(
        session,
        submission_key=submission_key,
        report=report,
        reporter_id=reporter_id,
        involved=form.involved_user_ids,
        category=form.category,
        urgent=form.urgent,
        anonymous=form.anonymous,
        follow_up_allowed=form.follow_up_allowed,
        apology_wanted=form.apology_wanted,
        summary="Report received" + (" (urgent)" if form.urgent else ""),
        now=now,
    )

    notifier.to_organizers(case.id, MessageKind.CASE_CARD)
    notifier.to_organizers(case.id, MessageKind.CASE_DETAILS)
    if form.involved_user_ids:
        # Whether they were named before is decided when the case has its channel.
        notifier.to_organizers(case.id, MessageKind.PATTERN_NOTE)
    notifier.to_reporter(case.id, MessageKind.RECEIPT)
    return Submitted(case, created=True)


def open_case(
    session: Session,
    *,
    submission_key: str,
    report: Report,
    reporter_id: str,
    involved: Iterable[str],
    category: Category,
    summary: str,
    now: datetime,
    urgent: bool = False,
    anonymous: bool = False,
    follow_up_allowed: bool = True,
    apology_wanted: bool = False,
    self_report: bool = False,
) -> Case:
    """A new case with its report, its parties and its first timeline entry (for /report and
    /ownup alike). The first entry names no actor for an anonymous reporter."""
    case = Case(
        number=_next_case_number(session),
        submission_key=submission_key,
        status=CaseStatus.NEW,
        category=category,
        urgent=urgent,
        anonymous=anonymous,
        follow_up_allowed=follow_up_allowed,
        apology_wanted=apology_wanted,
        self_report=self_report,
        created_at=now,
        updated_at=now,
        reporter_contacted_at=now,  # the receipt DM
    )
    case.report = report
    case.parties.append(Party(role=PartyRole.REPORTER, slack_user_id=reporter_id))
    for user_id in dict.fromkeys(involved):
        case.parties.append(Party(role=PartyRole.INVOLVED, slack_user_id=user_id))
    actor = None if anonymous else reporter_id
    case.timeline.append(TimelineEntry(kind=TimelineKind.CREATED, actor_id=actor, at=now, summary=summary))
    session.add(case)
    session.flush()
    return case


def _next_case_number(session: Session) -> int:
    # UPDATE takes the counter row's lock until commit, so concurrent reports get
    # consecutive numbers with no gaps and no duplicates.
    return session.execute(
        update(Counter).where(Counter.name == "case").values(value=Counter.value + 1).returning(Counter.value)
    ).scalar_one()


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None
