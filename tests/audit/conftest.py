"""Helpers for the audit tests: read the chain as a DBA would, and tamper with it like one."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, text

from talent_service.audit.chain import Act, entry_document, entry_hash
from talent_service.audit.verify import Report, verify_chain
from talent_service.core.signing_keys import published_jwks
from talent_service.models.base import _as_utc


def entries(connection: Connection) -> list[Any]:
    return list(connection.execute(text("SELECT * FROM audit_entry ORDER BY seq")))


def last_seq(connection: Connection) -> int:
    return int(connection.execute(text("SELECT seq FROM audit_head")).scalar_one())


def verified(connection: Connection) -> Report:
    return verify_chain(connection, published_jwks())


def drop_guards(connection: Connection) -> None:
    """What a DBA with the owner's rights can do: switch the append-only triggers off (inside
    the test's transaction, so the rollback at the end puts them back)."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("ALTER TABLE audit_entry DISABLE TRIGGER USER")
        connection.exec_driver_sql("ALTER TABLE audit_checkpoint DISABLE TRIGGER USER")
    else:
        for table in ("audit_entry", "audit_checkpoint"):
            for verb in ("update", "delete"):
                connection.exec_driver_sql(f"DROP TRIGGER {table}_no_{verb}")


def rewrite_from(
    connection: Connection, seq: int, *, only: int | None = None, **changes: Any
) -> None:
    """What someone with write access to the table but not the signing key would do: change
    entry ``seq`` and recompute the hashes from it on (``only``: of that many entries), so
    that every entry's content gives its hash again."""
    rows = list(
        connection.execute(
            text("SELECT * FROM audit_entry WHERE seq >= :s ORDER BY seq"), {"s": seq}
        )
    )[:only]
    prev = rows[0].prev_hash
    for i, row in enumerate(rows):
        values = dict(row._mapping) | (changes if i == 0 else {})
        act = Act(*(values[name] for name in Act.__slots__))
        at = values["occurred_at"]
        at = _as_utc(datetime.fromisoformat(at) if isinstance(at, str) else at)
        prev = entry_hash(prev, entry_document(row.seq, at, act))
        connection.execute(
            text("UPDATE audit_entry SET actor = :actor, hash = :hash WHERE seq = :seq"),
            {"actor": values["actor"], "hash": prev, "seq": row.seq},
        )
        if i + 1 < len(rows):
            connection.execute(
                text("UPDATE audit_entry SET prev_hash = :prev WHERE seq = :seq"),
                {"prev": prev, "seq": rows[i + 1].seq},
            )
    if only is None:
        connection.execute(text("UPDATE audit_head SET hash = :h"), {"h": prev})
