from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from db.base import Base


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
