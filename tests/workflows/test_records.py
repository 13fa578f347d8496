import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from db.models import (
    ActionKind,
    ActionResult,
    Case,
    CaseAction,
    CaseStatus,
    Category,
    Outcome,
    Routing,
    TimelineEntry,
    TimelineKind,
)
from tests.workflows.recording import RecordingNotifier
from workflows.errors import NotFound
from workflows.records import (
    ActionRecord,
    ReportRecord,
    case_record,
    earlier_cases_naming,
    person_history,
    render_history,
    render_json,
    render_markdown,
)
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


@pytest.fixture
def handled_case(session) -> Case:
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


def test_the_record_holds_the_whole_case(session, handled_case):
    record = case_record(session, "CoC-0001")

    assert (record.reference, record.category, record.status, record.outcome) == (
        "CoC-0001",
        Category.DISRUPTION,
        CaseStatus.CLOSED,
        Outcome.ACTION_TAKEN,
    )
    assert (record.urgent, record.created_at, record.routing, record.channel_id) == (
        True,
        T0,
        Routing.ORGANIZERS,
        ORGANIZERS_CHANNEL,
    )
    assert (record.anonymous, record.reporter, record.involved) == (False, "U0NAMED", ("U0HARASS", "U0FRIEND"))
    assert (record.follow_up_allowed, record.apology_wanted) == (True, True)
    assert (record.assignee_id, record.acknowledged_by, record.acknowledged_at) == (
        "U0ORG2",
        "U0ORG1",
        T0 + timedelta(minutes=7),
    )
    assert (record.closing_summary, record.closed_at) == ("He apologised and stopped.", T0 + timedelta(days=1))
    assert record.report == ReportRecord(
        description="He kept interrupting my talk.\n\nThen he followed me to the <#C0SOCIAL> meetup.",
        location_channel_id="C0TALKS",
        location_text="Room 2",
        occurred_on="2026-11-24",
        occurred_at_time="14:30",
        others_involved="A venue volunteer",
        evidence_channel_id="C0TALKS",
        evidence_ts="1764000000.000100",
        evidence_author_id="U0HARASS",
        evidence_excerpt="sit down",
    )
    assert record.actions == (
        ActionRecord(
            kind=ActionKind.ASKED_TO_STOP,
            subject_id="U0HARASS",
            decided_by="U0ORG2",
            reason="Interrupting a speaker breaks the Code of Conduct.",
            message="Please let speakers finish.",
            channel_ids=(),
            result=ActionResult.RECORDED,
            result_detail=None,
            at=T0 + timedelta(hours=1),
        ),
    )
    assert [(entry.at - T0, entry.kind, entry.actor, entry.summary) for entry in record.timeline] == [
        (timedelta(0), TimelineKind.CREATED, "U0NAMED", "Report received (urgent)"),
        (timedelta(0), TimelineKind.ROUTED, "Speak Out", "Sent to the organizers' channel"),
        (timedelta(minutes=7), TimelineKind.ACKNOWLEDGED, "U0ORG1", "Acknowledged the case"),
        (timedelta(minutes=8), TimelineKind.ASSIGNED, "U0ORG1", "Assigned the case to <@U0ORG2>"),
        (timedelta(minutes=30), TimelineKind.REPORTER_MESSAGE, "U0NAMED", "The reporter added information"),
        (
            timedelta(hours=1),
            TimelineKind.ACTION_RECORDED,
            "U0ORG2",
            "Recorded an action: asked to stop for <@U0HARASS>",
        ),
        (timedelta(days=1), TimelineKind.CLOSED, "U0ORG1", "Closed the case: action_taken"),
    ]
    assert record.timeline[4].body == "It happened twice."


def test_the_markdown_reads_as_a_record(session, handled_case):
    markdown = render_markdown(case_record(session, "CoC-0001"))
    lines = markdown.splitlines()

    assert lines[0] == "# CoC-0001"
    for line in [
        "- **Category:** Sustained disruption of a talk or session",
        "- **Status:** Closed",
        "- **Outcome:** Action taken",
        "- **Urgent:** yes",
        "- **Reported:** 2026-11-25 09:00 UTC",
        "- **Reported by:** @U0NAMED",
        "- **Involved:** @U0HARASS, @U0FRIEND",
        "- **Lives in:** Organizers' channel #C0ORGANIZE",
        "- **Apology:** the reporter would like an apology",
        "- **Lead:** @U0ORG2",
        "- **Acknowledged:** @U0ORG1, 2026-11-25 09:07 UTC",
        "- **Closed:** 2026-11-26 09:00 UTC",
        "- **Where:** #C0TALKS, Room 2",
        "- **When:** 2026-11-24 14:30 (the reporter's local time)",
        "- **Others involved, not in Slack:** A venue volunteer",
        "- **Evidence:** a message by @U0HARASS in #C0TALKS:",
        "  > sit down",
        "1. **Asked to stop (a message from the organizers)** for @U0HARASS, 2026-11-25 10:00 UTC",
        "   - Decided by: @U0ORG2",
        "     > Interrupting a speaker breaks the Code of Conduct.",
        "     > Please let speakers finish.",
        "   - Result: Recorded",
        "- 2026-11-25 09:00 UTC · Report received · @U0NAMED: Report received (urgent)",
        "- 2026-11-25 09:00 UTC · Routed · Speak Out: Sent to the organizers' channel",
        "- 2026-11-25 09:08 UTC · Assigned · @U0ORG1: Assigned the case to @U0ORG2",
        "- 2026-11-25 09:30 UTC · Message from the reporter · @U0NAMED: The reporter added information",
        "  > It happened twice.",
    ]:
        assert line in lines, line
    # "What happened" is the reporter's own words, quoted line by line.
    what_happened = markdown.split("## What happened\n\n")[1]
    assert what_happened.startswith(
        "> He kept interrupting my talk.\n>\n> Then he followed me to the #C0SOCIAL meetup.\n"
    )
    assert "## Closing summary\n\n> He apologised and stopped.\n" in markdown
    assert markdown.index("## What happened") < markdown.index("## Actions") < markdown.index("## Timeline")


def test_the_json_keeps_values_utc_times_and_a_stable_order(session, handled_case):
    text = render_json(case_record(session, "CoC-0001"))
    data = json.loads(text)

    assert list(data)[:10] == [
        "reference",
        "category",
        "status",
        "urgent",
        "created_at",
        "routing",
        "channel_id",
        "anonymous",
        "reporter",
        "involved",
    ]
    assert (data["category"], data["status"], data["outcome"], data["routing"]) == (
        "disruption",
        "closed",
        "action_taken",
        "organizers",
    )
    assert (data["created_at"], data["closed_at"]) == ("2026-11-25T09:00:00Z", "2026-11-26T09:00:00Z")
    assert data["reporter"] == "U0NAMED"
    assert data["report"]["evidence_excerpt"] == "sit down"
    assert data["actions"] == [
        {
            "kind": "asked_to_stop",
            "subject_id": "U0HARASS",
            "decided_by": "U0ORG2",
            "reason": "Interrupting a speaker breaks the Code of Conduct.",
            "message": "Please let speakers finish.",
            "channel_ids": [],
            "result": "recorded",
            "result_detail": None,
            "at": "2026-11-25T10:00:00Z",
        }
    ]
    assert data["timeline"][1] == {
        "at": "2026-11-25T09:00:00Z",
        "kind": "routed",
        "actor": "Speak Out",
        "summary": "Sent to the organizers' channel",
        "body": None,
    }
    assert render_json(case_record(session, "CoC-0001")) == text


def test_an_anonymous_reporter_is_never_named(session):
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

    record = case_record(session, case.reference)
    markdown, exported = render_markdown(record), render_json(record)

    assert "U0SECRET9" not in markdown
    assert "U0SECRET9" not in exported
    assert (record.anonymous, record.reporter) == (True, "anonymous")
    assert "- **Reported by:** anonymous (the reporter chose not to be named)" in markdown.splitlines()
    assert [(entry.kind, entry.actor) for entry in record.timeline] == [
        (TimelineKind.CREATED, "Speak Out"),
        (TimelineKind.ROUTED, "Speak Out"),
        (TimelineKind.REPORTER_MESSAGE, "the reporter"),
        (TimelineKind.ASSIGNED, "the reporter"),
    ]
    assert record.timeline[3].summary == "Assigned the case to the reporter"
    assert (record.assignee_id, record.report.evidence_author_id) == ("the reporter", "the reporter")


def test_references_are_looked_up_by_number(session, handled_case):
    assert case_record(session, " coc-1 ").reference == "CoC-0001"
    with pytest.raises(NotFound) as unknown:
        case_record(session, "CoC-9999")
    assert str(unknown.value) == "no case CoC-9999"
    with pytest.raises(NotFound) as malformed:
        case_record(session, "hello")
    assert str(malformed.value) == '"hello" is not a case reference (they look like CoC-0042)'


def test_a_persons_history_lists_the_cases_naming_them_oldest_first_and_never_who_reported(session):
    first = report(session, T0, reporter="U0ALEX", involved=("U0PAT", "U0SAM"))
    close(session, first, T0 + timedelta(hours=5), Outcome.ACTION_TAKEN, "Warned.")
    report(session, T0 + timedelta(days=1), reporter="U0PAT", involved=("U0SAM",))  # Pat only reported this one
    report(session, T0 + timedelta(days=2), reporter="U0ROBIN", anonymous=True, involved=("U0PAT", "U0ORG1"))
    report(session, T0 + timedelta(days=3), reporter="U0ALEX", involved=("U0PAT", "U0ORG1", "U0LEAD"))

    history = person_history(session, "U0PAT")

    assert [(entry.reference, entry.created_at, entry.routing, entry.channel_id) for entry in history] == [
        ("CoC-0001", T0, Routing.ORGANIZERS, ORGANIZERS_CHANNEL),
        ("CoC-0003", T0 + timedelta(days=2), Routing.ESCALATED, ESCALATION_CHANNEL),
        ("CoC-0004", T0 + timedelta(days=3), Routing.HELD, None),
    ]
    assert (history[0].status, history[0].outcome, history[0].names) == (
        CaseStatus.CLOSED,
        Outcome.ACTION_TAKEN,
        ("U0PAT",),
    )
    text = render_history("U0PAT", history)
    assert text.splitlines() == [
        "U0PAT is named in 3 cases:",
        "CoC-0001  2026-11-25  Harassment or intimidation; status: Closed; outcome: Action taken",
        "CoC-0003  2026-11-27  Harassment or intimidation; status: New; escalated",
        "CoC-0004  2026-11-28  Harassment or intimidation; status: New; held",
    ]
    for reporter in ("U0ALEX", "U0ROBIN"):
        assert reporter not in repr(history)
        assert reporter not in text
    # Reporting is not being named.
    assert person_history(session, "U0ALEX") == []
    assert render_history("U0ALEX", []) == "No cases name U0ALEX.\n"
    assert [entry.reference for entry in person_history(session, "U0SAM")] == ["CoC-0001", "CoC-0002"]


def test_earlier_cases_naming_stay_within_the_case_channel(session):
    report(session, T0, reporter="U0ALEX", involved=("U0PAT",))
    report(session, T0 + timedelta(days=1), reporter="U0ALEX", involved=("U0SAM", "U0PAT"))
    escalated = report(session, T0 + timedelta(days=2), reporter="U0ALEX", involved=("U0PAT", "U0ORG1"))
    held = report(session, T0 + timedelta(days=3), reporter="U0ALEX", involved=("U0PAT", "U0ORG1", "U0LEAD"))
    kim = report(session, T0 + timedelta(days=4), reporter="U0PAT", involved=("U0KIM",))
    current = report(session, T0 + timedelta(days=5), reporter="U0KIM", involved=("U0PAT", "U0SAM"))
    later = report(session, T0 + timedelta(days=6), reporter="U0KIM", involved=("U0PAT",))
    assert (escalated.routing, held.routing) == (Routing.ESCALATED, Routing.HELD)

    earlier = earlier_cases_naming(
        session, ["U0PAT", "U0SAM"], channel_id=ORGANIZERS_CHANNEL, before_case_id=current.id
    )

    assert [(entry.reference, entry.names) for entry in earlier] == [
        ("CoC-0001", ("U0PAT",)),
        ("CoC-0002", ("U0PAT", "U0SAM")),
    ]
    # From the escalation channel only the escalated case shows, never the held one.
    from_escalation = earlier_cases_naming(session, ["U0PAT"], channel_id=ESCALATION_CHANNEL, before_case_id=later.id)
    assert [(entry.reference, entry.channel_id) for entry in from_escalation] == [("CoC-0003", ESCALATION_CHANNEL)]
    assert earlier_cases_naming(session, [], channel_id=ORGANIZERS_CHANNEL, before_case_id=later.id) == []
    # Only cases before the one asking count.
    assert earlier_cases_naming(session, ["U0KIM"], channel_id=ORGANIZERS_CHANNEL, before_case_id=kim.id) == []
