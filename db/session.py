"""Engine and session factory. The session's lifecycle belongs to the edges (listeners, jobs,
CLI commands): ``with sessions.begin() as session:``; domain code only flushes."""

import threading
from collections.abc import Sequence

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

from db.crypto import KeyRing, attach


def make_engine(url: str, *, keys: Sequence[str] = (), connections: int = 10) -> Engine:
    """An engine for ``url``; ``keys`` (Fernet keys, newest first) read and write the encrypted
    columns. Without keys, encrypted columns can be neither read nor written. ``connections``:
    how many PostgreSQL connections to keep open, as many as threads may use one at once."""
    engine = _make_engine(url, connections)
    if keys:
        attach(engine.dialect, KeyRing(keys))
    return engine


def _make_engine(url: str, connections: int) -> Engine:
    # hide_parameters: SQL errors must never carry report text into the logs.
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, hide_parameters=True)
        _configure_sqlite(engine)
        return engine
    # pre_ping replaces connections that died while PostgreSQL restarted. Connections beyond
    # pool_size are closed when returned: under a burst of reports each would be opened (a new
    # server process, 5-10 ms) while Slack waits, so the pool keeps as many as can be busy.
    return create_engine(url, pool_pre_ping=True, pool_size=connections, max_overflow=10, hide_parameters=True)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # Let SQLAlchemy emit BEGIN itself (below), so that every transaction takes the write
        # lock up front: two deferred transactions upgrading at once fail with "database is
        # locked" instead of waiting.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    # Every transaction writes (BEGIN IMMEDIATE), so they run one at a time anyway. Queue this
    # process's on a lock, held from BEGIN until the connection goes back to the
    # pool (after COMMIT's fsync): SQLite's own busy handler polls with sleeps of up to 100 ms,
    # which under a burst of reports leaves the database idle while writers sleep. Other
    # processes on the same file still wait through busy_timeout; a lock not had within it is
    # not waited for. (A lock handed over in arrival order measured slower under a burst: each
    # hand-over waits for the next thread to get the GIL.)
    writer = threading.Lock()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        if not connection.info.get(_WRITER) and writer.acquire(timeout=30):
            connection.info[_WRITER] = True
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    @event.listens_for(engine, "checkin")
    @event.listens_for(engine, "invalidate")
    def _on_checkin(_dbapi_connection, record, *_args) -> None:
        if record.info.pop(_WRITER, False):
            writer.release()


_WRITER = "speakout_writer_lock"


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def database_reachable(engine: Engine) -> bool:
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except Exception:
        return False
