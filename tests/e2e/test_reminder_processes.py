"""Reminders as they run for real: fired on time by the scheduler, cancelled by an
acknowledgement, coalesced after downtime, and carried across ``speakout serve --no-scheduler``
and ``speakout worker`` processes that crash, refuse to double up, and take over."""

import re
import secrets
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from db.enums import ReminderKind
from db.health_queries import health
from db.migrate import upgrade
from db.models import Case, Reminder, format_reference
from db.session import make_engine, make_sessionmaker
from slack_app.sandbox.loopback import ESCALATION, ORGANIZERS, LocalSpeakOut
from slack_app.sandbox.stand_in import Message, SlackRequests, SlackStandIn
from slack_app.sandbox.transcript import message_text
from tests.conftest import TEST_ENCRYPTION_KEY, FakeClock
from tests.e2e.cases_helpers import case_id, click, file_case, settle
from tests.e2e.helpers import FILLED, eventually
from tests.e2e.test_serve_process import clean_env, free_port, read_logs, terminate, wait_until_healthy

INTERVAL = 2  # seconds between acknowledgement reminders in the in-process tests
# Every process that shares a database shares its key (reports are encrypted at rest).
FAST = {"REMIND_ACK_AFTER": f"{INTERVAL}s", "REMIND_ACK_URGENT_AFTER": "0", "ENCRYPTION_KEY": TEST_ENCRYPTION_KEY}
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/"
WORKERS_DATABASE = "speakout_test_workers"

ALEX, BLAKE = "U0PARTIC01", "U0PARTIC02"
OLIVIA, OMAR = "U0ORGANIZ1", "U0ORGANIZ2"
LEADS = "this process runs the scheduler"
STANDS_BY = "another process runs the scheduler; standing by"
TAKES_OVER = "the previous scheduler is gone; taking over"
LOG_RECORD = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (DEBUG|INFO) ")


# -- what the organizers see, and what is stored ------------------------------------------


def reminder_replies(stand_in: SlackStandIn, card_ts: str) -> list[Message]:
    """The acknowledgement reminders in the case's thread in the organizers' channel."""
    return [
        message
        for message in stand_in.messages(ORGANIZERS)
        if message.thread_ts == card_ts and ":alarm_clock:" in message_text(message.to_dict())
    ]


def wait_for_reminder(stand_in: SlackStandIn, card_ts: str, timeout: float) -> tuple[str, float]:
    """The first reminder's text as people read it, and the wall-clock time it was posted."""
    posted_at: list[float] = []

    def arrived() -> list[Message]:
        replies = reminder_replies(stand_in, card_ts)
        if replies and not posted_at:
            posted_at.append(time.time())
        return replies

    replies = stand_in.wait_for(arrived, timeout=timeout, what="a reminder in the case thread")
    return message_text(replies[0].to_dict()), posted_at[0]


def ack_due(sessions: sessionmaker[Session], number: int = 1) -> Reminder:
    with sessions() as session:
        return session.scalar(
            select(Reminder)
            .join(Case, Case.id == Reminder.case_id)
            .where(Case.number == number, Reminder.kind == ReminderKind.ACK_DUE)
        )


def cards(stand_in: SlackStandIn) -> list[Message]:
    return [message for message in stand_in.messages(ORGANIZERS) if message.thread_ts is None]


def wait_until(moment: float, what: str) -> None:
    """Let wall-clock time pass ``moment`` (a ``time.time()`` value): the condition is time itself."""
    eventually(lambda: time.time() > moment, timeout=moment - time.time() + 5, what=what)


# -- speakout processes, their output in files ----------------------------------------------


class Speakout:
    """One ``python -m slack_app ...`` process."""

    def __init__(self, directory: Path, name: str, args: tuple[str, ...], env: dict[str, str]):
        self.name = name
        self.logs = (directory / f"{name}.stdout", directory / f"{name}.stderr")
        with self.logs[0].open("wb") as stdout, self.logs[1].open("wb") as stderr:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "slack_app", *args], cwd=directory, env=env, stdout=stdout, stderr=stderr
            )

    def output(self) -> str:
        return read_logs(*self.logs)

    def wait_for_log(self, line: str, timeout: float = 30) -> float:
        """Wait until the process has logged ``line``; returns the wall-clock time it was seen."""

        def logged() -> bool:
            if line in self.output():
                return True
            if self.process.poll() is not None:
                raise AssertionError(f"{self.name} exited with {self.process.returncode}:\n{self.output()}")
            return False

        eventually(logged, timeout=timeout, what=f"{self.name} to log {line!r}")
        return time.time()

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, as when the machine or container dies."""
        self.process.kill()
        self.process.wait(timeout=10)


@pytest.fixture
def speakout(tmp_path: Path) -> Iterator[Callable[..., Speakout]]:
    started: list[Speakout] = []

    def start(name: str, *args: str, env: dict[str, str]) -> Speakout:
        started.append(Speakout(tmp_path, name, args, env))
        return started[-1]

    yield start
    for process in started:
        terminate(process.process)


def process_env(tmp_path: Path, stand_in: SlackStandIn, database_url: str, **settings: str) -> dict[str, str]:
    env = {name: value for name, value in clean_env(tmp_path).items() if not name.startswith(("REMIND", "SCHEDULER_"))}
    env.update(
        SLACK_BOT_TOKEN=stand_in.bot_token,
        SLACK_SIGNING_SECRET=secrets.token_hex(16),
        SLACK_API_URL=stand_in.url,
        DATABASE_URL=database_url,
        ORGANIZER_CHANNEL_ID=ORGANIZERS,
        ENCRYPTION_KEY=TEST_ENCRYPTION_KEY,
        REMIND_ACK_URGENT_AFTER="0",
        OUTBOX_POLL_INTERVAL="1s",
        SCHEDULER_STANDBY_RETRY="1s",
        **settings,
    )
    return env


def populate(stand_in: SlackStandIn) -> None:
    for user_id, name in ((ALEX, "alex"), (OLIVIA, "olivia"), (OMAR, "omar")):
        stand_in.add_user(user_id, name)
    stand_in.add_channel(ORGANIZERS, "coc-organizers", members=[OLIVIA, OMAR])


def outbox_drained(engine: Engine) -> bool:
    with Session(engine) as session:
        return health(session).outbox_pending == 0


@pytest.fixture
def workers_database() -> str:
    """A PostgreSQL database of its own, so the PostgreSQL-only scenario runs whatever the
    session's database is."""
    admin = create_engine(f"{POSTGRES}postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": WORKERS_DATABASE})
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{WORKERS_DATABASE}"'))
    admin.dispose()
    url = f"{POSTGRES}{WORKERS_DATABASE}"
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    upgrade(engine)
    engine.dispose()
    return url


# -- in one process (over HTTP and over Socket Mode) -----------------------------------------


@pytest.mark.both_transports
def test_an_unacknowledged_case_gets_its_reminder_on_time(database_url, clean_db, transport):
    with LocalSpeakOut(database_url, scheduler=True, env=FAST, transport=transport) as local:
        card = file_case(local, ALEX)
        due = ack_due(local.services.sessions).due_at.timestamp()

        seen, posted_at = wait_for_reminder(local.stand_in, card.ts, timeout=INTERVAL + 10)

    assert due <= posted_at <= due + 2, f"posted {posted_at - due:.2f}s after it was due"
    assert "@channel" in seen
    assert format_reference(1) in seen


@pytest.mark.both_transports
def test_acknowledging_a_case_before_its_reminder_is_due_cancels_the_reminder(database_url, clean_db, transport):
    with LocalSpeakOut(database_url, scheduler=True, env=FAST, transport=transport) as local:
        # Nobody acknowledges this one: its reminder shows the scheduler is running meanwhile.
        control = file_case(local, BLAKE)
        card = file_case(local, ALEX)
        due = ack_due(local.services.sessions, 2).due_at.timestamp()
        assert time.time() < due, "the case was filed too slowly to acknowledge it in time"

        click(local, OLIVIA, "case_acknowledge", card, value=str(case_id(local, 2)))
        settle(local)
        assert ack_due(local.services.sessions, 2).state == "done"  # called off there and then
        wait_until(due + 2 * INTERVAL, "two reminder intervals past the due time")
        wait_for_reminder(local.stand_in, control.ts, timeout=10)

        assert reminder_replies(local.stand_in, card.ts) == []
        reminder = ack_due(local.services.sessions, 2)
    assert reminder.state == "done"
    assert reminder.fired == 0


@pytest.mark.both_transports
def test_after_downtime_an_overdue_reminder_fires_once_not_once_per_missed_interval(database_url, clean_db, transport):
    clock = FakeClock()
    with LocalSpeakOut(database_url, clock=clock, env=FAST, transport=transport) as local:
        card = file_case(local, ALEX)

    clock.advance(seconds=10 * INTERVAL)  # the app was down for ten intervals
    with LocalSpeakOut(database_url, clock=clock, scheduler=True, env=FAST, transport=transport) as local:
        seen, _ = wait_for_reminder(local.stand_in, card.ts, timeout=10)
        fired = eventually(lambda: ack_due(local.services.sessions).last_fired_at, what="last_fired_at to be set")
        wait_until(time.time() + 3, "three more passes of the scheduler")

        assert len(reminder_replies(local.stand_in, card.ts)) == 1
        reminder = ack_due(local.services.sessions)
    assert "has waited 20 seconds" in seen
    assert fired == clock.now
    assert reminder.fired == 1
    assert reminder.due_at == clock.now + timedelta(seconds=INTERVAL)


# -- across processes -------------------------------------------------------------------------


def test_a_worker_fires_what_the_web_process_planned_even_after_a_worker_dies(
    database_url, clean_db, tmp_path, speakout
):
    sessions = make_sessionmaker(clean_db)
    port = free_port()
    with SlackStandIn() as stand_in:
        populate(stand_in)
        env = process_env(tmp_path, stand_in, database_url, REMIND_ACK_AFTER="4s")
        web = speakout("web", "serve", "--no-scheduler", "--host", "127.0.0.1", "--port", str(port), env=env)
        wait_until_healthy(web.process, port, web.logs)

        slack = SlackRequests(f"http://127.0.0.1:{port}/slack/events", env["SLACK_SIGNING_SECRET"], stand_in)
        assert slack.slash_command(ALEX, "/report").status == 200
        stand_in.wait_for(lambda: stand_in.open_view(ALEX), timeout=10, what="the report modal")
        sent = slack.submit_view(ALEX, {**FILLED, "description": "He kept interrupting every talk I gave."})
        assert sent.status == 200 and sent.slack_error is None
        (card,) = stand_in.wait_for(lambda: cards(stand_in), timeout=10, what="the case card")
        due = ack_due(sessions).due_at.timestamp()
        # Everything the report set off has gone out, by the web process alone.
        eventually(lambda: outbox_drained(clean_db), what="the web process to deliver the outbox")
        assert reminder_replies(stand_in, card.ts) == []

        first = speakout("worker-1", "worker", env=env)
        first.wait_for_log(LEADS)
        first.kill()
        assert time.time() < due, "the first worker started too slowly to be stopped before the reminder was due"

        # Past due, with only the web process running: nothing reminds anyone.
        wait_until(due + 2, "the reminder to be overdue")
        assert reminder_replies(stand_in, card.ts) == []
        assert ack_due(sessions).fired == 0

        second = speakout("worker-2", "worker", env=env)
        seen, posted_at = wait_for_reminder(stand_in, card.ts, timeout=20)

        assert posted_at > due
        assert "@channel" in seen and format_reference(1) in seen
        assert "fired 1 reminder(s)" in second.output()
        assert "fired" not in first.output()
        stopped = {process.name: terminate(process.process) for process in (second, web)}
    assert stopped == {"worker-2": 0, "web": 0}, read_logs(*second.logs, *web.logs)


def test_a_second_worker_on_the_same_sqlite_file_refuses_to_start(tmp_path, speakout):
    database = tmp_path / "one-worker.db"
    with SlackStandIn() as stand_in:
        populate(stand_in)
        env = process_env(tmp_path, stand_in, f"sqlite:///{database}")
        first = speakout("worker-1", "worker", env=env)
        first.wait_for_log(LEADS)

        second = speakout("worker-2", "worker", env=env)
        assert second.process.wait(timeout=60) == 2
        stderr = second.logs[1].read_text()
        # Start-up log records may come first; what the refusal adds is one line, no traceback.
        said = [line for line in stderr.splitlines() if not LOG_RECORD.match(line)]
        assert len(said) == 1, stderr
        assert said[0].startswith("speakout: ") and "already running" in said[0]

        assert first.process.poll() is None, "the running worker carries on"
        assert Path(f"{database}.scheduler.lock").read_text() == str(first.process.pid)
        assert terminate(first.process) == 0


def test_on_postgresql_a_standby_worker_takes_over_when_the_leader_dies(workers_database, tmp_path, speakout):
    with LocalSpeakOut(workers_database, env={**FAST, "REMIND_ACK_AFTER": "4s"}) as local:
        env = process_env(
            tmp_path,
            local.stand_in,
            workers_database,
            ESCALATION_CHANNEL_ID=ESCALATION,
            REMIND_ACK_AFTER="4s",
        )
        first = speakout("worker-1", "worker", env=env)
        first.wait_for_log(LEADS)
        second = speakout("worker-2", "worker", env=env)
        second.wait_for_log(STANDS_BY)
        assert LEADS not in second.output()

        card = file_case(local, ALEX)
        due = ack_due(local.services.sessions).due_at.timestamp()
        first.kill()
        killed_at = time.time()
        assert killed_at < due, "the case was filed too slowly for the leader to die before the reminder was due"

        took_over = second.wait_for_log(TAKES_OVER, timeout=10)
        seen, posted_at = wait_for_reminder(local.stand_in, card.ts, timeout=15)

        assert took_over - killed_at <= 10
        assert posted_at > due
        assert "@channel" in seen and format_reference(1) in seen
        assert "fired 1 reminder(s)" in second.output()
        assert "fired" not in first.output()
        assert terminate(second.process) == 0, second.output()
