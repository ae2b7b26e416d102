"""The records of a whole population read as columns, and laid out as of a date, for the
simulation: ``fact_source`` with arrays instead of records.

``fact_source.load_records`` + ``inputs_on`` read one person well but a province slowly (objects
per row, a rule called per person). Here the same facts come from plain column selects that the
database already turns into day numbers and codes, over the population's ids put once into a
temporary table (the id select, with its visibility rule, runs once, not in every query), and
are laid out with numpy:

- spells are cut into pieces at their center's status changes (``fact_source._pieces``: a piece
  starts at the hire and on every day a status takes effect during the spell, and carries the
  status in force on its first day; of several events on one day, the last recorded);
- the tier a firm holds on the date is ``tiers.tier_held_on``, once per firm;
- the declaration holding on the date is ``declarations.selection.holding_rows`` over rows the
  database returns in the order of the rule's rank (``holding_on``).

No provenance: a single decision still reads ``fact_source.Records``.
tests/eligibility/test_population_source.py checks that both give the same ``FactInputs``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
import sqlalchemy as sa
from sqlalchemy import Connection, Select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import Session, col

from talent_service.declarations.selection import EVERY_STATE, holding_rows
from talent_service.eligibility.fact_builder import (
    CENTER_STATUSES,
    EDUCATIONS,
    NO_DATE,
    TIERS,
    TITLES,
    FactInputs,
    day_number,
)
from talent_service.eligibility.tiers import TierRecord, tier_held_on
from talent_service.models import (
    Center,
    CenterStatusEvent,
    Declaration,
    Employment,
    Firm,
    FirmTierPeriod,
    Talent,
)
from talent_service.reference.enums import DeclaredFact, TierState, Verification
from talent_service.reference.identifiers import IdKind

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
NO_EFFECTIVE = -(2**62)  # a declaration's NULL effective date: since before the records
FACTS = (DeclaredFact.education, DeclaredFact.professional_title, DeclaredFact.hukou_city)
STATES = (Verification.declared, Verification.verified)  # codes 0 and 1; rejected is not read


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


@dataclass(frozen=True, eq=False)
class Columns:
    """What the facts of a population rest on, as arrays, independent of the as-of date."""

    talent_ids: IntArray  # ascending
    birth_day: IntArray
    is_foreign: BoolArray
    # spells, by id
    spell_id: IntArray
    spell_talent: IntArray  # index into talent_ids
    hired: IntArray
    departed: IntArray
    firm_id: IntArray
    firm_home: npt.NDArray[np.str_]
    center_id: IntArray
    center_host: npt.NDArray[np.str_]
    si_city: npt.NDArray[np.str_]
    key_post: BoolArray
    recruited: BoolArray
    # the spells' centers' status events, by center, effective date, id
    event_center: IntArray
    event_day: IntArray
    event_status: IntArray
    tiers: dict[int, list[TierRecord]]  # firm id -> approved periods
    # declarations (rejected ones left out), by person, fact, then the rule's rank
    claim_group: IntArray  # talent index * 3 + index into FACTS
    claim_id: IntArray
    claim_corrects: IntArray  # -1: corrects none
    claim_effective: IntArray  # NO_EFFECTIVE when NULL
    claim_state: IntArray  # index into STATES
    claim_value: npt.NDArray[np.object_]

    @property
    def n(self) -> int:
        return len(self.talent_ids)


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


def _columns(rows: Sequence[Any], width: int) -> list[tuple[Any, ...]]:
    return list(zip(*rows, strict=True)) if rows else [() for _ in range(width)]


def _read(connection: Connection) -> Columns:
    population = _POPULATION.c.id
    people = _columns(
        connection.execute(
            sa.select(
                col(Talent.id),
                sa.func.coalesce(_day(col(Talent.birth_date)), NO_DATE),
                col(Talent.id_kind) != IdKind.resident_id,
            )
            .join(_POPULATION, population == col(Talent.id))
            .order_by(col(Talent.id))
        ).all(),
        3,
    )
    talent_ids = np.array(people[0], np.int64)
    spells = _columns(
        connection.execute(
            sa.select(
                col(Employment.id),
                col(Employment.talent_id),
                _day(col(Employment.hired_on)),
                sa.func.coalesce(_day(col(Employment.departed_on)), NO_DATE),
                col(Employment.firm_id),
                col(Firm.home_city_code),
                sa.func.coalesce(col(Employment.center_id), -1),
                sa.func.coalesce(col(Center.host_city_code), ""),
                col(Employment.si_city_code),
                col(Employment.key_post),
                col(Employment.recruited_via_program),
            )
            .join(_POPULATION, population == col(Employment.talent_id))
            .join(Firm, col(Firm.id) == col(Employment.firm_id))
            .outerjoin(Center, col(Center.id) == col(Employment.center_id))
            .order_by(col(Employment.id))
        ).all(),
        11,
    )
    spells_of_population = sa.select(col(Employment.center_id), col(Employment.firm_id)).join(
        _POPULATION, population == col(Employment.talent_id)
    )
    events = _columns(
        connection.execute(
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
        ).all(),
        3,
    )
    claims = _columns(
        connection.execute(
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
        ).all(),
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
        firm_id=np.array(spells[4], np.int64),
        firm_home=np.array(spells[5], dtype="<U6"),
        center_id=np.array(spells[6], np.int64),
        center_host=np.array(spells[7], dtype="<U6"),
        si_city=np.array(spells[8], dtype="<U6"),
        key_post=np.array(spells[9], np.bool_),
        recruited=np.array(spells[10], np.bool_),
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


# --- laying the columns out as of a date ------------------------------------------------------

_EDU = {e: i for i, e in enumerate(EDUCATIONS)}
_TITLE = {t: i for i, t in enumerate(TITLES)}
_TIER = {t: i for i, t in enumerate(TIERS)}


@dataclass(frozen=True, eq=False)
class _Timeline:
    """Per center, the days a status takes effect and the status from then (the last event of
    the day), as sorted keys ``center * width + day`` for ``searchsorted``."""

    keys: IntArray
    day: IntArray
    status: IntArray
    centers: IntArray  # the centers with events, ascending
    low: int
    width: int

    def key(self, center: IntArray, day: IntArray) -> IntArray:
        """Keys of (center, day), ``center`` an index into ``centers``; days clamped so that a
        day before every event still sorts before the center's first key."""
        high = self.low + self.width - 1
        return center * self.width + (np.clip(day, self.low - 1, high) - self.low + 1)


def _timeline(cols: Columns, as_of: int) -> _Timeline:
    ec, ed, es = cols.event_center, cols.event_day, cols.event_status
    last_of_day = np.ones(ec.size, np.bool_)
    last_of_day[:-1] = (ec[1:] != ec[:-1]) | (ed[1:] != ed[:-1])
    ec, ed, es = ec[last_of_day], ed[last_of_day], es[last_of_day]
    centers = np.unique(ec)
    low = int(min(ed.min(initial=as_of), cols.hired.min(initial=as_of), as_of))
    high = int(max(ed.max(initial=as_of), as_of)) + 1
    width = high - low + 2
    dense = np.searchsorted(centers, ec)
    return _Timeline(dense * width + (ed - low + 1), ed, es, centers, low, width)


def _in_force(line: _Timeline, center: IntArray, day: IntArray) -> tuple[IntArray, IntArray]:
    """Per row, the number of the center's status days on or before ``day`` counted from the
    start of all keys (the ``searchsorted`` position) and the status in force (-1: none)."""
    at = np.searchsorted(line.keys, line.key(center, day), side="right")
    prev = np.maximum(at - 1, 0)
    own = (at > 0) & (line.keys[prev] // line.width == center) if line.keys.size else at > 0
    status = np.where(own, line.status[prev] if line.keys.size else -1, -1)
    return at, status.astype(np.int64)


def _pieces(cols: Columns, line: _Timeline, as_of: int) -> tuple[IntArray, ...]:
    """Per piece: its spell (index), first day, last day, status while worked; and per spell the
    status on ``as_of`` (``fact_source._pieces`` and ``status_on``, for every spell at once)."""
    m = cols.spell_id.size
    dense = np.searchsorted(line.centers, cols.center_id)
    dense = np.minimum(dense, max(line.centers.size - 1, 0))
    timed = (cols.center_id >= 0) & (line.centers.size > 0)
    if line.centers.size:
        timed &= line.centers[dense] == cols.center_id
    start_at, start_status = _in_force(line, dense, cols.hired)
    end_at, _ = _in_force(line, dense, cols.departed)
    _, now = _in_force(line, dense, np.full(m, as_of))
    cuts = np.where(timed, np.maximum(end_at - start_at, 0), 0)
    per = cuts + 1
    spell = np.repeat(np.arange(m), per)
    j = np.arange(spell.size) - np.repeat(np.cumsum(per) - per, per)
    top = max(line.day.size - 1, 0)
    began = np.minimum(start_at[spell] + j - 1, top)  # the status day a later piece starts on
    ends = np.minimum(start_at[spell] + j, top)  # the next status day, if the piece is cut
    day, status = (line.day, line.status) if line.day.size else (np.zeros(1, np.int64),) * 2
    first = np.where(j == 0, cols.hired[spell], day[began])
    last = np.where(j < cuts[spell], day[ends] - 1, cols.departed[spell])
    piece_status = np.where(j == 0, np.where(timed, start_status, -1)[spell], status[began])
    return spell, first, last, piece_status, np.where(timed, now, -1)


def _firm_tiers(cols: Columns, as_of: date) -> tuple[IntArray, IntArray]:
    """Per spell, its firm's tier code on ``as_of`` and that tier's last valid day."""
    firms, inverse = np.unique(cols.firm_id, return_inverse=True)
    codes = np.full(firms.size, _TIER["none"], np.int64)
    expires = np.full(firms.size, NO_DATE, np.int64)
    for i, firm in enumerate(firms.tolist()):
        held = tier_held_on(cols.tiers.get(firm, []), as_of)
        if held is not None:
            codes[i], expires[i] = _TIER[held.tier], day_number(held.valid_to)
    return codes[inverse], expires[inverse]


def columns_on(
    cols: Columns, as_of: date, accept: dict[DeclaredFact, frozenset[Verification]] | None = None
) -> FactInputs:
    """``fact_source.inputs_on`` for columns: the same ``FactInputs``."""
    d = day_number(as_of)
    accepts = np.array(
        [[s in (accept or {}).get(f, EVERY_STATE) for s in STATES] for f in FACTS], np.bool_
    )
    group = cols.claim_group
    accepted = accepts[group % len(FACTS), cols.claim_state] if group.size else group > 0
    won = holding_rows(group, cols.claim_id, cols.claim_corrects, cols.claim_effective, accepted, d)
    who, fact = group[won] // len(FACTS), group[won] % len(FACTS)

    def coded(k: int, table: dict[str, int]) -> IntArray:
        out = np.full(cols.n, -1, np.int64)
        rows = fact == k
        out[who[rows]] = [-1 if v is None else table[v] for v in cols.claim_value[won[rows]]]
        return out

    hukou = fact == FACTS.index(DeclaredFact.hukou_city)
    hukou_city = np.full(cols.n, None, dtype=object)
    hukou_city[who[hukou]] = cols.claim_value[won[hukou]]
    hukou_known = np.zeros(cols.n, np.bool_)
    hukou_known[who[hukou]] = True

    spell, first, last, status, now = _pieces(cols, _timeline(cols, d), d)
    tier, expires = _firm_tiers(cols, as_of)
    return FactInputs(
        talent_ids=cols.talent_ids,
        birth_day=cols.birth_day,
        education=coded(FACTS.index(DeclaredFact.education), _EDU),
        title=coded(FACTS.index(DeclaredFact.professional_title), _TITLE),
        hukou_city=hukou_city.tolist(),
        hukou_known=hukou_known,
        is_foreign=cols.is_foreign,
        talent_index=cols.spell_talent[spell],
        spell_id=cols.spell_id[spell],
        hired=first,
        departed=last,
        firm_id=cols.firm_id[spell],
        firm_home=cols.firm_home[spell],
        firm_tier=tier[spell],
        tier_expires=expires[spell],
        center_id=cols.center_id[spell],
        center_host=cols.center_host[spell],
        center_status=status,
        center_status_now=now[spell],
        si_city=cols.si_city[spell],
        key_post=cols.key_post[spell],
        recruited=cols.recruited[spell],
    )
