"""A private PostgreSQL server for tests that stop and start the database: its own data
directory and port, so stopping it never disturbs the shared server the rest of the suite uses.

Debian's server binaries live under ``/usr/lib/postgresql/<version>/bin``. PostgreSQL refuses
to run as root, so when the tests run as root the commands run as the ``postgres`` OS user and
the data directory belongs to it.
"""

import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import psycopg
from sqlalchemy import create_engine, text

from tests.e2e.helpers import eventually

BIN_ROOT = Path("/usr/lib/postgresql")


def server_binaries() -> Path:
    """The bin directory of the newest PostgreSQL installed the Debian way."""
    versions = sorted(
        (path for path in BIN_ROOT.glob("*/bin") if (path / "initdb").exists()),
        key=lambda path: int(path.parent.name) if path.parent.name.isdigit() else 0,
    )
    if not versions:
        raise RuntimeError(f"no PostgreSQL server binaries (initdb, pg_ctl) under {BIN_ROOT}/<version>/bin")
    return versions[-1]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PostgresInstance:
    """``initdb`` in a temporary directory, then ``start`` / ``stop`` at will; ``remove`` stops it
    (if it runs) and deletes everything."""

    def __init__(self) -> None:
        self.bin = server_binaries()
        self.port = _free_port()
        self._as_postgres = os.geteuid() == 0
        # Under /tmp, not pytest's private temp dirs: the postgres user must reach it.
        self.directory = Path(tempfile.mkdtemp(prefix="speakout-pg-", dir="/tmp" if self._as_postgres else None))
        self.data = self.directory / "data"
        self.log = self.directory / "server.log"
        if self._as_postgres:
            shutil.chown(self.directory, "postgres", "postgres")
        try:
            self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync")
        except BaseException:
            shutil.rmtree(self.directory, ignore_errors=True)
            raise

    # -- the server -------------------------------------------------------------------------------
    def start(self) -> None:
        options = f"-k {self.directory} -p {self.port} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "-t", "30", "start")
        eventually(self.accepts_connections, timeout=30, what=f"PostgreSQL on port {self.port} to accept connections")

    def stop(self) -> None:
        """``-m immediate``: the server goes away at once, as when it crashes or its host is cut off."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def running(self) -> bool:
        status = subprocess.run(self._command("pg_ctl", "-D", str(self.data), "status"), capture_output=True)
        return status.returncode == 0

    def accepts_connections(self) -> bool:
        try:
            with psycopg.connect(
                host="127.0.0.1", port=self.port, user="postgres", dbname="postgres", connect_timeout=2
            ):
                return True
        except psycopg.OperationalError:
            return False

    def remove(self) -> None:
        try:
            if self.data.exists() and self.running():
                self.stop()
        finally:
            shutil.rmtree(self.directory, ignore_errors=True)

    # -- databases --------------------------------------------------------------------------------
    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        admin = create_engine(self.url("postgres"), isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
                connection.execute(text(f'CREATE DATABASE "{name}"'))
        finally:
            admin.dispose()
        return self.url(name)

    # -- running the binaries ---------------------------------------------------------------------
    def _command(self, program: str, *args: str) -> list[str]:
        command = [str(self.bin / program), *args]
        return ["runuser", "-u", "postgres", "--", *command] if self._as_postgres else command

    def _run(self, program: str, *args: str) -> None:
        done = subprocess.run(self._command(program, *args), capture_output=True, text=True, timeout=60)
        if done.returncode != 0:
            log = self.log.read_text(errors="replace") if self.log.exists() else ""
            raise RuntimeError(f"{program} failed ({done.returncode}):\n{done.stdout}{done.stderr}\n{log}")
