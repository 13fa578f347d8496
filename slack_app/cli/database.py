"""The database as the read-and-maintain commands open it: never created, never migrated."""

import os
import sys

from sqlalchemy.orm import Session, sessionmaker


def read_sessions() -> sessionmaker[Session] | None:
    """Sessions on DATABASE_URL for a read-only command, or None (having said why) when the
    database has no Speak Out tables. Never creates a database or migrates one."""
    from pathlib import Path

    from sqlalchemy import inspect

    from db.models import Case, CaseAccess, CaseAction, Party, Report, TimelineEntry
    from db.session import make_engine, make_sessionmaker
    from slack_app.core.settings import DATABASE_DEFAULT, encryption_keys

    url = os.environ.get("DATABASE_URL") or DATABASE_DEFAULT
    engine = make_engine(url, keys=encryption_keys(os.environ.get("ENCRYPTION_KEY", "").strip() or None))
    database = engine.url.database
    if engine.dialect.name == "sqlite" and database not in (None, "", ":memory:") and not Path(database).exists():
        tables: set[str] = set()  # connecting would create an empty database file
    else:
        tables = set(inspect(engine).get_table_names())
    needed = {model.__tablename__ for model in (Case, Report, Party, TimelineEntry, CaseAction, CaseAccess)}
    if Case.__tablename__ not in tables:
        print("speakout: the database has no Speak Out tables yet: run `speakout db upgrade`", file=sys.stderr)
        return None
    if not needed <= tables:
        print("speakout: the database is from an older version: run `speakout db upgrade`", file=sys.stderr)
        return None
    return make_sessionmaker(engine)
