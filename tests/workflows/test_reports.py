import pytest
from sqlalchemy import func, select

from db.enums import CaseStatus, Category, PartyRole, TimelineKind
from db.models import Case, OutboxMessage, Party, TimelineEntry
from tests.workflows.recording import RecordingNotifier
from workflows.errors import InvalidReport
from workflows.outbox import OutboxNotifier
from workflows.reports import Evidence, ReportForm, submit_report, validate_report

REPORTER = "U0REPORTER"


def form(**changes) -> ReportForm:
    values = dict(
        description="He kept filming me after I asked him to stop.",
        category=Category.STALKING,
        anonymous=False,
        follow_up_allowed=True,
        apology_wanted=True,
        involved_user_ids=("U0FILMER01",),
    )
    values.update(changes)
    return ReportForm(**values)


def test_a_report_becomes_a_case_with_its_report_parties_and_first_timeline_entry(session, clock):
    notifier = RecordingNotifier()
    result = submit_report(
        session, notifier, form=form(urgent=True), reporter_id=REPORTER, submission_key="V1", now=clock()
    )

    case = session.get(Case, result.case.id)
    assert result.created
    assert case.reference == "CoC-0001"
    assert case.status is CaseStatus.NEW and case.urgent and case.category is Category.STALKING
    assert case.report.description == "He kept filming me after I asked him to stop."
    assert [(p.role, p.slack_user_id) for p in case.parties] == [
        (PartyRole.REPORTER, REPORTER),
        (PartyRole.INVOLVED, "U0FILMER01"),
    ]
    assert [(e.kind, e.actor_id, e.summary) for e in case.timeline] == [
        (TimelineKind.CREATED, REPORTER, "Report received (urgent)")
    ]
    assert notifier.kinds() == [
        ("organizers", "case_card"),
        ("organizers", "case_details"),
        ("organizers", "pattern_note"),
        ("reporter", "receipt"),
    ]


def test_references_are_sequential(session, clock):
    refs = [
        submit_report(
            session, RecordingNotifier(), form=form(), reporter_id=REPORTER, submission_key=f"V{i}", now=clock()
        ).case.reference
        for i in range(3)
    ]
    assert refs == ["CoC-0001", "CoC-0002", "CoC-0003"]


def test_the_same_submission_twice_is_one_case(session, clock):
    first = submit_report(
        session, RecordingNotifier(), form=form(), reporter_id=REPORTER, submission_key="V1", now=clock()
    )
    again = RecordingNotifier()
    second = submit_report(session, again, form=form(), reporter_id=REPORTER, submission_key="V1", now=clock())

    assert second.case.id == first.case.id and not second.created
    assert again.sent == []
    assert session.scalar(select(func.count()).select_from(Case)) == 1


def test_an_anonymous_reporter_is_not_recorded_as_the_actor(session, clock):
    result = submit_report(
        session, RecordingNotifier(), form=form(anonymous=True), reporter_id=REPORTER, submission_key="V1", now=clock()
    )
    assert result.case.timeline[0].actor_id is None
    # The app still knows who to write back to, through the reporter party only.
    assert result.case.reporter.slack_user_id == REPORTER


def test_outbox_rows_are_written_in_the_same_transaction(session, clock):
    submit_report(
        session, OutboxNotifier(session, clock()), form=form(), reporter_id=REPORTER, submission_key="V1", now=clock()
    )
    rows = session.execute(select(OutboxMessage.stream, OutboxMessage.kind).order_by(OutboxMessage.id)).all()
    assert [tuple(row) for row in rows] == [
        ("case-1/organizers", "case_card"),
        ("case-1/organizers", "case_details"),
        ("case-1/organizers", "pattern_note"),
        ("case-1/reporter", "receipt"),
    ]
    # No report text is copied into the outbox.
    payloads = session.scalars(select(OutboxMessage.payload)).all()
    assert all("filming" not in str(payload) for payload in payloads)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"description": "   "}, "description", "Please tell us what happened."),
        ({"description": "x" * 3001}, "description", "under 3,000 characters"),
        ({"category": None}, "category", "kind of behaviour"),
        ({"involved_user_ids": (REPORTER,)}, "involved", "don't need to add yourself"),
        ({"involved_user_ids": tuple(f"U{i:09d}" for i in range(21))}, "involved", "at most 20"),
        ({"others_involved": "y" * 501}, "others_involved", "under 500"),
        ({"location_text": "z" * 501}, "location_text", "under 500"),
    ],
)
def test_invalid_reports_are_refused_and_nothing_is_stored(session, clock, changes, field, message):
    assert message in validate_report(form(**changes), REPORTER)[field]
    with pytest.raises(InvalidReport) as refused:
        submit_report(
            session, RecordingNotifier(), form=form(**changes), reporter_id=REPORTER, submission_key="V1", now=clock()
        )
    assert field in refused.value.errors
    assert session.scalar(select(func.count()).select_from(Case)) == 0
    assert session.scalar(select(func.count()).select_from(TimelineEntry)) == 0
    assert session.scalar(select(func.count()).select_from(Party)) == 0


def test_evidence_excerpt_is_kept_short(session, clock):
    evidence = Evidence(channel_id="C0GENERAL1", ts="1700000000.000100", author_id="U0FILMER01", excerpt="e" * 900)
    case = submit_report(
        session,
        RecordingNotifier(),
        form=form(evidence=evidence),
        reporter_id=REPORTER,
        submission_key="V1",
        now=clock(),
    ).case
    assert len(case.report.evidence_excerpt) == 500
    assert case.report.evidence_ts == "1700000000.000100"
