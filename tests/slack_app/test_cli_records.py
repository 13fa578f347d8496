"""``speakout case`` and ``speakout person`` as an organizer runs them: a real process
reading the test database."""

import json
import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from db.enums import ActionKind, ActionResult, Category, TimelineKind
from db.models import Case, CaseAction, TimelineEntry
from db.session import make_sessionmaker
from tests.conftest import TEST_ENCRYPTION_KEY
from tests.workflows.recording import RecordingNotifier
from workflows.reports import ReportForm, submit_report
from workflows.routing import Channels, Membership, route_case

T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
SETTING_PREFIXES = ("SLACK_", "ORGANIZER_", "ESCALATION_")
CHANNELS = Channels(organizers="C0ORGANIZE", escalation="C0ESCALATE")
MEMBERS = Membership(organizers=frozenset({"U0ORG1"}), escalation=frozenset({"U0LEAD"}))


def speakout(tmp_path: Path, *args: str, database_url: str) -> subprocess.CompletedProcess[str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith(SETTING_PREFIXES)}
    env.update(
        DATABASE_URL=database_url,
        SPEAKOUT_ENV_FILE="/nonexistent",
        LOG_LEVEL="INFO",
        ENCRYPTION_KEY=TEST_ENCRYPTION_KEY,
    )
    return subprocess.run(
        [sys.executable, "-m", "slack_app", *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def one_line(stderr: str) -> str:
    lines = stderr.splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got:\n{stderr}"
    return lines[0]


def report(session: Session, key: str, involved: tuple[str, ...], now: datetime) -> Case:
    form = ReportForm(
        description="He followed me after the keynote.\nTwice.",
        category=Category.STALKING,
        anonymous=True,
        follow_up_allowed=False,
        apology_wanted=False,
        involved_user_ids=involved,
    )
    case = submit_report(
        session, RecordingNotifier(), form=form, reporter_id="U0SECRET9", submission_key=key, now=now
    ).case
    return route_case(session, case_id=case.id, channels=CHANNELS, members=MEMBERS, now=now)


@pytest.fixture
def cases(clean_db: Engine) -> None:
    """CoC-0001: an anonymous report naming U0PAT, with a warning recorded; CoC-0002:
    escalated, naming U0PAT and an organizer."""
    with make_sessionmaker(clean_db).begin() as session:
        first = report(session, "V1", ("U0PAT",), T0)
        first.timeline.append(
            TimelineEntry(
                kind=TimelineKind.REPORTER_MESSAGE,
                at=T0 + timedelta(hours=1),
                summary="The reporter added information",
                body="He was at the party too.",
            )
        )
        first.actions.append(
            CaseAction(
                kind=ActionKind.FORMAL_WARNING,
                subject_id="U0PAT",
                decided_by="U0ORG1",
                reason="Following someone is harassment.",
                channel_ids=[],
                result=ActionResult.RECORDED,
                at=T0 + timedelta(hours=2),
            )
        )
        report(session, "V2", ("U0PAT", "U0ORG1"), T0 + timedelta(days=1))


def test_case_show_prints_the_record(tmp_path: Path, database_url: str, cases):
    result = speakout(tmp_path, "case", "show", "CoC-0001", database_url=database_url)

    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0] == "# CoC-0001"
    for line in [
        "- **Category:** Stalking, following, or unwanted photography or recording",
        "- **Status:** New",
        "- **Reported:** 2026-11-25 09:00 UTC",
        "- **Reported by:** anonymous (the reporter chose not to be named)",
        "- **Involved:** @U0PAT",
        "- **Lives in:** Organizers' channel #C0ORGANIZE",
        "- **Follow-up:** the reporter asked not to be contacted",
        "> He followed me after the keynote.",
        "> Twice.",
        "1. **Formal warning** for @U0PAT, 2026-11-25 11:00 UTC",
        "- 2026-11-25 10:00 UTC · Message from the reporter · the reporter: The reporter added information",
        "  > He was at the party too.",
    ]:
        assert line in lines, line
    assert "U0SECRET9" not in result.stdout
    assert not list(tmp_path.iterdir())  # showing writes nothing


def test_case_export_writes_markdown_only_its_owner_can_read(tmp_path: Path, database_url: str, cases):
    result = speakout(tmp_path, "case", "export", "CoC-0001", "--format", "md", database_url=database_url)

    assert result.returncode == 0, result.stderr
    assert result.stdout == "Wrote CoC-0001.md\n"
    written = tmp_path / "CoC-0001.md"
    assert written.stat().st_mode & 0o777 == 0o600
    shown = speakout(tmp_path, "case", "show", "CoC-0001", database_url=database_url)
    exported = written.read_text(encoding="utf-8")
    # The same record; the access log has grown by the showing since.
    assert exported.split("## Access log")[0] == shown.stdout.split("## Access log")[0]
    log = shown.stdout.split("## Access log")[1].strip().splitlines()
    assert [line.split(" · ", 2)[2] for line in log] == [
        "exported the record",
        "showed the record (speakout case show)",
    ]
    assert all(line.split(" · ")[1].startswith("cli:") for line in log)


def test_case_export_writes_json(tmp_path: Path, database_url: str, cases):
    target = tmp_path / "records" / "escalated.json"
    target.parent.mkdir()
    target.write_text("an older export")
    target.chmod(0o644)

    result = speakout(
        tmp_path, "case", "export", "CoC-0002", "--format", "json", "--output", str(target), database_url=database_url
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout == f"Wrote {target}\n"
    assert target.stat().st_mode & 0o777 == 0o600
    data = json.loads(target.read_text(encoding="utf-8"))
    assert (data["reference"], data["category"], data["status"], data["routing"], data["channel_id"]) == (
        "CoC-0002",
        "stalking",
        "new",
        "escalated",
        "C0ESCALATE",
    )
    assert (data["anonymous"], data["reporter"], data["involved"]) == (True, "anonymous", ["U0PAT", "U0ORG1"])
    assert data["created_at"] == "2026-11-26T09:00:00Z"
    assert data["report"]["description"] == "He followed me after the keynote.\nTwice."
    assert [(entry["kind"], entry["actor"]) for entry in data["timeline"]] == [
        ("created", "Speak Out"),
        ("routed", "Speak Out"),
    ]
    ((access,),) = [data["access_log"]]  # this export, on record in the export itself
    assert access["what"] == "exported" and access["who"].startswith("cli:") and access["at"].endswith("Z")
    assert "U0SECRET9" not in target.read_text(encoding="utf-8")


def test_person_history_lists_the_cases_naming_them(tmp_path: Path, database_url: str, cases):
    result = speakout(tmp_path, "person", "history", "U0PAT", database_url=database_url)

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "U0PAT is named in 2 cases:",
        "CoC-0001  2026-11-25  Stalking, following, or unwanted photography or recording; status: New",
        "CoC-0002  2026-11-26  Stalking, following, or unwanted photography or recording; status: New; escalated",
    ]
    # The reporter of both cases is named in none.
    reporter = speakout(tmp_path, "person", "history", "U0SECRET9", database_url=database_url)
    assert (reporter.returncode, reporter.stdout) == (0, "No cases name U0SECRET9.\n")
    # Each case listed records the lookup in its access log.
    for reference in ("CoC-0001", "CoC-0002"):
        shown = speakout(tmp_path, "case", "show", reference, database_url=database_url).stdout
        assert "looked up a person's history, which lists this case" in shown.split("## Access log")[1]


def test_an_unknown_reference_is_one_line(tmp_path: Path, database_url: str, cases):
    unknown = speakout(tmp_path, "case", "show", "CoC-9999", database_url=database_url)
    assert (unknown.returncode, unknown.stdout) == (2, "")
    assert one_line(unknown.stderr) == "speakout: no case CoC-9999"

    malformed = speakout(tmp_path, "case", "export", "hello", database_url=database_url)
    assert (malformed.returncode, malformed.stdout) == (2, "")
    assert one_line(malformed.stderr) == 'speakout: "hello" is not a case reference (they look like CoC-0042)'
    assert not list(tmp_path.iterdir())


def test_a_bad_user_id_is_one_line(tmp_path: Path, database_url: str):
    result = speakout(tmp_path, "person", "history", "u0123abcd", database_url=database_url)

    assert (result.returncode, result.stdout) == (2, "")
    assert one_line(result.stderr) == "speakout: 'u0123abcd' is not a Slack user id (they look like U0123ABCD)"


@pytest.mark.parametrize("args", [("case", "show", "CoC-0001"), ("person", "history", "U0PAT")])
def test_a_database_without_tables_says_to_upgrade(tmp_path: Path, args):
    database = tmp_path / "nothing-here.db"

    result = speakout(tmp_path, *args, database_url=f"sqlite:///{database}")

    assert (result.returncode, result.stdout) == (2, "")
    assert one_line(result.stderr) == ("speakout: the database has no Speak Out tables yet: run `speakout db upgrade`")
    assert not database.exists()  # reading never creates a database


def test_a_database_from_an_older_version_says_to_upgrade(tmp_path: Path):
    database = tmp_path / "old.db"
    with sqlite3.connect(database) as connection:
        connection.execute("CREATE TABLE cases (id INTEGER PRIMARY KEY)")

    result = speakout(tmp_path, "case", "show", "CoC-0001", database_url=f"sqlite:///{database}")

    assert (result.returncode, result.stdout) == (2, "")
    assert one_line(result.stderr) == "speakout: the database is from an older version: run `speakout db upgrade`"
