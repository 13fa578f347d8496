"""Retention: closed cases lose their texts and names; what counting needs stays."""

import os
import subprocess
import sys
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from db.enums import ActionKind, Category, Outcome, SlackDeletion, TimelineKind
from db.models import Case, Party, PostedMessage
from db.session import make_sessionmaker
from tests.conftest import TEST_ENCRYPTION_KEY
from tests.workflows.recording import RecordingNotifier
from workflows import access, actions, cases
from workflows.errors import WorkflowError
from workflows.messages import MessageKind
from workflows.posted_messages import (
    deletion_summary,
    messages_to_delete,
    note_deletion,
    record_messages_deleted,
    remember_posted,
)
from workflows.reports import ReportForm, submit_report
from workflows.retention import purge_case, purge_expired_cases
from workflows.routing import Channels, Membership, route_case

ORGANIZERS = frozenset({"U0OLIVIA"})
OLIVIA = access.Actor("U0OLIVIA", ORGANIZERS)
WORDS = "He mocked my stutter during the panel"


def closed_case(session, clock, key="V1") -> Case:
    form = ReportForm(
        description=WORDS,
        category=Category.DISCRIMINATION,
        anonymous=False,
        follow_up_allowed=True,
        apology_wanted=False,
        involved_user_ids=("U0BLAKE",),
        others_involved="A man in a red cap",
    )
    case = submit_report(
        session, RecordingNotifier(), form=form, reporter_id="U0ALEX", submission_key=key, now=clock()
    ).case
    route_case(session, case_id=case.id, channels=Channels("C0ORGANIZE"), members=Membership(ORGANIZERS), now=clock())
    notifier = RecordingNotifier()
    cases.add_note(session, notifier, case_id=case.id, actor=OLIVIA, text="Spoke to the moderator", now=clock())
    actions.record_action(
        session,
        notifier,
        case_id=case.id,
        actor=OLIVIA,
        now=clock(),
        form=actions.ActionForm(kind=ActionKind.FORMAL_WARNING, subject_id="U0BLAKE", reason="Witnessed by two people"),
    )
    cases.close_case(
        session,
        notifier,
        case_id=case.id,
        actor=OLIVIA,
        outcome=Outcome.ACTION_TAKEN,
        summary="Warned formally",
        now=clock(),
    )
    return case


def test_a_case_past_retention_keeps_its_counts_and_loses_its_words_and_names(session, clock):
    case = closed_case(session, clock)
    clock.advance(days=29)
    assert purge_expired_cases(session, RecordingNotifier(), now=clock(), retention=timedelta(days=30)) == 0
    clock.advance(days=2)
    assert purge_expired_cases(session, RecordingNotifier(), now=clock(), retention=timedelta(days=30)) == 1

    assert (case.reference, case.category, case.outcome) == ("CoC-0001", Category.DISCRIMINATION, Outcome.ACTION_TAKEN)
    assert case.report.description == "" and case.report.others_involved is None
    assert case.closing_summary is None
    assert all(entry.body is None for entry in case.timeline)
    assert [action.reason for action in case.actions] == [""]
    assert session.scalar(select(func.count()).select_from(Party).where(Party.case_id == case.id)) == 0
    assert case.timeline[-1].kind is TimelineKind.PURGED
    assert case.timeline[-1].summary == "Texts and names erased (retention: closed over 30 days ago)"
    # Purged once: the job doesn't come back to it.
    later = clock() + timedelta(days=400)
    assert purge_expired_cases(session, RecordingNotifier(), now=later, retention=timedelta(days=30)) == 0
    with pytest.raises(WorkflowError, match="already purged"):
        purge_case(session, RecordingNotifier(), case, now=clock(), why="on request")


def test_open_cases_and_a_zero_retention_are_left_alone(session, clock):
    closed_case(session, clock)
    clock.advance(days=1000)
    assert purge_expired_cases(session, RecordingNotifier(), now=clock(), retention=timedelta(0)) == 0


def test_speakout_case_purge_erases_one_case_on_request(clean_db, clock, database_url, tmp_path):
    with make_sessionmaker(clean_db).begin() as session:
        closed_case(session, clock)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SPEAKOUT_ENV_FILE": "/nonexistent",
        "ENCRYPTION_KEY": TEST_ENCRYPTION_KEY,
    }

    def speakout(*args):
        return subprocess.run(
            [sys.executable, "-m", "slack_app", "case", "purge", *args],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )

    refused = speakout("CoC-0001")
    assert refused.returncode == 2 and "add --yes" in refused.stderr
    done = speakout("CoC-0001", "--yes")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Erased the texts and names of CoC-0001")
    with clean_db.connect() as connection:
        assert connection.scalar(text("SELECT count(*) FROM parties")) == 0
        assert connection.scalar(text("SELECT purged_at IS NOT NULL FROM cases"))
    with make_sessionmaker(clean_db).begin() as session:
        assert session.scalar(select(Case)).report.description == ""
    assert speakout("CoC-0099", "--yes").stderr.strip() == "speakout: no case CoC-0099"


def test_purging_asks_for_the_cases_slack_messages_to_be_deleted_after_what_is_queued(session, clock):
    case = closed_case(session, clock)
    notifier = RecordingNotifier()
    purge_case(session, notifier, case, now=clock(), why="on request")
    assert notifier.kinds() == [("organizers", MessageKind.DELETE_SLACK_MESSAGES)]


def test_the_deleted_messages_are_told_in_counts_and_then_forgotten(session, clock):
    case = closed_case(session, clock)
    for number in range(5):
        remember_posted(session, case_id=case.id, channel="C0ORGANIZE", ts=f"1.{number}", now=clock())
    remember_posted(session, case_id=case.id, channel="C0ORGANIZE", ts="1.0", now=clock())  # found again: once
    outcomes = [SlackDeletion.DELETED] * 3 + [SlackDeletion.ALREADY_GONE, SlackDeletion.UNREACHABLE]
    for posted, outcome in zip(messages_to_delete(session, case.id), outcomes, strict=True):
        note_deletion(session, posted.id, outcome, "not_in_channel" if outcome is SlackDeletion.UNREACHABLE else None)
    assert messages_to_delete(session, case.id) == []

    record_messages_deleted(session, case_id=case.id, now=clock())

    entry = case.timeline[-1]
    assert entry.kind is TimelineKind.MESSAGES_DELETED and entry.body is None
    assert entry.summary == "Slack messages deleted: 4 (1 already gone); 1 left in channels the app can no longer reach"
    assert session.scalar(select(func.count()).select_from(PostedMessage)) == 0
    assert deletion_summary(Counter({SlackDeletion.DELETED: 14})) == "Slack messages deleted: 14"
