"""A live ``talent-service serve`` in a subprocess on a free loopback port, with a fresh database.

The database follows ``TALENT_TEST_DATABASE_URL`` like the rest of the suite: a new PostgreSQL
database per server (2 workers), or a SQLite file in a temporary folder (1 worker). The server
runs in its own process group, so a fault can be sent to every worker at once (kill -9).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url

PROVINCE_USER = "e2e-province"
PASSWORD = "e2e-password-123"
# Cheap Argon2 for the load (registrations and logins by the thousand); production refuses it.
HASH_MEMORY_KIB = "1024"
START_TIMEOUT_S = 30.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cli() -> str:
    return str(Path(sys.executable).with_name("talent-service"))


class Database:
    """A fresh database for one live server, dropped at the end."""

    def __init__(self, tmp: Path) -> None:
        base = os.environ.get("TALENT_TEST_DATABASE_URL", "")
        self.postgres = base.startswith("postgresql")
        if self.postgres:
            self.name = f"talent_e2e_{uuid.uuid4().hex[:10]}"
            self._admin = make_url(base).set(database="postgres")
            self._run_admin(f'CREATE DATABASE "{self.name}"')
            self.url = make_url(base).set(database=self.name).render_as_string(hide_password=False)
        else:
            self.url = f"sqlite:///{tmp / 'live.db'}"
        self.engine: Engine = create_engine(self.url)

    def _run_admin(self, statement: str) -> None:
        admin = create_engine(self._admin, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(statement))
        admin.dispose()

    def scalar(self, sql: str) -> int:
        with self.engine.connect() as connection:
            return int(connection.execute(text(sql)).scalar_one())

    def execute(self, *statements: str) -> None:
        with self.engine.begin() as connection:
            for statement in statements:
                connection.exec_driver_sql(statement)

    def drop(self) -> None:
        self.engine.dispose()
        if self.postgres:
            self._run_admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


class LiveServer:
    def __init__(self, database: Database, log_path: Path) -> None:
        self.database = database
        self.workers = 2 if database.postgres else 1
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "TALENT_DATABASE_URL": database.url,
            "TALENT_ENVIRONMENT": "test",
            "TALENT_PASSWORD_HASH_MEMORY_KIB": HASH_MEMORY_KIB,
        }
        self._log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None

    def cli(self, *args: str, stdin: str | None = None) -> str:
        done = subprocess.run(  # noqa: S603 - our own command, fixed arguments
            [_cli(), *args],
            env=self.env,
            input=stdin.encode() if stdin is not None else None,
            capture_output=True,
            timeout=120,
            check=True,
        )
        return done.stdout.decode()

    def prepare(self) -> None:
        """Migrate the fresh database and create the province account."""
        self.cli("migrate")
        self.cli(
            "create-user", PROVINCE_USER, "--role", "province", "--password-stdin", stdin=PASSWORD
        )

    def start(self) -> None:
        log = self._log_path.open("ab")
        self.process = subprocess.Popen(  # noqa: S603
            [_cli(), "serve", "--port", str(self.port), "--workers", str(self.workers)],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: signals reach every worker
        )
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}: {self.log()}")
            try:
                if httpx.get(f"{self.url}/readyz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"server not ready in {START_TIMEOUT_S}s: {self.log()}")

    def log(self) -> str:
        return self._log_path.read_text(errors="replace")[-4000:]

    def kill9(self) -> None:
        """SIGKILL to the whole process group: the supervisor and every worker, at once."""
        assert self.process is not None
        with contextlib.suppress(ProcessLookupError):  # the group may be gone already
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self.process = None

    def terminate(self) -> int:
        """SIGTERM to the supervisor, as an orchestrator sends it; the exit code."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=60)
        self.process = None
        return code

    def stop(self) -> None:
        """SIGTERM, and kill -9 if it does not exit in time (or has half exited)."""
        if self.process is None:
            return
        try:
            if self.process.poll() is None:
                self.terminate()
        except subprocess.TimeoutExpired:
            pass
        if self.process is not None:
            self.kill9()
