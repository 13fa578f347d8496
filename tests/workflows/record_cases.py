"""Cases for the record tests: a handled case, an anonymous reporter's case, and a person
named in several. Used by the record queries' tests and the renderers' tests."""

import uuid
from datetime import UTC, datetime, timedelta

from db.enums import ActionKind, ActionResult, CaseStatus, Category, Outcome, TimelineKind
from db.models import Case, CaseAction, TimelineEntry
from tests.workflows.recording import RecordingNotifier
from workflows.reports import Evidence, ReportForm, submit_report
from workflows.routing import Channels, Membership, route_case

ORGANIZERS_CHANNEL = "C0ORGANIZE"
ESCALATION_CHANNEL = "C0ESCALATE"
CHANNELS = Channels(organizers=ORGANIZERS_CHANNEL, escalation=ESCALATION_CHANNEL)
MEMBERS = Membership(organizers=frozenset({"U0ORG1", "U0ORG2", "U0LEAD"}), escalation=frozenset({"U0LEAD"}))
T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def report(session, now, *, reporter, involved=(), anonymous=False, description="He kept interrupting me.", **fields):
    form = ReportForm(
        description=description,
        category=fields.pop("category", Category.HARASSMENT),
        anonymous=anonymous,
        follow_up_allowed=fields.pop("follow_up_allowed", True),
        apology_wanted=fields.pop("apology_wanted", False),
        involved_user_ids=tuple(involved),
        **fields,
    )
    case = submit_report(
        session, RecordingNotifier(), form=form, reporter_id=reporter, submission_key=uuid.uuid4().hex, now=now
    ).case
    return route_case(session, case_id=case.id, channels=CHANNELS, members=MEMBERS, now=now)


def note(session, case: Case, kind: TimelineKind, actor_id: str | None, at: datetime, summary: str, body=None):
    case.timeline.append(TimelineEntry(kind=kind, actor_id=actor_id, at=at, summary=summary, body=body))
    session.flush()


def close(session, case: Case, at: datetime, outcome: Outcome, summary: str) -> None:
    case.status, case.outcome, case.closing_summary, case.closed_at = CaseStatus.CLOSED, outcome, summary, at
    note(session, case, TimelineKind.CLOSED, "U0ORG1", at, f"Closed the case: {outcome.value}", body=summary)


def make_handled_case(session) -> Case:
    """A named reporter's case, taken from report to close with an action on the way."""
    case = report(
        session,
        T0,
        reporter="U0NAMED",
        involved=("U0HARASS", "U0FRIEND"),
        description="He kept interrupting my talk.\n\nThen he followed me to the <#C0SOCIAL> meetup.",
        category=Category.DISRUPTION,
        urgent=True,
        apology_wanted=True,
        location_channel_id="C0TALKS",
        location_text="Room 2",
        occurred_on="2026-11-24",
        occurred_at_time="14:30",
        others_involved="A venue volunteer",
        evidence=Evidence(channel_id="C0TALKS", ts="1764000000.000100", author_id="U0HARASS", excerpt="sit down"),
    )
    case.acknowledged_by, case.acknowledged_at, case.assignee_id = "U0ORG1", T0 + timedelta(minutes=7), "U0ORG2"
    case.status = CaseStatus.ACKNOWLEDGED
    note(session, case, TimelineKind.ACKNOWLEDGED, "U0ORG1", T0 + timedelta(minutes=7), "Acknowledged the case")
    note(session, case, TimelineKind.ASSIGNED, "U0ORG1", T0 + timedelta(minutes=8), "Assigned the case to <@U0ORG2>")
    note(
        session,
        case,
        TimelineKind.REPORTER_MESSAGE,
        "U0NAMED",
        T0 + timedelta(minutes=30),
        "The reporter added information",
        body="It happened twice.",
    )
    case.actions.append(
        CaseAction(
            kind=ActionKind.ASKED_TO_STOP,
            subject_id="U0HARASS",
            decided_by="U0ORG2",
            reason="Interrupting a speaker breaks the Code of Conduct.",
            message="Please let speakers finish.",
            channel_ids=[],
            result=ActionResult.RECORDED,
            at=T0 + timedelta(hours=1),
        )
    )
    note(
        session,
        case,
        TimelineKind.ACTION_RECORDED,
        "U0ORG2",
        T0 + timedelta(hours=1),
        "Recorded an action: asked to stop for <@U0HARASS>",
    )
    close(session, case, T0 + timedelta(days=1), Outcome.ACTION_TAKEN, "He apologised and stopped.")
    return case


def make_anonymous_case(session) -> Case:
    """An anonymous reporter's case, their id slipped into what organizers did."""
    case = report(
        session,
        T0,
        reporter="U0SECRET9",
        anonymous=True,
        involved=("U0HARASS",),
        evidence=Evidence(channel_id="C0TALKS", ts="1764000000.000200", author_id="U0SECRET9", excerpt="stop it"),
    )
    note(
        session,
        case,
        TimelineKind.REPORTER_MESSAGE,
        None,
        T0 + timedelta(hours=1),
        "The reporter added information",
        body="More detail.",
    )
    # Even where the reporter's id slipped into what organizers did (they are an organizer
    # themselves), the record says "the reporter".
    case.assignee_id = "U0SECRET9"
    note(
        session, case, TimelineKind.ASSIGNED, "U0SECRET9", T0 + timedelta(hours=2), "Assigned the case to <@U0SECRET9>"
    )
    return case


def name_pat_in_three_cases(session) -> None:
    """Pat named in three cases (one escalated, one held) and reporter of a fourth."""
    first = report(session, T0, reporter="U0ALEX", involved=("U0PAT", "U0SAM"))
    close(session, first, T0 + timedelta(hours=5), Outcome.ACTION_TAKEN, "Warned.")
    report(session, T0 + timedelta(days=1), reporter="U0PAT", involved=("U0SAM",))  # Pat only reported this one
    report(session, T0 + timedelta(days=2), reporter="U0ROBIN", anonymous=True, involved=("U0PAT", "U0ORG1"))
    report(session, T0 + timedelta(days=3), reporter="U0ALEX", involved=("U0PAT", "U0ORG1", "U0LEAD"))
