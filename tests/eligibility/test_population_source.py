"""The simulation's column path (``population_source``) lays out the same ``FactInputs`` as the
records path a single decision reads (``fact_source.load_records`` + ``inputs_on``), on random
people: spells cut at status events (several on one day, before the hire, after the departure),
tier periods (re-tiered, submitted, rejected), declarations with corrections, rejected ones and
ties, for several dates and accepted sources."""

from __future__ import annotations

import random
from dataclasses import fields
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest
from sqlmodel import Session, col, select

from talent_service.eligibility.decisions.fact_source import load_records
from talent_service.eligibility.engine.fact_builder import FactInputs
from talent_service.eligibility.engine.population_layout import columns_on
from talent_service.eligibility.engine.records import inputs_on
from talent_service.eligibility.policies.population_source import load_columns, related_talents
from talent_service.models import Declaration, Talent
from talent_service.models.base import utcnow
from talent_service.reference.enums import (
    CenterStatus,
    DeclaredFact,
    FirmTier,
    TierState,
    Verification,
)
from tests.factories import SHANTOU, SHENZHEN, Factory

GUANGZHOU = "440100"
START = date(2019, 1, 1)
VALUES = {
    DeclaredFact.education: ["bachelor", "master", "doctor"],
    DeclaredFact.professional_title: ["none", "junior", "senior"],
    DeclaredFact.hukou_city: [SHENZHEN, SHANTOU, None],
}


def _day(rng: random.Random, span: int = 2500) -> date:
    return START + timedelta(days=rng.randrange(span))


def populate(make: Factory, session: Session, rng: random.Random, people: int) -> list[int]:
    firms = []
    for k in range(4):
        firm = make.firm(rng.choice([SHANTOU, SHENZHEN]), tier=None)
        for _ in range(rng.randint(0, 3)):
            start = _day(rng)
            make.tier(
                firm,
                rng.choice(list(FirmTier)[1:]),
                f"GD-{k}-{rng.randrange(10**6)}",
                rng.choice([None, start]),
                start + timedelta(days=rng.randrange(200, 1500)),
                rng.choice([TierState.approved, TierState.approved, TierState.submitted]),
            )
        firms.append(firm)
    centers = []
    for _ in range(5):
        center = make.center(
            rng.choice(firms), rng.choice([SHENZHEN, GUANGZHOU]), opened_on=_day(rng, 400)
        )
        for _ in range(rng.randint(0, 4)):
            status = rng.choice([CenterStatus.suspended, CenterStatus.accredited])
            make.status_event(center, status, _day(rng))
        if rng.random() < 0.5:  # two events on one day: the last recorded is in force
            day = _day(rng)
            make.status_event(center, CenterStatus.suspended, day)
            make.status_event(center, CenterStatus.accredited, day)
        centers.append(center)
    ids = []
    for _ in range(people):
        firm = rng.choice(firms)
        talent = make.talent(firm, number=make.resident_id(_day(rng) - timedelta(days=12000)))
        assert talent.id is not None
        ids.append(talent.id)
        for _ in range(rng.randint(0, 3)):
            center = rng.choice([None, *centers])
            hired = _day(rng)
            departed = rng.choice([None, hired + timedelta(days=rng.randrange(1, 1500))])
            make.employment(
                talent,
                center and session.get(type(firm), center.firm_id) or firm,
                center,
                hired_on=hired,
                departed_on=departed,
                departure_reason=departed and "resigned",
                key_post=rng.random() < 0.5,
                recruited_via_program=rng.random() < 0.5,
            )
        own: list[Declaration] = []
        for _ in range(rng.randint(0, 6)):
            fact = rng.choice(list(VALUES))
            state = rng.choice(list(Verification))
            declaration = make.declaration(
                talent,
                fact,
                rng.choice(VALUES[fact]),
                effective_on=rng.choice([None, _day(rng), _day(rng)]),
                firm=rng.choice([None, firm]),
                verified_by="user:900001" if state is Verification.verified else None,
            )
            if state is Verification.rejected:
                declaration.verification = state
                declaration.reviewed_by, declaration.reviewed_at = "user:900001", utcnow()
            declaration.recorded_at = datetime(2025, 1, 1, tzinfo=UTC) + timedelta(
                seconds=rng.choice([0, 1])
            )
            same_fact = [d for d in own if d.fact is fact]
            if same_fact and rng.random() < 0.4:
                declaration.corrects_id = rng.choice(same_fact).id
            own.append(declaration)
        session.flush()
    return ids


def assert_same(new: FactInputs, old: FactInputs) -> None:
    for f in fields(FactInputs):
        a, b = getattr(new, f.name), getattr(old, f.name)
        if isinstance(b, np.ndarray):
            assert a.dtype == b.dtype, f.name
            assert np.array_equal(a, b), f.name
        else:
            assert list(a) == list(b), f.name


ACCEPTS = [
    {},
    {fact: frozenset({Verification.verified}) for fact in DeclaredFact},
    {DeclaredFact.education: frozenset({Verification.declared})},
]


@pytest.mark.parametrize("seed", range(3))
def test_the_column_path_lays_out_what_the_records_path_does(
    make: Factory, session: Session, seed: int
) -> None:
    rng = random.Random(seed)
    ids = populate(make, session, rng, 25)
    talents = select(col(Talent.id)).where(col(Talent.id).in_(ids))
    records = load_records(session, talents)
    columns = load_columns(session, talents)
    assert columns.n == records.n == len(ids)
    pieces = 0
    for as_of in (date(2020, 6, 30), date(2023, 2, 1), date(2026, 1, 1)):
        for accept in ACCEPTS:
            old = inputs_on(records, as_of, accept)
            assert_same(columns_on(columns, as_of, accept), old)
            pieces = max(pieces, old.hired.size - len(records.spells))
    assert pieces > 0  # some spells were cut at a status change
    assert any(r.corrects_id for claims in records.claims.values() for r in claims)


def test_ids_given_as_a_list_and_a_population_select(make: Factory, session: Session) -> None:
    ids = populate(make, session, random.Random(7), 15)
    as_of = date(2024, 5, 1)
    chosen = ids[::2]
    assert_same(
        columns_on(load_columns(session, chosen), as_of),
        inputs_on(load_records(session, chosen), as_of),
    )
    related = related_talents(SHENZHEN, "host")
    assert_same(
        columns_on(load_columns(session, related), as_of),
        inputs_on(load_records(session, related), as_of),
    )
    # Twice on one session: the temporary table is dropped after each read.
    assert load_columns(session, related).n == load_columns(session, related).n > 0
    assert load_columns(session, []).n == 0
