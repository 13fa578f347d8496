"""A report is received whole before Slack is answered, and opened as a case right after."""

import pytest
from sqlalchemy import Text, cast, func, select

from db.enums import Category
from db.models import Case, ReceivedReport
from tests.workflows.recording import RecordingNotifier
from workflows.errors import InvalidReport
from workflows.intake import note_failed_attempt, open_received_report, receive_report, waiting_reports
from workflows.reports import Evidence, ReportForm

REPORTER = "U0REPORTER"
DESCRIPTION = "He kept filming me in the hallway after I asked him to stop."


def form(**changes) -> ReportForm:
    values = dict(
        description=DESCRIPTION,
        category=Category.STALKING,
        anonymous=True,
        follow_up_allowed=False,
        apology_wanted=True,
        urgent=True,
        involved_user_ids=("U0FILMER01", "U0FILMER02"),
        others_involved="a photographer without a badge",
        location_channel_id="C0HALLWAY1",
        location_text="hallway B",
        occurred_on="2026-11-24",
        occurred_at_time="14:30",
        evidence=Evidence(channel_id="C0HALLWAY1", ts="1700000000.000100", author_id="U0FILMER01", excerpt="smile!"),
    )
    values.update(changes)
    return ReportForm(**values)


def receive(session, clock, key: str = "V1", **changes) -> bool:
    return receive_report(session, form=form(**changes), reporter_id=REPORTER, submission_key=key, now=clock())


def test_a_received_report_becomes_a_case_with_everything_the_reporter_sent(session, clock):
    received_at = clock()
    assert receive(session, clock)
    clock.advance(seconds=2)
    (waiting,) = waiting_reports(session)
    notifier = RecordingNotifier()

    case = open_received_report(session, notifier, waiting.id)

    assert case.reference == "CoC-0001" and case.submission_key == "V1"
    assert case.created_at == received_at  # dated when it was sent, not when it was opened
    assert (case.category, case.urgent, case.anonymous, case.follow_up_allowed, case.apology_wanted) == (
        Category.STALKING,
        True,
        True,
        False,
        True,
    )
    report = case.report
    assert (report.description, report.others_involved, report.location_text) == (
        DESCRIPTION,
        "a photographer without a badge",
        "hallway B",
    )
    assert (report.location_channel_id, report.occurred_on, report.occurred_at_time) == (
        "C0HALLWAY1",
        "2026-11-24",
        "14:30",
    )
    assert (report.evidence_ts, report.evidence_author_id, report.evidence_excerpt) == (
        "1700000000.000100",
        "U0FILMER01",
        "smile!",
    )
    assert sorted(p.slack_user_id for p in case.parties) == ["U0FILMER01", "U0FILMER02", REPORTER]
    assert ("reporter", "receipt") in notifier.kinds() and ("organizers", "case_card") in notifier.kinds()
    assert waiting_reports(session) == []


def test_invalid_input_is_refused_with_field_errors_and_nothing_is_received(session, clock):
    with pytest.raises(InvalidReport) as refused:
        receive(session, clock, description="  ", involved_user_ids=(REPORTER,))
    assert set(refused.value.errors) == {"description", "involved"}
    assert session.scalar(select(func.count()).select_from(ReceivedReport)) == 0


def test_the_same_submission_is_received_once_before_and_after_it_becomes_a_case(session, clock):
    assert receive(session, clock, key="V1")
    assert not receive(session, clock, key="V1")
    (waiting,) = waiting_reports(session)
    open_received_report(session, RecordingNotifier(), waiting.id)

    assert not receive(session, clock, key="V1")
    assert waiting_reports(session) == []
    assert session.scalar(select(func.count()).select_from(Case)) == 1


def test_a_report_already_opened_elsewhere_is_not_opened_twice(session, clock):
    receive(session, clock)
    (waiting,) = waiting_reports(session)
    assert open_received_report(session, RecordingNotifier(), waiting.id) is not None

    notifier = RecordingNotifier()
    assert open_received_report(session, notifier, waiting.id) is None
    assert notifier.sent == []
    assert session.scalar(select(func.count()).select_from(Case)) == 1


def test_reports_are_numbered_in_the_order_they_arrived(session, clock):
    for key in ("V1", "V2", "V3"):
        receive(session, clock, key=key)
        clock.advance(seconds=1)
    numbered = {}
    for waiting in waiting_reports(session):
        case = open_received_report(session, RecordingNotifier(), waiting.id)
        numbered[case.submission_key] = case.reference
    assert numbered == {"V1": "CoC-0001", "V2": "CoC-0002", "V3": "CoC-0003"}


def test_a_failed_attempt_is_counted_and_the_report_waits_for_the_next(session, clock):
    receive(session, clock)
    (waiting,) = waiting_reports(session)
    note_failed_attempt(session, waiting.id, "OperationalError")

    (still,) = waiting_reports(session)
    assert (still.id, still.attempts) == (waiting.id, 1)
    assert open_received_report(session, RecordingNotifier(), still.id).reference == "CoC-0001"


def test_what_the_reporter_sent_is_encrypted_while_it_waits(session, clock):
    receive(session, clock)
    stored = session.scalar(select(cast(ReceivedReport.submission, Text())))
    assert DESCRIPTION not in stored and REPORTER not in stored and "hallway" not in stored


def test_reports_that_failed_to_open_wait_behind_the_others(session, clock):
    for key in ("V1", "V2", "V3"):
        receive(session, clock, key=key)
    first, second, third = waiting_reports(session)
    note_failed_attempt(session, first.id, "OperationalError")

    assert [report.id for report in waiting_reports(session)] == [second.id, third.id, first.id]
    assert [report.id for report in waiting_reports(session, limit=2)] == [second.id, third.id]
