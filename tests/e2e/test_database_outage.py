"""The database unreachable while someone submits a report: they are told in the modal to try
again and keep what they wrote, nothing half-stored remains, and the app carries on by itself
once the database is back. A report is stored in two steps (``workflows.intake``): received
whole before Slack is answered, opened as a case right after; the database may fail in either.

PostgreSQL is stopped and started for real (``pg_ctl stop -m immediate``), on a private server
of this module's own (``tests/e2e/pg_instance.py``), so these tests run in both CI runs without
disturbing the shared server.

SQLite has no server to stop. Its real "unavailable" is a file locked by another writer, and
that only surfaces after ``busy_timeout`` (30 s); and since every transaction starts with
``BEGIN IMMEDIATE``, a lock can only fail a transaction before its first write, never halfway.
So on SQLite the failure is injected: a ``before_cursor_execute`` hook on the app's engine
raises ``sqlite3.OperationalError`` at a chosen statement, after earlier writes of the same
transaction. SQLAlchemy wraps it like any error from the driver.
"""

import itertools
import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, event, func, select

from db.base import Base
from db.health_queries import health
from db.models import Case, format_reference
from slack_app.bolt.listeners.reports import SAVE_FAILED
from slack_app.core.ids import Block, Callback
from slack_app.sandbox.loopback import ORGANIZERS, LocalSpeakOut
from slack_app.sandbox.stand_in import Response, build_state_values
from slack_app.sandbox.transcript import message_text, view_text
from tests.e2e.helpers import FILLED, eventually
from tests.e2e.pg_instance import PostgresInstance

ALEX = "U0PARTIC01"
DESCRIPTION = "He grabbed my arm at the afterparty and wouldn't let go when I asked him to."
ENV = {"OUTBOX_POLL_INTERVAL": "1s"}
_databases = itertools.count(1)


@pytest.fixture(scope="module")
def postgres() -> Iterator[PostgresInstance]:
    instance = PostgresInstance()
    try:
        instance.start()
        yield instance
    finally:
        instance.remove()


@pytest.fixture
def postgres_url(postgres: PostgresInstance) -> str:
    if not postgres.running():  # an earlier test failed while it was stopped
        postgres.start()
    return postgres.create_database(f"speakout_outage_{next(_databases)}")


# -- the reporter's side --------------------------------------------------------------------------


def write_report(local: LocalSpeakOut) -> dict:
    """Run /report and fill in the modal, as typed: the values live in the stand-in's view state."""
    assert local.slack.slash_command(ALEX, "/report").status == 200
    view = local.stand_in.wait_for(
        lambda: (view := local.stand_in.open_view(ALEX)) and view["callback_id"] == Callback.REPORT_MODAL and view,
        what="the report modal",
    )
    typed = {**FILLED, Block.DESCRIPTION: DESCRIPTION}
    state = build_state_values(view, typed, current=view["state"]["values"])
    for block_id in typed:
        for action_id, entry in state[block_id].items():
            local.stand_in.set_view_state(view["id"], block_id, action_id, entry)
    return view


def send(local: LocalSpeakOut) -> Response:
    """Press Submit on the modal as it stands (nothing new typed)."""
    return local.slack.submit_view(ALEX)


def typed_description(view: dict) -> str | None:
    entries = view["state"]["values"].get(Block.DESCRIPTION) or {}
    return next(iter(entries.values()), {}).get("value")


def assert_asked_to_try_again(local: LocalSpeakOut, answer: Response, modal: dict) -> None:
    assert answer.status == 200
    assert answer.slack_error is None, answer.slack_error  # Slack shows the errors on the modal
    assert answer.errors == {Block.DESCRIPTION: SAVE_FAILED}
    assert "try again" in SAVE_FAILED and "your text is still here" in SAVE_FAILED
    still_open = local.stand_in.open_view(ALEX)
    assert still_open is not None and still_open["id"] == modal["id"]
    assert still_open["callback_id"] == Callback.REPORT_MODAL
    assert typed_description(still_open) == DESCRIPTION


def assert_reaches_the_organizers(local: LocalSpeakOut, answer: Response, number: int = 1) -> None:
    """The reporter sees the confirmation, the report was stored as case ``number`` (and the
    only one of that number), and its card reaches the organizers."""
    reference = format_reference(number)
    assert answer.status == 200 and answer.slack_error is None, answer.slack_error
    assert answer.errors is None and answer.response_action == "update", answer.body
    assert_told_it_is_sent(local)
    local.services.outbox.wake()  # as the next poll would; some tests poll hourly
    local.stand_in.wait_for(
        lambda: [m for m in local.stand_in.messages(ORGANIZERS) if reference in message_text(m.to_dict())],
        timeout=10,
        what=f"the card of {reference} in the organizers' channel",
    )
    with local.services.sessions.begin() as session:
        assert session.scalars(select(Case.number).order_by(Case.number)).all() == list(range(1, number + 1))


def assert_told_it_is_sent(local: LocalSpeakOut) -> None:
    confirmation = view_text(local.stand_in.open_view(ALEX))
    assert "Your report is with the organizers" in confirmation, confirmation


# -- what is stored -----------------------------------------------------------------------------


def stored_rows(engine: Engine) -> dict[str, int]:
    """The app's tables that hold rows, with how many (the case-number counter aside)."""
    counts = {}
    with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            if table.name != "counters":
                counts[table.name] = connection.scalar(select(func.count()).select_from(table))
    return {name: count for name, count in counts.items() if count}


OPENING_A_CASE = "INSERT INTO OUTBOX"  # the case row is in the open transaction by then
RECEIVING = "INSERT INTO RECEIVED_REPORTS"  # after the check for an earlier copy


class Statements(list):
    """The statements run up to the failure, then "failed"; ``done`` is set once ``fail`` has
    returned or raised (stopping PostgreSQL takes a moment)."""

    def __init__(self) -> None:
        super().__init__()
        self.done = threading.Event()


def fail_halfway(engine: Engine, fail: Callable[[], None], at: str) -> Statements:
    """Call ``fail`` once, just before the first statement starting with ``at``."""
    seen = Statements()

    def before(_connection, _cursor, statement: str, *_args) -> None:
        if seen and seen[-1] == "failed":
            return
        seen.append(statement)
        if statement.lstrip().upper().startswith(at):
            seen.append("failed")
            try:
                fail()
            finally:
                seen.done.set()

    event.listen(engine, "before_cursor_execute", before)
    return seen


def has_failed(statements: Statements) -> bool:
    return statements.done.is_set() and statements[-1] == "failed"


def assert_case_was_written_before_the_failure(statements: list[str]) -> None:
    assert has_failed(statements), "the database was never made to fail"
    assert any(s.lstrip().upper().startswith("INSERT INTO CASES") for s in statements), statements


# -- the tests ----------------------------------------------------------------------------------


def test_a_report_sent_while_postgresql_is_down_waits_in_the_modal_until_it_is_back(postgres, postgres_url):
    with LocalSpeakOut(postgres_url, env=ENV) as local:
        modal = write_report(local)
        postgres.stop()

        refused = send(local)

        assert_asked_to_try_again(local, refused, modal)
        postgres.start()
        assert stored_rows(local.services.engine) == {}
        # The app's pooled connections died with the server: it reconnects on its own.
        assert_reaches_the_organizers(local, send(local))


def test_after_postgresql_restarts_between_two_reports_the_next_one_goes_through_at_once(postgres, postgres_url):
    # The outbox stays idle between reports: the submission is first to meet the dead connections.
    with LocalSpeakOut(postgres_url, env={"OUTBOX_POLL_INTERVAL": "1h"}) as local:
        write_report(local)
        assert_reaches_the_organizers(local, send(local))
        local.settle()
        postgres.stop()
        postgres.start()

        write_report(local)
        assert_reaches_the_organizers(local, send(local), number=2)


def test_postgresql_going_down_while_a_report_is_received_leaves_nothing_behind(postgres, postgres_url):
    with LocalSpeakOut(postgres_url, env=ENV) as local:
        modal = write_report(local)
        statements = fail_halfway(local.services.engine, postgres.stop, at=RECEIVING)

        refused = send(local)

        assert has_failed(statements)
        assert_asked_to_try_again(local, refused, modal)
        postgres.start()
        assert stored_rows(local.services.engine) == {}
        assert_reaches_the_organizers(local, send(local))


def test_postgresql_going_down_halfway_through_opening_a_case_keeps_the_report_until_it_is_back(postgres, postgres_url):
    # Polling hourly: after the failure nothing retries until the test says so.
    with LocalSpeakOut(postgres_url, env={"OUTBOX_POLL_INTERVAL": "1h"}) as local:
        write_report(local)
        statements = fail_halfway(local.services.engine, postgres.stop, at=OPENING_A_CASE)

        answer = send(local)

        assert answer.errors is None and answer.response_action == "update", answer.body
        assert_told_it_is_sent(local)
        eventually(lambda: has_failed(statements), what="the database to go away while the case was opened")
        assert_case_was_written_before_the_failure(statements)
        postgres.start()
        assert stored_rows(local.services.engine) == {"received_reports": 1}
        assert_reaches_the_organizers(local, answer)


def test_on_sqlite_a_failure_while_a_report_is_received_leaves_nothing_behind(tmp_path: Path):
    """Injected, not real: see the module's docstring for why SQLite can't be taken away cleanly."""
    with LocalSpeakOut(f"sqlite:///{tmp_path / 'outage.db'}", env=ENV) as local:
        modal = write_report(local)
        statements = fail_halfway(local.services.engine, disk_error, at=RECEIVING)

        refused = send(local)

        assert has_failed(statements)
        assert_asked_to_try_again(local, refused, modal)
        assert stored_rows(local.services.engine) == {}
        assert_reaches_the_organizers(local, send(local))


def test_on_sqlite_a_failure_halfway_through_opening_a_case_keeps_the_report_and_retries(tmp_path: Path):
    with LocalSpeakOut(f"sqlite:///{tmp_path / 'outage.db'}", env={"OUTBOX_POLL_INTERVAL": "1h"}) as local:
        write_report(local)
        statements = fail_halfway(local.services.engine, disk_error, at=OPENING_A_CASE)

        answer = send(local)

        eventually(lambda: has_failed(statements), what="the injected failure while the case was opened")
        assert_case_was_written_before_the_failure(statements)
        eventually(lambda: stored_rows(local.services.engine).get("received_reports"), what="the failure noted")
        assert stored_rows(local.services.engine) == {"received_reports": 1}
        with local.services.sessions.begin() as session:
            assert health(session).reports_failing == 1
        assert_reaches_the_organizers(local, answer)


def disk_error() -> None:
    raise sqlite3.OperationalError("disk I/O error")
