from datetime import UTC, datetime

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from db.base import Base
from db.migrate import alembic_config
from db.session import make_engine

T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def test_the_migrations_build_the_schema_the_models_describe(engine):
    # The test database was built by running every migration (tests/conftest.py).
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            # APScheduler keeps its own table in the same database.
            opts={"include_name": lambda name, kind, _parent: not (kind == "table" and name.startswith("apscheduler"))},
        )
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_0004_remembers_the_cards_and_receipts_cases_already_had(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'before-0004.db'}")
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0003")
        for number, card_ts, dm_ts, purged in ((1, "1.1", "1.2", None), (2, None, None, None), (3, "3.1", "3.2", T0)):
            connection.execute(
                text(
                    "INSERT INTO cases (id, number, submission_key, status, category, urgent, anonymous,"
                    " follow_up_allowed, apology_wanted, routing, channel_id, card_ts, reporter_dm_channel,"
                    " reporter_dm_ts, self_report, purged_at, created_at, updated_at) VALUES (:n, :n, :key,"
                    " 'new', 'spam', 0, 0, 1, 0, 'organizers', 'C0ORGANIZE', :card, 'D0REPORTER', :dm, 0,"
                    " :purged, :at, :at)"
                ),
                {"n": number, "key": f"V{number}", "card": card_ts, "dm": dm_ts, "purged": purged, "at": T0},
            )
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0004")
        remembered = connection.execute(text("SELECT case_id, channel, ts FROM posted_messages ORDER BY ts")).all()
    engine.dispose()
    # A purged case's messages are Slack's retention's to deal with, as before.
    assert [tuple(row) for row in remembered] == [(1, "C0ORGANIZE", "1.1"), (1, "D0REPORTER", "1.2")]
