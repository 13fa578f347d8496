"""``speakout reminders list`` as an organizer runs it: a real process reading the test database."""

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine

from db.enums import Category
from db.session import make_sessionmaker
from tests.conftest import TEST_ENCRYPTION_KEY
from tests.workflows.recording import RecordingNotifier
from workflows.reminders import ReminderPolicy, install_planning
from workflows.reports import ReportForm, submit_report
from workflows.routing import Channels, Membership, route_case

T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
SETTING_PREFIXES = ("SLACK_", "ORGANIZER_", "ESCALATION_", "ENCRYPTION_", "REMIND", "SCHEDULER_")


def speakout(tmp_path: Path, *args: str, database_url: str) -> subprocess.CompletedProcess[str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith(SETTING_PREFIXES)}
    env.update(
        DATABASE_URL=database_url,
        ENCRYPTION_KEY=TEST_ENCRYPTION_KEY,
        SPEAKOUT_ENV_FILE="/nonexistent",
        LOG_LEVEL="INFO",
    )
    return subprocess.run(
        [sys.executable, "-m", "slack_app", *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def file_case(engine: Engine) -> None:
    """CoC-0001, filed at T0 with follow-up allowed and routed to the organizers, with the
    reminders the app plans for it (the default policy)."""
    sessions = make_sessionmaker(engine)
    install_planning(sessions, ReminderPolicy(), lambda: T0)
    form = ReportForm(
        description="He kept standing too close at the badge desk.",
        category=Category.HARASSMENT,
        anonymous=False,
        follow_up_allowed=True,
        apology_wanted=False,
        involved_user_ids=("U0PAT",),
    )
    with sessions.begin() as session:
        case = submit_report(
            session, RecordingNotifier(), form=form, reporter_id="U0REPORT1", submission_key="V1", now=T0
        ).case
        route_case(
            session,
            case_id=case.id,
            channels=Channels(organizers="C0ORGANIZE"),
            members=Membership(organizers=frozenset({"U0ORG1"})),
            now=T0,
        )


def test_reminders_list_shows_each_pending_reminder_of_a_case_with_its_due_time(database_url, clean_db, tmp_path):
    file_case(clean_db)

    result = speakout(tmp_path, "reminders", "list", database_url=database_url)

    assert result.returncode == 0, result.stderr
    header, *rows = result.stdout.splitlines()
    assert header.split() == ["case", "kind", "due", "(UTC)", "fired"]
    assert [row.split() for row in rows] == [
        ["CoC-0001", "ack_due", "2026-11-25", "09:30:00", "0"],
        ["CoC-0001", "stale", "2026-11-27", "09:00:00", "0"],
        ["CoC-0001", "reporter_update", "2026-11-28", "09:00:00", "0"],
    ]
    assert "He kept standing too close" not in result.stdout + result.stderr


def test_reminders_list_says_so_when_nothing_is_pending(database_url, clean_db, tmp_path):
    result = speakout(tmp_path, "reminders", "list", database_url=database_url)

    assert result.returncode == 0, result.stderr
    assert result.stdout == "No pending reminders.\n"
