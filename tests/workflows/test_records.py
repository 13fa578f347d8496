"""The record queries: one case in full, masked for an anonymous reporter, and the cases that
name a person (their rendering is tested in tests/slack_app/test_render.py)."""

from datetime import timedelta

import pytest

from db.enums import ActionKind, ActionResult, CaseStatus, Category, Outcome, Routing, TimelineKind
from db.models import Case
from tests.workflows.record_cases import (
    ESCALATION_CHANNEL,
    ORGANIZERS_CHANNEL,
    T0,
    make_anonymous_case,
    make_handled_case,
    name_pat_in_three_cases,
    report,
)
from workflows.errors import NotFound
from workflows.records import ActionRecord, ReportRecord, case_record, earlier_cases_naming, person_history


@pytest.fixture
def handled_case(session) -> Case:
    return make_handled_case(session)


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


def test_an_anonymous_reporter_is_never_named(session):
    case = make_anonymous_case(session)

    record = case_record(session, case.reference)

    assert "U0SECRET9" not in repr(record)
    assert (record.anonymous, record.reporter) == (True, "anonymous")
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
    name_pat_in_three_cases(session)

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
    for reporter in ("U0ALEX", "U0ROBIN"):
        assert reporter not in repr(history)
    # Reporting is not being named.
    assert person_history(session, "U0ALEX") == []
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
