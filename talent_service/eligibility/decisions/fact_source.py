"""Read what the facts of some people are made of, once per question.

``load_records`` reads, in five queries whatever the number of people: identities, every spell,
the status events of the spells' centers, the approved tier periods of the spells' firms, and
every declaration about the people, as the ``engine.records.Records`` that ``inputs_on`` lays
out as of a date.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Select
from sqlmodel import Session, col, select

from talent_service.declarations.selection import Claim
from talent_service.eligibility.engine.fact_builder import FactInputs
from talent_service.eligibility.engine.records import (
    Records,
    SpellRecord,
    StatusRecord,
    inputs_on,
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
from talent_service.reference.enums import DeclaredFact, TierState, Verification
from talent_service.reference.identifiers import IdKind


def load_records(session: Session, talents: Select[Any] | Sequence[int]) -> Records:
    people = _rows(session, _people, talents)
    index = {row[0]: i for i, row in enumerate(people)}
    spells = [
        SpellRecord(
            id=r[0],
            talent_index=index[r[1]],
            hired_on=r[2],
            departed_on=r[3],
            firm_id=r[4],
            firm_home=r[5],
            center_id=r[6],
            center_host=r[7] or "",
            si_city=r[8],
            key_post=bool(r[9]),
            recruited=bool(r[10]),
            created_at=r[11],
        )
        for r in _rows(session, _spells, talents)
    ]
    return Records(
        talent_ids=[r[0] for r in people],
        birth_dates=[r[1] for r in people],
        is_foreign=[r[2] != IdKind.resident_id for r in people],
        spells=spells,
        statuses=_statuses(session, {s.center_id for s in spells if s.center_id is not None}),
        tiers=_tiers(session, {s.firm_id for s in spells}),
        claims=_claims(session, talents, index),
    )


# Each read is built by a function of what selects the people (or centers, or firms). A check
# names its people by id: then the statement is built once, with an expanding parameter for the
# ids, and SQLAlchemy reuses its cache key and compiled form; building the expression afresh for
# every check (coercing each id, generating the key) cost about as much as running it. The
# population names its people by a subquery, built per call.
Build = Callable[[Any], Select[Any]]
_KEYS = "keys"


@cache
def _keyed(build: Build) -> Select[Any]:
    return build(sa.bindparam(_KEYS, expanding=True))


def _rows(session: Session, build: Build, keys: Select[Any] | Iterable[int]) -> Sequence[Any]:
    if isinstance(keys, Select):
        return session.execute(build(keys)).all()
    return session.execute(_keyed(build), {_KEYS: sorted(keys)}).all()


def _people(talents: Any) -> Select[Any]:
    return (
        sa.select(Talent.id, Talent.birth_date, Talent.id_kind)  # type: ignore[call-overload]
        .where(col(Talent.id).in_(talents))
        .order_by(col(Talent.id))
    )


def _spells(talents: Any) -> Select[Any]:
    return (
        sa.select(  # type: ignore[call-overload]
            Employment.id,
            Employment.talent_id,
            Employment.hired_on,
            Employment.departed_on,
            Employment.firm_id,
            Firm.home_city_code,
            Employment.center_id,
            Center.host_city_code,
            Employment.si_city_code,
            Employment.key_post,
            Employment.recruited_via_program,
            Employment.created_at,
        )
        .join(Firm, col(Firm.id) == Employment.firm_id)
        .outerjoin(Center, col(Center.id) == Employment.center_id)
        .where(col(Employment.talent_id).in_(talents))
        .order_by(col(Employment.id))
    )


def _statuses(session: Session, center_ids: set[int]) -> dict[int, list[StatusRecord]]:
    out: dict[int, list[StatusRecord]] = {c: [] for c in center_ids}
    if not center_ids:
        return out
    for (e,) in _rows(session, _status_events, center_ids):
        assert e.id is not None
        out[e.center_id].append(
            StatusRecord(
                e.id,
                e.center_id,
                e.status,
                e.effective_on,
                e.authority,
                e.recorded_by,
                e.recorded_at,
            )
        )
    return out


def _tiers(session: Session, firm_ids: set[int]) -> dict[int, list[TierRecord]]:
    out: dict[int, list[TierRecord]] = {f: [] for f in firm_ids}
    if not firm_ids:
        return out
    for (p,) in _rows(session, _approved_tiers, firm_ids):
        assert p.id is not None
        out[p.firm_id].append(
            TierRecord(
                id=p.id,
                tier=p.tier.value,
                certificate_no=p.certificate_no,
                valid_from=p.valid_from,
                valid_to=p.valid_to,
                decided_at=p.decided_at or p.submitted_at,
                decided_by=p.decided_by or p.submitted_by,
                recorded_at=p.decided_at or p.submitted_at,
            )
        )
    return out


def _claims(
    session: Session, talents: Select[Any] | Sequence[int], index: dict[int, int]
) -> dict[tuple[int, DeclaredFact], list[Claim]]:
    rows = _rows(session, _declarations, talents)
    # Rejected declarations too: the selection rule never reads them, but a rejection is a
    # record about the dates the declaration covered (``provenance.corrections`` names it).
    out: dict[tuple[int, DeclaredFact], list[Claim]] = {}
    for r in rows:
        out.setdefault((index[r[1]], DeclaredFact(r[2])), []).append(
            Claim(r[0], r[3], r[4], Verification(r[5]), *r[6:13])  # the rest in Claim's order
        )
    return out


def _status_events(centers: Any) -> Select[Any]:
    return (
        select(CenterStatusEvent)
        .where(col(CenterStatusEvent.center_id).in_(centers))
        .order_by(col(CenterStatusEvent.effective_on), col(CenterStatusEvent.id))
    )


def _approved_tiers(firms: Any) -> Select[Any]:
    return select(FirmTierPeriod).where(
        col(FirmTierPeriod.firm_id).in_(firms), FirmTierPeriod.state == TierState.approved
    )


def _declarations(talents: Any) -> Select[Any]:
    return sa.select(  # type: ignore[call-overload, misc]
        Declaration.id,
        Declaration.talent_id,
        Declaration.fact,
        Declaration.value,
        Declaration.effective_on,
        Declaration.verification,
        Declaration.recorded_at,
        Declaration.source,
        Declaration.source_firm_id,
        Declaration.detail,
        Declaration.corrects_id,
        Declaration.reviewed_by,
        Declaration.reviewed_at,
    ).where(col(Declaration.talent_id).in_(talents))


def load_inputs(session: Session, talents: Select[Any] | Sequence[int], as_of: date) -> FactInputs:
    """Records read and laid out for ``as_of``, every declaration state accepted."""
    return inputs_on(load_records(session, talents), as_of)
