"""The account commands end tokens: each bumps the account's token version (run as a script)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.test_cli import _cli


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "accounts.db"
    assert _cli(path, "migrate").returncode == 0
    return path


def _version(db: Path, sql: str) -> tuple[int, bool]:
    engine = create_engine(f"sqlite:///{db}")
    with engine.connect() as connection:
        version, active = connection.execute(text(sql)).one()
    engine.dispose()
    return int(version), bool(active)


def test_set_password_and_deactivate_user_end_its_tokens(db: Path) -> None:
    made = _cli(db, "create-user", "clerk", "--role", "province", "--password-stdin",
                stdin="a-long-password\n")  # fmt: skip
    assert made.returncode == 0, made.stderr
    query = "SELECT token_version, is_active FROM user_account WHERE username = 'clerk'"
    assert _version(db, query) == (0, True)
    done = _cli(db, "set-password", "clerk", "--password-stdin", stdin="another-password\n")
    assert done.returncode == 0, done.stderr
    assert _version(db, query) == (1, True)
    assert _cli(db, "deactivate-user", "clerk").returncode == 0
    assert _version(db, query) == (2, False)
    assert _cli(db, "deactivate-user", "nobody").returncode != 0


def test_rotate_secret_prints_a_new_one_and_deactivate_client_ends_its_tokens(db: Path) -> None:
    made = _cli(db, "create-client", "School admission", "--scope", "registry:read")
    client_id = re.search(r"client_id:\s+(\S+)", made.stdout)
    old_secret = re.search(r"client_secret:\s+(\S+)", made.stdout)
    assert client_id and old_secret, made.stdout
    query = "SELECT token_version, is_active FROM api_client"  # the only client
    rotated = _cli(db, "rotate-client-secret", client_id[1])
    new_secret = re.search(r"client_secret:\s+(\S+)", rotated.stdout)
    assert new_secret and new_secret[1] != old_secret[1], rotated.stdout
    assert _version(db, query) == (1, True)
    assert _cli(db, "deactivate-client", client_id[1]).returncode == 0
    assert _version(db, query) == (2, False)
