"""Alembic environment: runs on the engine ``db.migrate`` hands over, or on DATABASE_URL."""

from alembic import context
from sqlalchemy import engine_from_config, pool

from db import models  # noqa: F401  (registers every table on Base.metadata)
from db.base import Base

config = context.config
target_metadata = Base.metadata

# Tables owned by libraries (APScheduler's job store) are not ours to migrate.
LIBRARY_TABLES = {"apscheduler_jobs"}


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    return not (type_ == "table" and name in LIBRARY_TABLES)


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = engine_from_config(
        config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.", poolclass=pool.NullPool
    )
    with engine.connect() as connection:
        _run(connection)


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_object=include_object,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
