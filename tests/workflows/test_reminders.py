"""Reminder rules with an injected clock: what is scheduled, fired, repeated and cancelled."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from db.enums import Category, Outcome, ReminderKind, ReminderState
from db.models import Case, Reminder
from db.session import make_sessionmaker
from tests.workflows.recording import RecordingNotifier
from workflows import access, cases
from workflows.reminder_firing import fire_due_reminders
from workflows.reminders import ReminderPolicy, install_planning
from workflows.reports import ReportForm, submit_report
from workflows.routing import Channels, Membership, route_case

POLICY = ReminderPolicy()
ORGANIZERS = frozenset({"U0OLIVIA", "U0OMAR"})
OLIVIA = access.Actor("U0OLIVIA", ORGANIZERS)


@pytest.fixture
def sessions(clean_db, clock):
    sessions = make_sessionmaker(clean_db)
    install_planning(sessions, POLICY, clock)
    return sessions


def file(sessions, clock, *, urgent=False, follow_up=True, key="V1") -> int:
    form = ReportForm(
        description="Stared and followed me.",
        category=Category.STALKING,
        anonymous=True,
        follow_up_allowed=follow_up,
        apology_wanted=False,
        urgent=urgent,
        involved_user_ids=("U0BLAKE",),
    )
    with sessions.begin() as session:
        case = submit_report(
            session, RecordingNotifier(), form=form, reporter_id="U0ALEX", submission_key=key, now=clock()
        ).case
        route_case(
            session,
            case_id=case.id,
            channels=Channels("C0ORGANIZE"),
            members=Membership(organizers=ORGANIZERS),
            now=clock(),
        )
        return case.id


def pending(sessions) -> dict[ReminderKind, object]:
    with sessions.begin() as session:
        rows = session.scalars(select(Reminder).where(Reminder.state == ReminderState.PENDING)).all()
        return {row.kind: row.due_at for row in rows}


def fire(sessions, clock) -> list[tuple[str, str, dict]]:
    notifier = RecordingNotifier()
    with sessions.begin() as session:
        fire_due_reminders(session, notifier, now=clock(), policy=POLICY)
    return [(audience, kind, payload) for audience, _, kind, payload in notifier.sent]


def act(sessions, clock, change, case_id, **kwargs):
    with sessions.begin() as session:
        change(session, RecordingNotifier(), case_id=case_id, actor=OLIVIA, now=clock(), **kwargs)


def test_a_new_case_gets_its_reminders_in_the_same_transaction(sessions, clock):
    file(sessions, clock)
    start = clock()
    assert pending(sessions) == {
        ReminderKind.ACK_DUE: start + timedelta(minutes=30),
        ReminderKind.STALE: start + timedelta(days=2),
        ReminderKind.REPORTER_UPDATE: start + timedelta(days=3),
    }


def test_urgent_cases_are_reminded_sooner_and_declined_follow_up_gets_no_updates(sessions, clock):
    file(sessions, clock, urgent=True, follow_up=False)
    due = pending(sessions)
    assert due[ReminderKind.ACK_DUE] == clock() + timedelta(minutes=5)
    assert ReminderKind.REPORTER_UPDATE not in due


def test_a_rolled_back_change_leaves_no_reminders(sessions, clock):
    with pytest.raises(RuntimeError), sessions.begin() as session:
        form = ReportForm(
            description="x", category=Category.OTHER, anonymous=False, follow_up_allowed=True, apology_wanted=False
        )
        submit_report(session, RecordingNotifier(), form=form, reporter_id="U0ALEX", submission_key="V1", now=clock())
        session.flush()
        raise RuntimeError("the transaction fails after the case was written")
    with sessions.begin() as session:
        assert session.scalar(select(func.count()).select_from(Reminder)) == 0
        assert session.scalar(select(func.count()).select_from(Case)) == 0


def test_nothing_fires_early_then_the_ack_reminder_repeats_and_escalates_after_the_third(sessions, clock):
    file(sessions, clock)
    clock.advance(minutes=29)
    assert fire(sessions, clock) == []

    sent = []
    for _ in range(4):
        clock.advance(minutes=30)
        sent += fire(sessions, clock)
    kinds = [kind for _, kind, _ in sent]
    assert kinds == ["ack_reminder", "ack_reminder", "ack_reminder", "ack_escalation", "ack_reminder"]
    assert [payload["count"] for _, kind, payload in sent if kind == "ack_reminder"] == [1, 2, 3, 4]


def test_after_downtime_a_due_reminder_fires_once_not_once_per_missed_interval(sessions, clock):
    file(sessions, clock)
    clock.advance(hours=5)
    assert [kind for _, kind, _ in fire(sessions, clock)] == ["ack_reminder"]
    assert fire(sessions, clock) == []
    assert pending(sessions)[ReminderKind.ACK_DUE] == clock() + timedelta(minutes=30)


def test_acknowledging_cancels_the_ack_reminder_and_closing_cancels_everything(sessions, clock):
    case_id = file(sessions, clock)
    clock.advance(minutes=10)
    act(sessions, clock, cases.acknowledge_case, case_id)
    assert ReminderKind.ACK_DUE not in pending(sessions)
    clock.advance(minutes=40)
    assert fire(sessions, clock) == []

    act(sessions, clock, cases.close_case, case_id, outcome=Outcome.NO_ACTION_NEEDED, summary="Resolved.")
    assert pending(sessions) == {}
    clock.advance(days=10)
    assert fire(sessions, clock) == []


def test_activity_pushes_the_stale_reminder_back_and_it_nudges_the_lead(sessions, clock):
    case_id = file(sessions, clock)
    act(sessions, clock, cases.acknowledge_case, case_id)
    clock.advance(days=1)
    act(sessions, clock, cases.add_note, case_id, text="Waiting for the venue.")
    assert pending(sessions)[ReminderKind.STALE] == clock() + timedelta(days=2)

    clock.advance(days=2)
    sent = fire(sessions, clock)
    assert ("organizers", "stale_nudge", {"days": 2}) in sent
    assert pending(sessions)[ReminderKind.STALE] == clock() + timedelta(days=2)
    assert all(kind != "stale_nudge" for _, kind, _ in fire(sessions, clock))


def test_a_reporter_who_heard_nothing_for_three_days_gets_a_status_update(sessions, clock):
    case_id = file(sessions, clock)
    act(sessions, clock, cases.acknowledge_case, case_id)  # the reporter heard from us today
    clock.advance(days=3)
    sent = fire(sessions, clock)
    assert ("reporter", "reporter_update", {}) in sent
    assert pending(sessions)[ReminderKind.REPORTER_UPDATE] == clock() + timedelta(days=3)

    clock.advance(days=1)
    act(sessions, clock, cases.message_reporter, case_id, text="Any news on your side?")
    assert pending(sessions)[ReminderKind.REPORTER_UPDATE] == clock() + timedelta(days=3)


def test_scheduling_again_replaces_never_duplicates(sessions, clock):
    case_id = file(sessions, clock)
    for _ in range(3):
        clock.advance(hours=1)
        act(sessions, clock, cases.add_note, case_id, text="note")
    with sessions.begin() as session:
        counts = session.execute(select(Reminder.kind, func.count()).group_by(Reminder.kind)).all()
    assert sorted(count for _, count in counts) == [1, 1, 1]


def test_a_zero_duration_turns_a_reminder_off(clean_db, clock):
    sessions = make_sessionmaker(clean_db)
    install_planning(sessions, ReminderPolicy(ack_after=timedelta(0), stale_after=timedelta(0)), clock)
    file(sessions, clock)
    assert set(pending(sessions)) == {ReminderKind.REPORTER_UPDATE}


def test_a_reminder_that_no_longer_applies_does_nothing(sessions, clock):
    case_id = file(sessions, clock)
    act(sessions, clock, cases.acknowledge_case, case_id)
    # As if it had come due just before the acknowledgement was committed.
    with sessions.begin() as session:
        reminder = session.scalar(select(Reminder).where(Reminder.kind == ReminderKind.ACK_DUE))
        reminder.state, reminder.due_at = ReminderState.PENDING, clock()
    assert fire(sessions, clock) == []
    with sessions.begin() as session:
        state = session.scalar(select(Reminder.state).where(Reminder.kind == ReminderKind.ACK_DUE))
        assert state is ReminderState.DONE
