"""Shared fixtures. The suite runs on SQLite by default and on PostgreSQL when
SPEAKOUT_TEST_DATABASE_URL points at one (``.ci/run`` does both)."""

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from db.base import Base
from db.crypto import generate_key
from db.migrate import upgrade
from db.session import make_engine
from slack_app.core.settings import load_settings
from slack_app.sandbox.loopback import TRANSPORTS, LocalSpeakOut

# One key for the whole run: the session database is written by several engines.
TEST_ENCRYPTION_KEY = generate_key()


class FakeClock:
    """A clock tests move by hand."""

    def __init__(self, start: datetime = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Tests marked ``both_transports`` run once over HTTP and once over Socket Mode: the same
    scenario, with Slack's requests reaching the app either way."""
    if "transport" in metafunc.fixturenames and metafunc.definition.get_closest_marker("both_transports"):
        metafunc.parametrize("transport", TRANSPORTS)


@pytest.fixture
def transport() -> str:
    """How Slack's requests reach the app: HTTP unless the test is marked ``both_transports``."""
    return "http"


def _ensure_postgres_database(url: str) -> None:
    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": parsed.database})
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("SPEAKOUT_TEST_DATABASE_URL")
    if url:
        _ensure_postgres_database(url)
        engine = make_engine(url)
        with engine.begin() as connection:  # start from nothing: tables of an older schema go too
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    else:
        url = f"sqlite:///{Path(tmp_path_factory.mktemp('db')) / 'speakout-test.db'}"
        engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url, keys=[TEST_ENCRYPTION_KEY])
    yield engine
    engine.dispose()


def reset_database(engine: Engine) -> None:
    """Empty every table and restart case numbers, keeping the migrated schema."""
    tables = [table.name for table in reversed(Base.metadata.sorted_tables)]
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(text(f"DELETE FROM {table}"))
        connection.execute(text("INSERT INTO counters (name, value) VALUES ('case', 0)"))


@pytest.fixture
def clean_db(engine: Engine) -> Engine:
    reset_database(engine)
    return engine


@pytest.fixture
def session(clean_db: Engine) -> Iterator[Session]:
    """A session whose work is rolled back after the test (workflows only flush)."""
    with clean_db.connect() as connection:
        transaction = connection.begin()
        session = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
        yield session
        session.close()
        transaction.rollback()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def report_words() -> str:
    """REPORT_WORDS for ``local``. The scenarios of intake, cases and own-up read the report's
    words where a team that keeps them in the thread reads them; the default, words on demand,
    has tests of its own (tests/e2e/test_need_to_know.py overrides this fixture)."""
    return "in_thread"


@pytest.fixture
def local(database_url: str, clean_db: Engine, transport: str, report_words: str) -> Iterator[LocalSpeakOut]:
    """The whole app on loopback against the Web API stand-in, with the real clock."""
    env = {"ENCRYPTION_KEY": TEST_ENCRYPTION_KEY, "REPORT_WORDS": report_words}
    with LocalSpeakOut(database_url, env=env, transport=transport) as running:
        yield running


def stand_in_settings(stand_in, database_url: str, organizer_channel: str, **extra: str):
    """The app's settings against ``stand_in``, for tests that build the services themselves."""
    return load_settings(
        {
            "SLACK_BOT_TOKEN": stand_in.bot_token,
            "SLACK_SIGNING_SECRET": "0123456789abcdef",
            "SLACK_API_URL": stand_in.url,
            "DATABASE_URL": database_url,
            "ORGANIZER_CHANNEL_ID": organizer_channel,
            "ENCRYPTION_KEY": TEST_ENCRYPTION_KEY,
            # The delivery tests follow every message a case causes, the report's details included.
            "REPORT_WORDS": "in_thread",
            **extra,
        }
    )
