"""The command line, run as a script would run it: no prompts, clear failures."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def _cli(db: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TALENT_DATABASE_URL": f"sqlite:///{db}", "COLUMNS": "200"}
    return subprocess.run(  # noqa: S603 - our own command, fixed arguments
        [sys.executable, "-m", "talent_service.cli", *args],
        input=stdin,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "cli.db"
    assert _cli(path, "migrate").returncode == 0
    return path


def test_create_user_reads_the_password_from_stdin(db: Path) -> None:
    done = _cli(
        db,
        "create-user",
        "bureau-sz",
        "--role",
        "bureau",
        "--city",
        "440300",
        "--password-stdin",
        stdin="a-long-password\n",
    )
    assert done.returncode == 0, done.stderr
    assert "created bureau user bureau-sz" in done.stdout


def test_create_user_refuses_a_bureau_without_a_city(db: Path) -> None:
    done = _cli(
        db,
        "create-user",
        "bureau-x",
        "--role",
        "bureau",
        "--password-stdin",
        stdin="a-long-password\n",
    )
    assert done.returncode != 0
    assert "bound to a city" in done.stdout + done.stderr


def test_create_client_prints_its_secret_once(db: Path) -> None:
    done = _cli(
        db,
        "create-client",
        "Shenzhen school admission",
        "--scope",
        "eligibility:verify",
        "--city",
        "440300",
    )
    assert done.returncode == 0, done.stderr
    assert "client_id:" in done.stdout and "client_secret:" in done.stdout


def test_create_client_refuses_a_write_scope(db: Path) -> None:
    done = _cli(db, "create-client", "Rogue", "--scope", "registry:write")
    assert done.returncode != 0
    assert "grant one or more of" in done.stdout + done.stderr


def test_purge_idempotency_keys_deletes_only_expired_answers(db: Path) -> None:
    import sqlite3

    connection = sqlite3.connect(db)
    with connection:
        connection.executemany(
            "INSERT INTO idempotency_key (caller, key, fingerprint, status_code, "
            "response_headers, response_body, created_at, expires_at) "
            "VALUES ('user:1', ?, ?, 201, '[]', x'7b7d', '2020-01-01 00:00:00', ?)",
            [
                ("old", "0" * 64, "2020-01-02 00:00:00"),
                ("live", "1" * 64, "2999-01-01 00:00:00"),
            ],
        )
    done = _cli(db, "purge-idempotency-keys")
    assert done.returncode == 0, done.stderr
    assert "purged 1 expired idempotency keys" in done.stdout
    keys = [row[0] for row in connection.execute("SELECT key FROM idempotency_key")]
    connection.close()
    assert keys == ["live"]
