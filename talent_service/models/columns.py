"""Column helpers so every table spells enums and text the same way."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import Column, Integer
from sqlalchemy import Enum as SAEnum


def enum_type(enum_cls: type[StrEnum], name: str) -> SAEnum:
    # Stored as VARCHAR plus a named CHECK constraint: portable between SQLite and PostgreSQL
    # and readable by humans in either.
    return SAEnum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda cls: [member.value for member in cls],
        validate_strings=True,
    )


def version_column() -> Column[int]:
    """A row version for optimistic concurrency: SQLAlchemy bumps it on every UPDATE and refuses
    an UPDATE whose version moved meanwhile (StaleDataError → 412).

    No server default: the ORM writes the first version itself, and migration 0001 has none.
    """
    return Column("version", Integer, nullable=False)
