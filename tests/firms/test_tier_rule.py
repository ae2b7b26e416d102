"""The tier on a day: the pure rule, and its SQL form (the list's ``tier=`` filter) agreeing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session

from talent_service.auth.principal import ROLE_SCOPES, Principal
from talent_service.core.pagination import PageParams
from talent_service.firms.queries import approved_periods, firms_page, tiers_held_on
from talent_service.firms.tier_rule import TierRow, covers, tier_on, tiers_on
from talent_service.models import FirmTierPeriod
from talent_service.reference.enums import FirmTier, Role, TierState
from tests.factories import MEIZHOU, SHANTOU, SHANWEI, Factory

D = date(2026, 6, 15)
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def row(
    id: int,
    tier: FirmTier = FirmTier.little_giant,
    valid_from: date | None = date(2026, 1, 1),
    valid_to: date = date(2026, 12, 31),
    state: TierState = TierState.approved,
    decided: int | None = 0,
    firm_id: int = 1,
) -> TierRow:
    decided_at = None if decided is None else T0 + timedelta(hours=decided)
    return TierRow(id, firm_id, tier, f"C-{id}", valid_from, valid_to, state, decided_at)


def test_an_approved_period_covering_the_day_gives_the_tier() -> None:
    assert tier_on([row(1)], D) == row(1)


@pytest.mark.parametrize("state", [TierState.submitted, TierState.rejected])
def test_a_period_not_approved_gives_no_tier(state: TierState) -> None:
    assert tier_on([row(1, state=state, decided=None)], D) is None


def test_both_ends_of_the_period_are_days_it_is_valid() -> None:
    period = row(1, valid_from=D, valid_to=D)
    assert covers(period, D) and tier_on([period], D) == period
    assert tier_on([period], D - timedelta(days=1)) is None
    assert tier_on([period], D + timedelta(days=1)) is None


def test_a_period_from_tomorrow_or_expired_yesterday_is_not_todays() -> None:
    assert tier_on([row(1, valid_from=D + timedelta(days=1))], D) is None
    assert tier_on([row(1, valid_to=D - timedelta(days=1))], D) is None


def test_a_migrated_period_without_a_start_holds_on_any_day_up_to_its_end() -> None:
    migrated = row(1, valid_from=None, valid_to=date(2027, 12, 31))
    assert tier_on([migrated], date(2001, 1, 1)) == migrated
    assert tier_on([migrated], date(2028, 1, 1)) is None


def test_of_several_covering_periods_the_one_decided_last_holds() -> None:
    older = row(1, tier=FirmTier.key_little_giant, decided=5)
    newer = row(2, tier=FirmTier.innovative_sme, decided=9)
    assert tier_on([newer, older], D) == newer
    # Decided at the same instant: the later id.
    assert tier_on([row(4, decided=3), row(3, decided=3)], D) == row(4, decided=3)
    # A period without a decision instant ranks before every decided one.
    assert tier_on([row(9, decided=None), row(2, decided=1)], D) == row(2, decided=1)


def test_a_later_decision_that_does_not_cover_the_day_leaves_the_earlier_one() -> None:
    earlier = row(1, decided=1)
    later_elsewhere = row(2, valid_from=date(2027, 1, 1), valid_to=date(2027, 12, 31), decided=9)
    assert tier_on([earlier, later_elsewhere], D) == earlier


def test_known_at_leaves_out_what_was_decided_afterwards() -> None:
    first, retier = row(1, decided=1), row(2, tier=FirmTier.single_champion, decided=10)
    assert tier_on([first, retier], D) == retier
    assert tier_on([first, retier], D, known_at=T0 + timedelta(hours=5)) == first
    assert tier_on([first, retier], D, known_at=T0) is None


def test_tiers_on_answers_each_firm_apart() -> None:
    rows = [
        row(1, firm_id=1),
        row(2, firm_id=2, valid_to=date(2026, 1, 31)),
        row(3, firm_id=3, tier=FirmTier.single_champion),
        row(4, firm_id=3, decided=2),
    ]
    assert tiers_on(rows, D) == {1: rows[0], 3: rows[3]}


# --- the SQL form agrees with the rule -------------------------------------------------------


def _decided(make: Factory, period: FirmTierPeriod, hours: int | None) -> None:
    period.decided_at = None if hours is None else T0 + timedelta(hours=hours)
    make.session.add(period)
    make.session.flush()


def test_the_list_filter_and_the_rule_agree_on_every_firm(make: Factory, session: Session) -> None:
    day = D
    little, key, champion = (
        FirmTier.little_giant,
        FirmTier.key_little_giant,
        FirmTier.single_champion,
    )
    layouts: list[list[tuple[FirmTier, date | None, date, TierState, int | None]]] = [
        [(little, date(2026, 1, 1), date(2026, 12, 31), TierState.approved, 1)],
        [(little, None, date(2026, 12, 31), TierState.approved, 1)],
        [(little, date(2026, 6, 16), date(2026, 12, 31), TierState.approved, 1)],  # tomorrow
        [(little, date(2025, 1, 1), date(2026, 6, 14), TierState.approved, 1)],  # yesterday
        [
            (key, None, date(2027, 1, 1), TierState.approved, 9),
            (little, date(2026, 1, 1), date(2027, 1, 1), TierState.approved, 2),
        ],  # decided last
        [
            (key, date(2026, 1, 1), date(2027, 1, 1), TierState.approved, 3),
            (champion, date(2026, 1, 1), date(2027, 1, 1), TierState.approved, 3),
        ],  # tie: id
        [(key, date(2026, 1, 1), date(2027, 1, 1), TierState.submitted, None)],
        [
            (key, date(2026, 1, 1), date(2027, 1, 1), TierState.rejected, 4),
            (little, day, day, TierState.approved, 1),
        ],
        [
            (little, date(2026, 1, 1), date(2027, 1, 1), TierState.approved, None),
            (key, date(2026, 1, 1), date(2027, 1, 1), TierState.approved, 1),
        ],  # no decision instant ranks first (NULLS LAST in SQL)
        [],
    ]
    cities = (SHANTOU, MEIZHOU, SHANWEI)
    firms = [make.firm(cities[k % 3], tier=None) for k in range(len(layouts))]
    for firm, layout in zip(firms, layouts, strict=True):
        for tier, start, end, state, hours in layout:
            period = make.tier(firm, tier, "C", start, end, state)
            _decided(make, period, hours)
    ids = [f.id for f in firms if f.id is not None]
    by_rule = tiers_held_on(session, ids, day)
    everything = [p for own in approved_periods(session, ids).values() for p in own]
    assert by_rule == tiers_on(everything, day)
    province = Principal("user:1", Role.province, scopes=ROLE_SCOPES[Role.province])
    page = PageParams(limit=200, after_id=min(ids) - 1)
    listed = {firm.id: period for firm, period in firms_page(session, province, page, day)}
    assert {k: v for k, v in listed.items() if k in ids and v is not None} == by_rule
    for tier in FirmTier:
        filtered = firms_page(session, province, page, day, tier=tier)
        expected = {k for k, v in by_rule.items() if v.tier is tier}
        assert {f.id for f, _ in filtered} & set(ids) == expected, tier
    assert [by_rule[f.id].tier for f in firms[4:6] if f.id] == [key, champion]
    assert by_rule[firms[8].id].tier is key  # type: ignore[index]


def test_approved_periods_reads_many_firms_in_one_answer(make: Factory, session: Session) -> None:
    firms = [make.firm(SHANTOU) for _ in range(3)]
    make.tier(firms[0], FirmTier.little_giant, state=TierState.submitted)
    ids = [f.id for f in firms if f.id is not None]
    periods = approved_periods(session, ids)
    assert sorted(periods) == sorted(ids)
    assert all(len(own) == 1 and own[0].state is TierState.approved for own in periods.values())
    assert approved_periods(session, []) == {}
