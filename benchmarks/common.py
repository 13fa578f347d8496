"""What every benchmark shares: databases of its own, percentiles, tables, JSON results, the
machine it ran on, and ``speakout`` subprocesses on loopback."""

import contextlib
import json
import os
import platform
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.error import URLError

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from db.crypto import generate_key
from db.migrate import upgrade
from db.session import make_engine

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
WORK = RESULTS / "work"  # SQLite files and process logs (git-ignored with results/)
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/"
DATABASES = ("sqlite", "postgres")

# The people and channels of every benchmark's stand-in workspace (the ids LocalSpeakOut uses).
ORGANIZERS = "C0ORGANIZE"
ESCALATION = "C0ESCALATE"
ORGANIZER_IDS = ("U0ORGANIZ1", "U0ORGANIZ2")
LEAD = "U0LEADORG1"

# Never route loopback requests through a proxy from the environment.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


# -- databases ------------------------------------------------------------------------------


@dataclass(frozen=True)
class BenchDatabase:
    """One benchmark's own database: a SQLite file under results/work, or a PostgreSQL
    database named ``speakout_bench_<name>`` on the server of ``BENCH_PG_URL``."""

    kind: str
    name: str

    @property
    def url(self) -> str:
        if self.kind == "sqlite":
            return f"sqlite:///{self.path}"
        base = os.environ.get("BENCH_PG_URL", PG_DEFAULT)
        return str(make_url(base).set(database=f"speakout_bench_{self.name}").render_as_string(hide_password=False))

    @property
    def path(self) -> Path:
        return WORK / f"{self.name}.db"

    def reset(self) -> None:
        """An empty, migrated database."""
        if self.kind == "sqlite":
            WORK.mkdir(parents=True, exist_ok=True)
            for suffix in ("", "-wal", "-shm", ".scheduler.lock"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        else:
            self._create_pg_database()
            engine = create_engine(self.url, isolation_level="AUTOCOMMIT")
            with engine.connect() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
            engine.dispose()
        engine = make_engine(self.url)
        upgrade(engine)
        engine.dispose()

    def exists(self) -> bool:
        if self.kind == "sqlite":
            return self.path.exists()
        admin = _pg_admin()
        with admin.connect() as connection:
            found = connection.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": make_url(self.url).database}
            )
        admin.dispose()
        return bool(found)

    def engine(self, keys: Sequence[str] = ()) -> Engine:
        return make_engine(self.url, keys=keys)

    def size_bytes(self, engine: Engine) -> int:
        if self.kind == "sqlite":
            engine.dispose()  # its connections would hold the WAL open
            with contextlib.closing(sqlite3.connect(self.path)) as connection:
                connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            return sum(Path(f"{self.path}{s}").stat().st_size for s in ("", "-wal") if Path(f"{self.path}{s}").exists())
        with engine.connect() as connection:
            return int(connection.scalar(text("SELECT pg_database_size(current_database())")))

    def _create_pg_database(self) -> None:
        name = make_url(self.url).database
        admin = _pg_admin()
        with admin.connect() as connection:
            if not connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
                connection.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()


def _pg_admin() -> Engine:
    base = make_url(os.environ.get("BENCH_PG_URL", PG_DEFAULT)).set(database="postgres")
    return create_engine(base, isolation_level="AUTOCOMMIT")


def key_file() -> str:
    """One ENCRYPTION_KEY for all benchmark databases (seeded data must stay readable)."""
    path = WORK / "encryption.key"
    WORK.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_text(generate_key())
        path.chmod(0o600)
    return path.read_text().strip()


# -- numbers --------------------------------------------------------------------------------


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """Linear-interpolated percentile (``fraction`` in 0..1); None for no values."""
    return _percentile(sorted((value, False) for value in values), fraction)[0]


def _percentile(ordered: list[tuple[float, bool]], fraction: float) -> tuple[float | None, bool]:
    """The percentile of sorted (value, is_lower_bound) pairs, and whether it leans on a bound."""
    if not ordered:
        return None, False
    position = (len(ordered) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    value = ordered[low][0] + (ordered[high][0] - ordered[low][0]) * (position - low)
    return value, ordered[low][1] or (ordered[high][1] and position > low)


def summary(values: Sequence[float], bounds: Sequence[float] = ()) -> dict[str, Any]:
    """Count, p50/p95/p99 and max, in the values' unit.

    ``bounds`` are lower bounds for what never came within the wait (how long it had been
    waited for), so the slowest are not simply left out; ``censored`` names the figures that
    lean on one, i.e. that are themselves only lower bounds.
    """
    ordered = sorted([(value, False) for value in values] + [(bound, True) for bound in bounds])
    result: dict[str, Any] = {"count": len(values), "missing": len(bounds), "censored": []}
    for name, fraction in (("p50", 0.50), ("p95", 0.95), ("p99", 0.99), ("max", 1.0)):
        result[name], censored = _percentile(ordered, fraction)
        if censored:
            result["censored"].append(name)
    return result


def ms(value: float | None) -> str:
    return "-" if value is None else f"{value * 1000:.0f}"


def secs(value: float | None, stats: dict[str, Any] | None = None, name: str = "") -> str:
    """Seconds; ``>=`` marks a percentile that is only a lower bound (see ``summary``)."""
    if value is None:
        return "-"
    bound = stats is not None and name in stats.get("censored", ())
    return f"{'>=' if bound else ''}{value:.2f}"


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    rows = [[str(cell) for cell in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
    line = lambda cells: "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"  # noqa: E731
    out = [line(headers), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    return "\n".join([*out, *(line(r) for r in rows)])


# -- the machine and the results --------------------------------------------------------------


def load() -> tuple[float, float, float]:
    return os.getloadavg()


def machine() -> dict[str, Any]:
    meminfo = Path("/proc/meminfo").read_text().split("\n")[0].split()
    info: dict[str, Any] = {
        "nproc": os.cpu_count(),
        "memory_gb": round(int(meminfo[1]) / 1024 / 1024, 1),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "load_average": load(),
    }
    try:
        admin = _pg_admin()
        with admin.connect() as connection:
            info["postgresql"] = connection.scalar(text("SHOW server_version"))
        admin.dispose()
    except Exception as error:  # PostgreSQL is optional for SQLite-only runs
        info["postgresql"] = f"unavailable ({type(error).__name__})"
    return info


def product_version() -> dict[str, Any]:
    """The commit the product code came from, and whether it had uncommitted changes."""

    def git(*args: str) -> str:
        done = subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True, check=False)
        return done.stdout.strip()

    return {
        "root": str(ROOT),
        "commit": git("rev-parse", "--short", "HEAD"),
        "changed": git("status", "--porcelain", "--", "slack_app", "db", "workflows").splitlines(),
    }


def write_result(name: str, db: str, data: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}-{db}.json"
    body = {
        "benchmark": name,
        "db": db,
        "finished_at": datetime.now(UTC).isoformat(),
        "machine": machine(),
        "product": product_version(),
        **data,
    }
    path.write_text(json.dumps(body, indent=2, default=str) + "\n")
    return path


# -- speakout processes -----------------------------------------------------------------------

# Settings from the benchmark's own environment never leak into the processes it starts.
_SETTING_PREFIXES = ("SLACK_", "ORGANIZER_", "ESCALATION_", "REMIND", "OUTBOX_", "SCHEDULER_")
_SETTING_NAMES = {"DATABASE_URL", "COC_FILE", "LISTENER_THREADS", "PORT", "LOG_LEVEL", "ENCRYPTION_KEY"}


def process_env(**settings: str) -> dict[str, str]:
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(_SETTING_PREFIXES) and name not in _SETTING_NAMES and "proxy" not in name.lower()
    }
    env["SPEAKOUT_ENV_FILE"] = str(WORK / "no-such.env")
    env["PYTHONPATH"] = str(ROOT)
    env.update(settings)
    return env


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Process:
    """A ``python -m ...`` subprocess logging to results/work/<name>.log."""

    def __init__(self, name: str, args: Sequence[str], env: dict[str, str]):
        WORK.mkdir(parents=True, exist_ok=True)
        self.log = WORK / f"{name}.log"
        with self.log.open("wb") as log:
            self.popen = subprocess.Popen(
                [sys.executable, *args], cwd=WORK, env=env, stdout=log, stderr=subprocess.STDOUT
            )

    @property
    def pid(self) -> int:
        return self.popen.pid

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for_log(self, needle: str, timeout: float = 60.0) -> float:
        """Seconds until ``needle`` appeared in the log."""
        started = time.monotonic()
        while needle not in self.output():
            if self.popen.poll() is not None:
                raise RuntimeError(f"{self.popen.args} exited with {self.popen.returncode}:\n{self.output()[-3000:]}")
            if time.monotonic() - started > timeout:
                raise TimeoutError(f"no {needle!r} in {self.log} after {timeout}s")
            time.sleep(0.05)
        return time.monotonic() - started

    def wait_until(self, ready: Callable[[], bool], timeout: float = 60.0) -> None:
        started = time.monotonic()
        while not ready():
            if self.popen.poll() is not None:
                raise RuntimeError(f"{self.popen.args} exited with {self.popen.returncode}:\n{self.output()[-3000:]}")
            if time.monotonic() - started > timeout:
                raise TimeoutError(f"{self.popen.args} not ready after {timeout}s")
            time.sleep(0.05)

    def stop(self) -> int | None:
        if self.popen.poll() is not None:
            return self.popen.returncode
        self.popen.send_signal(signal.SIGTERM)
        try:
            return self.popen.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait(timeout=20)
            return None


def http_get_json(url: str, timeout: float = 5.0) -> dict[str, Any] | None:
    try:
        with _opener.open(url, timeout=timeout) as answer:
            return json.loads(answer.read()) if answer.status == 200 else None
    except (URLError, ConnectionError, TimeoutError, ValueError):
        return None


def rss_kib(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak) of a process, in KiB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0])
    return fields


def populate_workspace(stand_in, participants: Iterable[str]) -> None:
    """The organizers' and escalation channels (as in ``LocalSpeakOut``) and the participants."""
    for index, user_id in enumerate((*ORGANIZER_IDS, LEAD)):
        stand_in.add_user(user_id, f"organizer{index}")
    for user_id in participants:
        stand_in.add_user(user_id, user_id.lower())
    stand_in.add_channel(ORGANIZERS, "coc-organizers", members=[*ORGANIZER_IDS, LEAD])
    stand_in.add_channel(ESCALATION, "coc-escalation", members=[LEAD])


def participant_ids(count: int, prefix: str = "U0BENCH") -> list[str]:
    return [f"{prefix}{i:05d}" for i in range(count)]


def poll(done: Callable[[], bool], timeout: float, every: float = 0.1) -> bool:
    """Wait until ``done()`` (checked every ``every`` s), at most ``timeout`` s; whether it was."""
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            return False
        time.sleep(every)
    return True
