"""The records of a whole population read as columns, and laid out as of a date, for the
simulation: ``fact_source`` with arrays instead of records.

``fact_source.load_records`` + ``inputs_on`` read one person well but a province slowly (objects
per row, a rule called per person). Here the same facts come from plain column selects that the
database already turns into day numbers and codes, over the population's ids put once into a
temporary table (the id select, with its visibility rule, runs once, not in every query), and
are laid out with numpy:

``population_layout`` lays the columns out:

- spells are cut into pieces at their center's status changes (``records._pieces``: a piece
  starts at the hire and on every day a status takes effect during the spell, and carries the
  status in force on its first day; of several events on one day, the last recorded);
- the tier a firm holds on the date is ``tiers.tier_held_on``, once per firm;
- the declaration holding on the date is ``declarations.selection.holding_rows`` over rows the
  database returns in the order of the rule's rank (``holding_on``).

No provenance: a single decision still reads ``engine.records.Records``.
tests/eligibility/test_population_source.py checks that both give the same ``FactInputs``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy import Connection, Select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import Session, col, select

from talent_service.eligibility.engine.fact_builder import (
    CENTER_STATUSES,
    NO_DATE,
)
from talent_service.eligibility.engine.population_columns import (
    FACTS,
    NO_EFFECTIVE,
    STATES,
    Columns,
)
from talent_service.eligibility.engine.tiers import TierRecord
from talent_service.models import (
    Center,
    CenterStatusEvent,
    Declaration,
    Employment,
    Firm,
    FirmTierPeriod,
    Talent,
)
from talent_service.reference.enums import TierState, Verification
from talent_service.reference.identifiers import IdKind


class _day(FunctionElement[int]):
    """A date column as days since 1970-01-01 (NULL stays NULL), computed by the database."""

    type = sa.BigInteger()
    inherit_cache = True


@compiles(_day, "sqlite")
def _day_sqlite(element: _day, compiler: Any, **kw: Any) -> str:
    # julianday() of a 'YYYY-MM-DD' text is exact (a half day off the epoch's 2440587.5).
    return f"CAST(julianday({compiler.process(element.clauses, **kw)}) - 2440587.5 AS INTEGER)"


@compiles(_day, "postgresql")
def _day_postgresql(element: _day, compiler: Any, **kw: Any) -> str:
    return f"({compiler.process(element.clauses, **kw)} - DATE '1970-01-01')"


def _code(column: Any, values: Sequence[str]) -> sa.Case[Any]:
    """The index of the column's value in ``values`` (-1 for any other)."""
    return sa.case({v: i for i, v in enumerate(values)}, value=column, else_=-1)


# The population's ids, put once per read into a temporary table of the session's connection.
_POPULATION = sa.Table(
    "tmp_eligibility_population",
    sa.MetaData(),
    sa.Column("id", sa.BigInteger, primary_key=True),
    prefixes=["TEMPORARY"],
    postgresql_on_commit="DROP",
)
_TEMP_SCHEMA = {"postgresql": "pg_temp", "sqlite": "temp"}


def load_columns(session: Session, talents: Select[Any] | Sequence[int]) -> Columns:
    """Read the records of ``talents`` (an id select, or ids) in five queries over a temporary
    table of their ids."""
    connection = session.connection()
    schema = _TEMP_SCHEMA.get(connection.dialect.name)
    if schema is None:
        raise NotImplementedError(f"no day numbers for {connection.dialect.name}")
    # Left over from a read that failed on a connection that keeps no DDL in its transaction.
    connection.exec_driver_sql(f"DROP TABLE IF EXISTS {schema}.{_POPULATION.name}")
    _POPULATION.create(connection)
    if isinstance(talents, Select):
        ids = talents.subquery()
        connection.execute(_POPULATION.insert().from_select(["id"], sa.select(ids.c[0]).distinct()))
    elif talents:
        connection.execute(_POPULATION.insert(), [{"id": int(i)} for i in set(talents)])
    try:
        return _read(connection)
    finally:
        _POPULATION.drop(connection)


def _columns(
    connection: Connection, statement: Select[Any, *tuple[Any, ...]], width: int
) -> list[tuple[Any, ...]]:
    """The statement's result as one tuple per column, fetched straight from the driver: every
    column is a plain number or text (days and codes computed by the database), so SQLAlchemy's
    result rows and processors would only cost time."""
    dialect = connection.dialect
    compiled = statement.compile(dialect=dialect)
    values = compiled.construct_params()
    for bind, name in compiled.bind_names.items():
        if processor := bind.type.dialect_impl(dialect).bind_processor(dialect):
            values[name] = processor(values[name])
    args: Any = [values[n] for n in compiled.positiontup or ()] if compiled.positional else values
    dbapi_connection = connection.connection
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(compiled.string, args)
        rows = cursor.fetchall()
    except dialect.loaded_dbapi.Error as exc:
        if dialect.is_disconnect(exc, dbapi_connection, cursor):
            connection.invalidate(exc)
        raise DBAPIError.instance(compiled.string, args, exc, dialect.loaded_dbapi.Error) from exc
    finally:
        cursor.close()
    return list(zip(*rows, strict=True)) if rows else [() for _ in range(width)]


def _read(connection: Connection) -> Columns:
    population = _POPULATION.c.id
    people = _columns(
        connection,
        (
            sa.select(
                col(Talent.id),
                sa.func.coalesce(_day(col(Talent.birth_date)), NO_DATE),
                col(Talent.id_kind) != IdKind.resident_id,
            )
            .join(_POPULATION, population == col(Talent.id))
            .order_by(col(Talent.id))
        ),
        3,
    )
    talent_ids = np.array(people[0], np.int64)
    spells = _columns(
        connection,
        (
            sa.select(
                col(Employment.id),
                col(Employment.talent_id),
                _day(col(Employment.hired_on)),
                sa.func.coalesce(_day(col(Employment.departed_on)), NO_DATE),
                col(Employment.firm_id),
                sa.func.coalesce(col(Employment.center_id), -1),
                col(Employment.si_city_code),
                col(Employment.key_post),
                col(Employment.recruited_via_program),
            )
            .join(_POPULATION, population == col(Employment.talent_id))
            .order_by(col(Employment.id))
        ),
        9,
    )
    spells_of_population = sa.select(col(Employment.center_id), col(Employment.firm_id)).join(
        _POPULATION, population == col(Employment.talent_id)
    )
    # The spells' firms' and centers' cities, read once each rather than once per spell.
    firm_id = np.array(spells[4], np.int64)
    center_id = np.array(spells[5], np.int64)
    firms = _columns(
        connection,
        sa.select(col(Firm.id), col(Firm.home_city_code))
        .where(col(Firm.id).in_(spells_of_population.with_only_columns(col(Employment.firm_id))))
        .order_by(col(Firm.id)),
        2,
    )
    centers = _columns(
        connection,
        sa.select(col(Center.id), col(Center.host_city_code))
        .where(
            col(Center.id).in_(spells_of_population.with_only_columns(col(Employment.center_id)))
        )
        .order_by(col(Center.id)),
        2,
    )
    firm_home = np.array(firms[1], dtype="<U6")[
        np.searchsorted(np.array(firms[0], np.int64), firm_id)
    ]
    hosts = np.array([*centers[1], ""], dtype="<U6")  # the last: the home site's
    center_ids = np.array(centers[0], np.int64)
    at = np.searchsorted(center_ids, center_id)
    center_host = hosts[np.where(center_id >= 0, at, len(center_ids))]
    events = _columns(
        connection,
        (
            sa.select(
                col(CenterStatusEvent.center_id),
                _day(col(CenterStatusEvent.effective_on)),
                _code(col(CenterStatusEvent.status), CENTER_STATUSES),
            )
            .where(
                col(CenterStatusEvent.center_id).in_(
                    spells_of_population.with_only_columns(col(Employment.center_id))
                )
            )
            .order_by(
                col(CenterStatusEvent.center_id),
                col(CenterStatusEvent.effective_on),
                col(CenterStatusEvent.id),
            )
        ),
        3,
    )
    claims = _columns(
        connection,
        (
            sa.select(
                col(Declaration.talent_id),
                _code(col(Declaration.fact), [f.value for f in FACTS]).label("fact_code"),
                col(Declaration.id),
                sa.func.coalesce(col(Declaration.corrects_id), -1),
                sa.func.coalesce(_day(col(Declaration.effective_on)), NO_EFFECTIVE).label("eff"),
                _code(col(Declaration.verification), [s.value for s in STATES]).label("state"),
                col(Declaration.value),
            )
            .join(_POPULATION, population == col(Declaration.talent_id))
            .where(col(Declaration.verification) != Verification.rejected)
            # holding_on's rank: effective date, verified over declared, recorded at, id.
            .order_by(
                col(Declaration.talent_id),
                sa.literal_column("fact_code"),
                sa.literal_column("eff"),
                sa.literal_column("state"),
                col(Declaration.recorded_at),
                col(Declaration.id),
            )
        ),
        7,
    )
    claim_talent = np.searchsorted(talent_ids, np.array(claims[0], np.int64))
    return Columns(
        talent_ids=talent_ids,
        birth_day=np.array(people[1], np.int64),
        is_foreign=np.array(people[2], np.bool_),
        spell_id=np.array(spells[0], np.int64),
        spell_talent=np.searchsorted(talent_ids, np.array(spells[1], np.int64)),
        hired=np.array(spells[2], np.int64),
        departed=np.array(spells[3], np.int64),
        firm_id=firm_id,
        firm_home=firm_home,
        center_id=center_id,
        center_host=center_host,
        si_city=np.array(spells[6], dtype="<U6"),
        key_post=np.array(spells[7], np.bool_),
        recruited=np.array(spells[8], np.bool_),
        event_center=np.array(events[0], np.int64),
        event_day=np.array(events[1], np.int64),
        event_status=np.array(events[2], np.int64),
        tiers=_tiers(connection, spells_of_population.with_only_columns(col(Employment.firm_id))),
        claim_group=claim_talent * len(FACTS) + np.array(claims[1], np.int64),
        claim_id=np.array(claims[2], np.int64),
        claim_corrects=np.array(claims[3], np.int64),
        claim_effective=np.array(claims[4], np.int64),
        claim_state=np.array(claims[5], np.int64),
        claim_value=np.array(claims[6], dtype=object),
    )


def _tiers(connection: Connection, firm_ids: Select[Any]) -> dict[int, list[TierRecord]]:
    out: dict[int, list[TierRecord]] = {}
    rows = connection.execute(
        sa.select(FirmTierPeriod).where(
            col(FirmTierPeriod.firm_id).in_(firm_ids),
            col(FirmTierPeriod.state) == TierState.approved,
        )
    ).mappings()
    for p in rows:  # a few per firm: the firms' own rule reads them as records
        out.setdefault(p["firm_id"], []).append(
            TierRecord(
                id=p["id"],
                tier=p["tier"].value,
                certificate_no=p["certificate_no"],
                valid_from=p["valid_from"],
                valid_to=p["valid_to"],
                decided_at=p["decided_at"] or p["submitted_at"],
                decided_by=p["decided_by"] or p["submitted_by"],
                recorded_at=p["decided_at"] or p["submitted_at"],
            )
        )
    return out


def related_talents(city: str, side: str) -> Select[Any]:
    """Talent ids with a spell that a policy of ``city`` on ``side`` is about."""
    query = select(col(Employment.talent_id)).distinct()
    if side == "host":
        return query.join(Center, col(Center.id) == Employment.center_id).where(
            col(Center.host_city_code) == city
        )
    return query.join(Firm, col(Firm.id) == Employment.firm_id).where(
        col(Firm.home_city_code) == city
    )
