"""``speakout outbox list`` and ``speakout outbox retry`` as an admin runs them: a real process
reading the test database."""

from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from db.enums import OutboxState
from db.models import OutboxMessage
from db.session import make_sessionmaker
from tests.slack_app.test_cli_records import T0, one_line, report, speakout


@pytest.fixture
def outbox(clean_db: Engine) -> dict[str, int]:
    """A case with a sent card, a failed update, a paused thread line; and a failed DM."""
    with make_sessionmaker(clean_db).begin() as session:
        case = report(session, "V1", ("U0PAT",), T0)

        def add(kind, state, attempts=0, error=None, stream="case-1/organizers"):
            message = OutboxMessage(
                stream=stream,
                kind=kind,
                case_id=case.id,
                payload={"case_id": case.id},
                state=state,
                attempts=attempts,
                last_error=error,
                created_at=T0,
                available_at=T0,
            )
            session.add(message)
            session.flush()
            return message.id

        return {
            "sent": add("case_card", OutboxState.SENT, 1),
            "update": add("case_card_update", OutboxState.FAILED, 1, "message_not_found: the message was deleted"),
            "line": add("thread_line", OutboxState.PENDING, 0, "paused: is_archived: unarchive it"),
            "dm": add("receipt", OutboxState.FAILED, 1, "user_disabled: deactivated", stream="case-1/reporter"),
        }


def states(engine: Engine) -> dict[int, tuple[OutboxState, int]]:
    with make_sessionmaker(engine).begin() as session:
        return {m.id: (m.state, m.attempts) for m in session.scalars(select(OutboxMessage))}


def test_outbox_list_shows_what_waits_and_why_but_never_what_it_says(tmp_path: Path, database_url: str, outbox):
    result = speakout(tmp_path, "outbox", "list", database_url=database_url)

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 4  # the header and the three not sent
    update, line, dm = lines[1:]
    assert update.split()[:5] == [str(outbox["update"]), "case_card_update", "CoC-0001", "failed", "1"]
    assert update.endswith("message_not_found: the message was deleted")
    assert line.split()[:5] == [str(outbox["line"]), "thread_line", "CoC-0001", "pending", "0"]
    assert "2026-11-25 09:00:00" in line and line.endswith("paused: is_archived: unarchive it")
    assert dm.split()[:4] == [str(outbox["dm"]), "receipt", "CoC-0001", "failed"]
    assert "followed me" not in result.stdout and "U0SECRET9" not in result.stdout


def test_outbox_list_says_when_nothing_waits(tmp_path: Path, database_url: str, clean_db):
    result = speakout(tmp_path, "outbox", "list", database_url=database_url)
    assert (result.returncode, result.stdout) == (0, "Nothing waiting: Slack has every message.\n")


def test_outbox_retry_queues_the_named_failed_messages_again(tmp_path: Path, database_url: str, outbox, clean_db):
    result = speakout(tmp_path, "outbox", "retry", str(outbox["update"]), database_url=database_url)

    assert result.returncode == 0, result.stderr
    assert result.stdout == f"Queued 1 failed message(s) again: {outbox['update']}.\n"
    after = states(clean_db)
    assert after[outbox["update"]] == (OutboxState.PENDING, 0)
    assert after[outbox["dm"]] == (OutboxState.FAILED, 1)
    with make_sessionmaker(clean_db).begin() as session:
        retried = session.get(OutboxMessage, outbox["update"])
        assert retried.created_at > T0 and retried.available_at == retried.created_at  # a new day to give up


def test_outbox_retry_all_failed(tmp_path: Path, database_url: str, outbox, clean_db):
    result = speakout(tmp_path, "outbox", "retry", "--all-failed", database_url=database_url)

    assert result.returncode == 0, result.stderr
    after = states(clean_db)
    assert {after[outbox[name]] for name in ("update", "dm", "line")} == {(OutboxState.PENDING, 0)}
    assert after[outbox["sent"]] == (OutboxState.SENT, 1)


def test_outbox_retry_refuses_what_is_not_failed_and_changes_nothing(
    tmp_path: Path, database_url: str, outbox, clean_db
):
    before = states(clean_db)
    result = speakout(
        tmp_path, "outbox", "retry", str(outbox["update"]), str(outbox["sent"]), database_url=database_url
    )

    assert result.returncode == 2
    assert one_line(result.stderr) == f"speakout: not a failed message: {outbox['sent']} (see `speakout outbox list`)"
    assert states(clean_db) == before


def test_outbox_retry_needs_ids_or_all_failed(tmp_path: Path, database_url: str, outbox):
    result = speakout(tmp_path, "outbox", "retry", database_url=database_url)
    assert result.returncode == 2
    assert one_line(result.stderr) == "speakout: give the ids of failed messages, or --all-failed"
