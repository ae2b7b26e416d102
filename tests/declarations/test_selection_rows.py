"""``holding_rows`` (the selection rule over arrays, for a population) against ``holding_on``
(the rule itself) on random declarations: corrections, rejected ones, ties, accept sets."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest

from talent_service.declarations.selection import (
    EVERY_STATE,
    VERIFIED_ONLY,
    Claim,
    _rank,
    holding_on,
    holding_rows,
)
from talent_service.eligibility.engine.fact_builder import day_number
from talent_service.reference.enums import Source, Verification

NO_EFFECTIVE = -(2**62)
DAYS = [date(2015, 1, 1) + timedelta(days=400 * k) for k in range(8)]
STATES = [Verification.declared, Verification.verified, Verification.rejected]


def random_groups(rng: random.Random, groups: int) -> dict[int, list[Claim]]:
    ids = rng.sample(range(1, 10 * groups * 6), groups * 6)  # unique, in no order
    out: dict[int, list[Claim]] = {}
    for g in range(groups):
        own: list[Claim] = []
        for _ in range(rng.randint(0, 5)):
            key = ids.pop()
            # Corrections: of a claim of the group, of another group's id, or of no row.
            roll = rng.random()
            corrects = (
                rng.choice(own).id
                if own and roll < 0.3
                else rng.choice(ids)
                if roll < 0.35
                else None
            )
            own.append(
                Claim(
                    id=key,
                    value=rng.choice(["bachelor", "master", "doctor", None]),
                    effective_on=rng.choice([None, *DAYS[:5]]),  # few dates: many ties
                    verification=rng.choice(STATES),
                    recorded_at=datetime(2025, 1, 1, tzinfo=UTC)
                    + timedelta(seconds=rng.choice([0, 1, 2])),
                    source=Source.firm,
                    corrects_id=corrects,
                )
            )
        out[g] = own
    return out


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize(
    "accept",
    [EVERY_STATE, VERIFIED_ONLY, frozenset({Verification.declared}), frozenset(STATES)],
    ids=["every", "verified", "declared", "with-rejected"],
)
def test_holding_rows_picks_what_holding_on_picks(
    seed: int, accept: frozenset[Verification]
) -> None:
    groups = random_groups(random.Random(seed), 300)
    rows = sorted(
        ((g, c) for g, own in groups.items() for c in own), key=lambda r: (r[0], _rank(r[1]))
    )
    group = np.array([g for g, _ in rows], np.int64)
    claims = [c for _, c in rows]
    ids = np.array([c.id for c in claims], np.int64)
    corrects = np.array([-1 if c.corrects_id is None else c.corrects_id for c in claims], np.int64)
    effective = np.array(
        [NO_EFFECTIVE if c.effective_on is None else day_number(c.effective_on) for c in claims],
        np.int64,
    )
    accepted = np.array(
        [c.verification in accept and c.verification is not Verification.rejected for c in claims],
        np.bool_,
    )
    corrected_somewhere = 0
    for day in DAYS:
        won = holding_rows(group, ids, corrects, effective, accepted, day_number(day))
        by_rows = {int(group[i]): claims[i].id for i in won}
        by_rule = {
            g: held.id for g, own in groups.items() if (held := holding_on(own, day, accept))
        }
        assert by_rows == by_rule
        corrected_somewhere += sum(
            1 for own in groups.values() for c in own if c.corrects_id in {o.id for o in own}
        )
    assert corrected_somewhere  # the draw did exercise corrections


def test_no_rows() -> None:
    empty = np.zeros(0, np.int64)
    assert holding_rows(empty, empty, empty, empty, np.zeros(0, np.bool_), 0).size == 0
