"""``talent-service audit verify`` as a script runs it: exit 0 on an intact chain, 1 naming the
first broken entry."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

PASSWORD = "a-long-password\n"


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


def test_verify_passes_then_names_the_edited_entry(tmp_path: Path) -> None:
    db = tmp_path / "audit.db"
    assert _cli(db, "migrate").returncode == 0
    for name in ("alice", "bob", "carol"):
        done = _cli(
            db, "create-user", name, "--role", "province", "--password-stdin", stdin=PASSWORD
        )
        assert done.returncode == 0, done.stderr
    intact = _cli(db, "audit", "verify")
    assert intact.returncode == 0, intact.stdout + intact.stderr
    assert "audit chain intact: 3 entries, 1 signed checkpoints" in intact.stdout
    with sqlite3.connect(db) as raw:  # a DBA at the sqlite3 prompt
        actions = [r[0] for r in raw.execute("SELECT action FROM audit_entry ORDER BY seq")]
        assert actions == ["talent-service create-user"] * 3
        raw.execute("DROP TRIGGER audit_entry_no_update")
        raw.execute("UPDATE audit_entry SET object_id = '99' WHERE seq = 2")
    broken = _cli(db, "audit", "verify")
    assert broken.returncode == 1
    assert "audit chain broken at entry 2" in broken.stdout
