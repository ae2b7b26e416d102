"""Helpers for the audit tests: read the chain as a DBA would, and tamper with it like one."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, text

from talent_service.audit.verify import Report, verify_chain
from talent_service.eligibility.keys import published_jwks


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
