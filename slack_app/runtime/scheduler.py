"""The scheduler: APScheduler over the app's own database, one active per deployment.

Exactly one process dispatches reminders. On PostgreSQL that is whoever holds an advisory
lock; the others wait as hot standbys and retry every ``SCHEDULER_STANDBY_RETRY``, so one
takes over soon after the holder dies (its connection, and so its lock, go with it). SQLite
has no such lock across machines, so a second worker on the same file refuses to start.
"""

import fcntl
import logging
import os
import threading
from pathlib import Path

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import Connection, text

from slack_app.core.services import Services
from slack_app.runtime import jobs

logger = logging.getLogger(__name__)

LOCK_KEY = 0x5E4B0  # "SpeakOut" scheduler: an arbitrary, fixed advisory lock id
DISPATCH_EVERY_SECONDS = 1  # a reminder fires within about a second of its due time


# The job store keeps each job's function as a "module:name" string, read by whichever
# process leads next. During a rolling upgrade that may be a process of the previous release,
# which knows the jobs only as "slack_app.jobs:...": this release still stores that name (a
# shim re-exports the jobs from slack_app.runtime.jobs) so both releases can run what either
# stored. The next release stores "slack_app.runtime.jobs" and drops the shim.
STORED_JOB_MODULE = "slack_app.jobs"


class SchedulerRefused(Exception):
    """Another scheduler owns this database; the message says what to do."""


class Leadership:
    """Holding the right to run the scheduler."""

    def __init__(self, services: Services):
        self.services = services
        self._connection: Connection | None = None
        self._lock_file = None

    def try_acquire(self) -> bool:
        engine = self.services.engine
        if engine.dialect.name == "postgresql":
            connection = engine.connect()
            held = connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": LOCK_KEY}).scalar()
            connection.commit()
            if held:
                self._connection = connection
                return True
            connection.close()
            return False
        return self._lock_sqlite_file()

    def _lock_sqlite_file(self) -> bool:
        database = self.services.engine.url.database or ""
        path = Path(f"{database}.scheduler.lock") if database and database != ":memory:" else None
        if path is None:
            return True
        handle = open(path, "a+")  # noqa: SIM115 (held open for the life of the scheduler)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        handle.truncate(0)
        handle.write(str(os.getpid()))
        handle.flush()
        self._lock_file = handle
        return True

    def still_held(self) -> bool:
        if self._connection is None:
            return self._lock_file is not None or self.services.engine.dialect.name != "postgresql"
        try:
            self._connection.execute(text("SELECT 1"))
            self._connection.commit()
            return True
        except Exception:
            return False

    def release(self) -> None:
        if self._connection is not None:
            try:
                self._connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": LOCK_KEY})
                self._connection.commit()
            except Exception:
                pass  # a dead connection has already let the lock go
            self._connection.close()
            self._connection = None
        if self._lock_file is not None:
            self._lock_file.close()
            self._lock_file = None


class Scheduler:
    """Runs APScheduler while this process leads; otherwise waits as a standby."""

    def __init__(self, services: Services):
        self.services = services
        self.leadership = Leadership(services)
        self.scheduler: BackgroundScheduler | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.leading = threading.Event()

    def start(self, *, standby: bool) -> None:
        """Lead now if possible. Otherwise: on PostgreSQL (``standby``) wait in the background
        for the lock; on SQLite, refuse."""
        jobs.bind(self.services)
        if self.leadership.try_acquire():
            self._lead()
        elif self.services.engine.dialect.name != "postgresql":
            raise SchedulerRefused(
                "another Speak Out scheduler is already running on this SQLite database: run one "
                "`speakout worker` (or `speakout serve`) per database, or use PostgreSQL for several"
            )
        elif not standby:
            raise SchedulerRefused("another Speak Out scheduler holds the lock")
        else:
            logger.info("another process runs the scheduler; standing by")
        self._thread = threading.Thread(target=self._watch, name="speakout-scheduler-watch", daemon=True)
        self._thread.start()

    def _lead(self) -> None:
        grace = int(self.services.settings.reminders.grace.total_seconds())
        scheduler = BackgroundScheduler(
            jobstores={"default": SQLAlchemyJobStore(engine=self.services.engine)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": grace},
            timezone="UTC",
        )
        scheduler.start()
        # Replacing the stored job keeps exactly one dispatch job whoever starts.
        scheduler.add_job(
            f"{STORED_JOB_MODULE}:dispatch_reminders",
            "interval",
            seconds=DISPATCH_EVERY_SECONDS,
            id="dispatch-reminders",
            replace_existing=True,
        )
        scheduler.add_job(
            f"{STORED_JOB_MODULE}:purge_expired", "interval", hours=1, id="purge-expired", replace_existing=True
        )
        self.scheduler = scheduler
        self.leading.set()
        logger.info("this process runs the scheduler")

    def _watch(self) -> None:
        retry = self.services.settings.scheduler_standby_retry.total_seconds()
        while not self._stop.wait(retry):
            if self.leading.is_set():
                if not self.leadership.still_held():
                    logger.error("lost the scheduler lock (database connection gone); standing by")
                    self._step_down()
            elif self.leadership.try_acquire():
                logger.info("the previous scheduler is gone; taking over")
                self._lead()

    def _step_down(self) -> None:
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=False)
            self.scheduler = None
        self.leading.clear()
        self.leadership.release()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=True)
            self.scheduler = None
        self.leading.clear()
        self.leadership.release()
