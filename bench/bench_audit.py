"""The audit log's costs, run by hand (not a test):

1. append cost per write: N small write transactions (one row each) committed with and without
   an audit entry, on a scratch SQLite file or the PostgreSQL of ``TALENT_BENCH_POSTGRES_URL``
   (a scratch database is created there and dropped);
2. ``audit verify`` over 1,000,000 entries: a valid chain (with a signed checkpoint every 1000)
   bulk-inserted into a scratch SQLite file, then verified.

    PYTHONPATH=. .venv/bin/python bench/bench_audit.py [N_WRITES] [N_ENTRIES]
    TALENT_BENCH_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres ...
"""

from __future__ import annotations

import os
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

os.environ.setdefault("TALENT_ENVIRONMENT", "test")

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlmodel import Session  # noqa: E402

from talent_service.audit import record as audit  # noqa: E402
from talent_service.audit.chain import (  # noqa: E402
    GENESIS,
    Act,
    checkpoint_payload,
    entry_document,
    entry_hash,
    timestamp,
)
from talent_service.audit.verify import verify_chain  # noqa: E402
from talent_service.core import clock  # noqa: E402
from talent_service.core.db import make_engine  # noqa: E402
from talent_service.core.migrations import upgrade  # noqa: E402
from talent_service.core.signing import sign  # noqa: E402
from talent_service.core.signing_keys import published_jwks, signing_key  # noqa: E402
from talent_service.core.unit_of_work import commit  # noqa: E402
from talent_service.models import RevokedToken  # noqa: E402

ACT = Act(
    "user:7",
    "firm",
    12,
    None,
    "create_employment",
    "employment",
    "4242",
    "status 201",
    "POST /v1/employments",
)


def _writes(url: str, n: int, audited: bool) -> list[float]:
    engine = make_engine(url)
    times = []
    for _ in range(n):
        started = time.perf_counter()
        with Session(engine, expire_on_commit=False) as session:
            session.add(RevokedToken(jti=uuid.uuid4().hex, expires_at=clock.now()))
            session.flush()
            if audited:
                audit.record(session, None, ACT.action, "employment", "4242", "status 201")
            commit(session)
        times.append(time.perf_counter() - started)
    engine.dispose()
    return times


def bench_append(url: str, label: str, n: int) -> None:
    upgrade(url)
    _writes(url, 50, True)  # warm up
    for audited in (False, True, False, True):
        times = _writes(url, n, audited)
        mean = statistics.fmean(times) * 1e3
        p50 = statistics.median(times) * 1e3
        print(
            f"{label:10} {'with' if audited else 'without':7} audit: {n} writes, "
            f"mean {mean:.3f} ms, p50 {p50:.3f} ms per write"
        )


def _postgres(base: str) -> tuple[str, str]:
    name = f"talent_bench_audit_{uuid.uuid4().hex[:8]}"
    admin = create_engine(make_url(base).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(base).set(database=name).render_as_string(hide_password=False), name


def _drop(base: str, name: str) -> None:
    admin = create_engine(make_url(base).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def bench_verify(path: Path, n: int) -> None:
    url = f"sqlite:///{path}"
    upgrade(url)
    raw = sqlite3.connect(path)
    start = clock.now()
    prev, rows, checkpoints = GENESIS, [], []
    key = signing_key()
    generated = time.perf_counter()
    for seq in range(1, n + 1):
        at = start + timedelta(milliseconds=seq)
        act = Act(
            f"user:{seq % 500}",
            "firm",
            seq % 300,
            None,
            "create_employment",
            "employment",
            str(seq),
            "status 201",
            "POST /v1/employments",
        )
        document = entry_document(seq, at, act)
        new = entry_hash(prev, document)
        rows.append(
            (
                seq,
                timestamp(at).replace("T", " ").rstrip("Z"),
                act.actor,
                act.actor_role,
                act.actor_firm_id,
                None,
                act.action,
                act.object_type,
                act.object_id,
                act.outcome,
                act.request,
                prev,
                new,
            )
        )
        if seq % 1000 == 0:
            sig = sign(checkpoint_payload(seq, new, at), key)
            checkpoints.append(
                (seq, new, timestamp(at).replace("T", " ").rstrip("Z"), sig.kid, sig.jws)
            )
        prev = new
    raw.executemany("INSERT INTO audit_entry VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
    raw.executemany("INSERT INTO audit_checkpoint VALUES (?,?,?,?,?)", checkpoints)
    raw.execute("UPDATE audit_head SET seq = ?, hash = ?, checkpoint_seq = ?", (n, prev, n))
    raw.commit()
    raw.close()
    print(f"generated and inserted {n} entries in {time.perf_counter() - generated:.1f} s")
    engine = make_engine(url, writes=False)
    with engine.connect() as connection:
        started = time.perf_counter()
        report = verify_chain(connection, published_jwks())
        elapsed = time.perf_counter() - started
    assert report.ok, report
    print(
        f"audit verify: {report.entries} entries, {report.checkpoints} checkpoints in "
        f"{elapsed:.1f} s ({elapsed / report.entries * 1e6:.1f} µs per entry)"
    )


def main() -> None:
    n_writes = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    n_entries = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    scratch = Path(tempfile.mkdtemp())
    bench_append(f"sqlite:///{scratch / 'append.db'}", "sqlite", n_writes)
    base = os.environ.get("TALENT_BENCH_POSTGRES_URL")
    if base:
        url, name = _postgres(base)
        try:
            bench_append(url, "postgresql", n_writes)
        finally:
            _drop(base, name)
    bench_verify(scratch / "verify.db", n_entries)


if __name__ == "__main__":
    main()
