"""Alembic on a database of its own (``conftest.py``): one head, upgrade → downgrade → upgrade on
a database holding data, models and migrations agree, and every constraint and index carries a
name from the naming convention. What revision 0003 does to the data is in
``test_dated_facts_migration.py``.
"""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

import talent_service.models  # noqa: F401 - every table on the metadata
from talent_service.core.migrations import (
    alembic_config,
    current_and_head,
    downgrade,
    head_revision,
    upgrade,
)
from talent_service.models import NAMING_CONVENTION, City, Employment, Firm, User
from talent_service.reference.enums import DepartureReason, Role
from tests.factories import SHANTOU, SHENZHEN, Factory
from tests.migrations.databases import ALEMBIC_TABLE, ON_POSTGRES, app_tables, count

# --- the revision graph ----------------------------------------------------------------------


def test_there_is_a_single_head_and_a_single_base() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    assert len(script.get_heads()) == 1, script.get_heads()
    assert len(script.get_bases()) == 1, script.get_bases()
    revisions = list(script.walk_revisions())
    for revision in revisions:
        # No merges and no branches: a straight line from base to head.
        assert not isinstance(revision.down_revision, tuple | list), revision
        assert len(revision.nextrev) <= 1, revision
    assert script.get_current_head() == head_revision()


# --- round trip on a database holding data -----------------------------------------------------


def fill(engine: Engine) -> None:
    """A firm, an enclave space, a center, a talent and two spells (one closed), a user."""
    with Session(engine) as session:
        make = Factory(session)
        firm = make.firm(SHANTOU)
        enclave = make.enclave(SHENZHEN, partners=(SHANTOU,))
        center = make.center(firm, SHENZHEN, enclave_id=enclave.id)
        talent = make.talent(firm)
        make.employment(
            talent,
            firm,
            center,
            hired_on=date(2021, 3, 1),
            departed_on=date(2022, 2, 28),
            departure_reason=DepartureReason.resigned,
        )
        make.employment(talent, firm, center, hired_on=date(2022, 3, 1))
        session.add(User(username="hr", password_hash="x", role=Role.firm, firm_id=firm.id))
        session.commit()


def test_upgrade_downgrade_upgrade_on_a_database_holding_data(
    fresh_url: str, engine_for: Engine
) -> None:
    upgrade(fresh_url)
    assert current_and_head(engine_for) == (head_revision(), head_revision())
    assert count(engine_for, City.__tablename__) == 21
    tables = app_tables(engine_for)
    assert tables >= {"firm", "enclave", "center", "talent", "employment", "city"}

    fill(engine_for)
    assert count(engine_for, Employment.__tablename__) == 2

    downgrade(fresh_url, "base")
    engine_for.dispose()
    assert app_tables(engine_for) == set()
    assert current_and_head(engine_for)[0] is None

    upgrade(fresh_url)
    engine_for.dispose()
    assert app_tables(engine_for) == tables
    assert count(engine_for, City.__tablename__) == 21
    assert count(engine_for, Firm.__tablename__) == 0
    assert current_and_head(engine_for) == (head_revision(), head_revision())
    # And the schema is usable again.
    fill(engine_for)
    assert count(engine_for, Employment.__tablename__) == 2


def test_every_revision_steps_down_and_up_again(fresh_url: str, engine_for: Engine) -> None:
    script = ScriptDirectory.from_config(alembic_config())
    revisions = [r.revision for r in reversed(list(script.walk_revisions()))]
    for revision in revisions:
        upgrade(fresh_url, revision)
        downgrade(fresh_url, "-1")
        upgrade(fresh_url, revision)
        engine_for.dispose()
        assert current_and_head(engine_for)[0] == revision
    assert count(engine_for, City.__tablename__) == 21


# --- models and migrations agree --------------------------------------------------------------


def _diffs(engine: Engine, **options: object) -> list[object]:
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={"compare_type": True, "target_metadata": SQLModel.metadata, **options},
        )
        return list(compare_metadata(context, SQLModel.metadata))


def test_models_and_migrations_agree(fresh_url: str, engine_for: Engine) -> None:
    # What `alembic check` compares: tables, columns, types, nullability, indexes, unique
    # constraints and foreign keys.
    upgrade(fresh_url)
    assert _diffs(engine_for) == []


def test_models_and_migrations_agree_on_server_defaults(fresh_url: str, engine_for: Engine) -> None:
    upgrade(fresh_url)
    assert _diffs(engine_for, compare_server_default=True) == []


# --- names ---------------------------------------------------------------------------------


def _convention_names(engine: Engine) -> list[tuple[str, str, str | None, str]]:
    """(table, kind, actual name, expected name or prefix) for every constraint and index."""
    inspector = sa.inspect(engine)
    found: list[tuple[str, str, str | None, str]] = []
    for table in sorted(app_tables(engine)):
        pk = inspector.get_pk_constraint(table)
        if pk.get("constrained_columns"):
            found.append((table, "pk", pk.get("name"), f"pk_{table}"))
        for fk in inspector.get_foreign_keys(table):
            expected = f"fk_{table}_{fk['constrained_columns'][0]}_{fk['referred_table']}"
            found.append((table, "fk", fk.get("name"), expected))
        for index in inspector.get_indexes(table):
            if index.get("duplicates_constraint"):
                continue  # PostgreSQL's index behind a unique constraint: checked as "uq"
            found.append((table, "ix", index.get("name"), f"ix_{table}_{index['column_names'][0]}"))
        for unique in inspector.get_unique_constraints(table):
            # Multi-column keys may carry a deliberate name, but under the convention's prefix.
            found.append((table, "uq", unique.get("name"), f"uq_{table}_"))
        for check in inspector.get_check_constraints(table):
            found.append((table, "ck", check.get("name"), f"ck_{table}_"))
    return found


def test_every_constraint_and_index_follows_the_naming_convention(
    fresh_url: str, engine_for: Engine
) -> None:
    assert set(NAMING_CONVENTION) == {"ix", "uq", "ck", "fk", "pk"}
    upgrade(fresh_url)
    found = _convention_names(engine_for)
    assert {kind for _, kind, _, _ in found} == {"pk", "fk", "ix", "uq", "ck"}
    wrong = [
        (table, kind, name, expected)
        for table, kind, name, expected in found
        if name is None
        or (kind in ("pk", "fk", "ix") and name != expected)
        or (kind in ("uq", "ck") and not name.startswith(expected))
    ]
    assert wrong == []


@pytest.mark.skipif(not ON_POSTGRES, reason="PostgreSQL catalogue")
def test_no_constraint_or_index_has_a_generated_name_in_the_catalogue(
    fresh_url: str, engine_for: Engine
) -> None:
    # The inspector may not report every constraint; the catalogue does.
    upgrade(fresh_url)
    with engine_for.connect() as connection:
        constraints = connection.execute(
            sa.text(
                "SELECT conrelid::regclass::text, conname, contype FROM pg_constraint "
                "WHERE connamespace = 'public'::regnamespace"
            )
        ).all()
        indexes = connection.execute(
            sa.text("SELECT tablename, indexname FROM pg_indexes WHERE schemaname = 'public'")
        ).all()
    prefixes = {"p": "pk_", "f": "fk_", "u": "uq_", "c": "ck_", "x": "ex_"}
    assert constraints
    wrong = [
        (table, name, kind)
        for table, name, kind in constraints
        if table != ALEMBIC_TABLE
        and not name.startswith(f"{prefixes.get(kind, '?')}{table}_")
        and name != f"pk_{table}"
    ]
    wrong += [
        (table, name, "index")
        for table, name in indexes
        if table != ALEMBIC_TABLE
        and not name.startswith((f"ix_{table}_", f"pk_{table}", f"uq_{table}_"))
    ]
    assert wrong == []
