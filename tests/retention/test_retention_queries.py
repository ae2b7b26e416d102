"""Which spells the retention queries count, and how: without HTTP, against the test database."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from sqlmodel import Session

from talent_service.auth.principal import ROLE_SCOPES, SCOPE_RETENTION_READ, Principal
from talent_service.core.clock import today
from talent_service.models import Firm
from talent_service.reference.enums import Education, Role
from talent_service.retention import queries
from talent_service.retention.queries import EDUCATION_ORDER, REGION_ORDER, Key
from talent_service.retention.schemas import PopulationQuery, Site
from tests.factories import GUANGZHOU, MEIZHOU, SHANTOU, SHENZHEN, Factory
from tests.retention.spells import add_spells, expected, random_dates

AS_OF = date(2024, 6, 30)
PROVINCE = Principal("user:1", Role.province, scopes=ROLE_SCOPES[Role.province])


def firm_principal(firm: Firm) -> Principal:
    return Principal("user:2", Role.firm, firm_id=firm.id, scopes=ROLE_SCOPES[Role.firm])


def bureau(city: str) -> Principal:
    return Principal("user:3", Role.bureau, city_code=city, scopes=ROLE_SCOPES[Role.bureau])


def load(
    session: Session, principal: Principal = PROVINCE, key: Key | None = None, **population: object
) -> queries.Spells:
    population.setdefault("as_of", AS_OF)
    return queries.load_spells(session, principal, PopulationQuery(**population), key)  # type: ignore[arg-type]


def as_pairs(spells: queries.Spells) -> list[tuple[int, bool, int]]:
    columns = (spells.durations.tolist(), spells.observed.tolist(), spells.keys.tolist())
    return sorted(zip(*columns, strict=True))


@pytest.fixture
def world(make: Factory) -> dict[str, object]:
    """Shantou firm A (home site + Shenzhen center), Meizhou firm B (home + Guangzhou center)."""
    a, b = make.firm(SHANTOU), make.firm(MEIZHOU)
    a_sz = make.center(a, SHENZHEN, opened_on=date(2019, 1, 1))
    b_gz = make.center(b, GUANGZHOU, opened_on=date(2019, 1, 1))
    add_spells(make, a, [(date(2022, 1, 1), date(2022, 7, 1)), (date(2022, 3, 1), None)])
    add_spells(make, a, [(date(2023, 1, 1), None)], center=a_sz, education=Education.doctor)
    add_spells(make, b, [(date(2021, 5, 1), date(2023, 5, 1))], education=Education.bachelor)
    add_spells(make, b, [(date(2020, 2, 1), None), (date(2024, 2, 1), None)], center=b_gz)
    return {"a": a, "b": b, "a_sz": a_sz, "b_gz": b_gz}


def test_open_spell_is_censored_at_as_of_and_departure_is_an_event(
    session: Session, make: Factory
) -> None:
    firm = make.firm()
    add_spells(make, firm, [(date(2022, 1, 1), None), (date(2022, 1, 1), date(2023, 1, 1))])
    spells = load(session)
    # Days worked, both ends included (departed_on is the last day worked).
    assert as_pairs(spells) == [(366, True, 0), ((AS_OF - date(2022, 1, 1)).days + 1, False, 0)]


def test_departure_after_as_of_counts_as_censored_at_as_of(session: Session, make: Factory) -> None:
    firm = make.firm()
    add_spells(make, firm, [(date(2022, 1, 1), date(2024, 9, 1))])
    spells = load(session)
    assert as_pairs(spells) == [((AS_OF - date(2022, 1, 1)).days + 1, False, 0)]
    # On the departure day itself the departure is known and counts.
    on_the_day = load(session, as_of=date(2024, 9, 1))
    assert as_pairs(on_the_day) == [((date(2024, 9, 1) - date(2022, 1, 1)).days + 1, True, 0)]


def test_spells_hired_after_as_of_are_not_counted(session: Session, make: Factory) -> None:
    firm = make.firm()
    add_spells(make, firm, [(date(2024, 6, 30), None), (date(2024, 7, 1), None)])
    assert as_pairs(load(session)) == [(1, False, 0)]  # hired on as_of: has worked that day


def test_spells_not_recruited_via_the_program_are_left_out_unless_asked(
    session: Session, make: Factory
) -> None:
    firm = make.firm()
    add_spells(make, firm, [(date(2022, 1, 1), None)])
    add_spells(make, firm, [(date(2022, 1, 1), date(2022, 2, 1))], recruited=False)
    assert load(session).size == 1
    everyone = load(session, recruited_only=False)
    assert everyone.size == 2 and int(everyone.observed.sum()) == 1


def test_durations_agree_with_the_survival_core_date_rule(session: Session, make: Factory) -> None:
    firm = make.firm()
    dates = random_dates(seed=11, n=60, last=date(2024, 12, 31))
    add_spells(make, firm, dates)
    spells = load(session)
    durations, observed = expected(dates, AS_OF)
    assert spells.size == durations.size  # the ones hired after AS_OF are gone
    got = sorted(zip(spells.durations.tolist(), spells.observed.tolist(), strict=True))
    want = sorted(zip(durations.tolist(), observed.tolist(), strict=True))
    assert got == want


def test_default_as_of_is_today_in_the_province(session: Session, make: Factory) -> None:
    add_spells(make, make.firm(), [(date(2022, 1, 1), None)])
    spells = queries.load_spells(session, PROVINCE, PopulationQuery(), None)
    assert spells.as_of == today()
    assert spells.durations.tolist() == [(today() - date(2022, 1, 1)).days + 1]


def test_empty_population_gives_empty_arrays(session: Session) -> None:
    spells = load(session, firm_id=2_000_000)
    assert spells.size == 0 and spells.keys.size == 0 and spells.observed.dtype == np.bool_


def test_hire_year_filter_keeps_the_cohorts_asked(session: Session, world: dict) -> None:
    assert load(session, hire_years=(2022,)).size == 2
    assert load(session, hire_years=(2020, 2023)).size == 2
    assert load(session, hire_years=(2019,)).size == 0


def test_filters_by_home_city_host_city_firm_center_and_site(session: Session, world: dict) -> None:
    a, b, a_sz, b_gz = world["a"], world["b"], world["a_sz"], world["b_gz"]
    assert load(session, home_city_code=SHANTOU).size == 3
    assert load(session, home_city_code=MEIZHOU).size == 3
    assert load(session, host_city_code=SHENZHEN).size == 1
    assert load(session, host_city_code=GUANGZHOU).size == 2
    assert load(session, firm_id=b.id).size == 3
    assert load(session, center_id=a_sz.id).size == 1
    assert load(session, center_id=b_gz.id, firm_id=a.id).size == 0
    assert load(session, site=Site.home).size == 3
    assert load(session, site=Site.enclave).size == 3


def test_grouping_keys_are_coded_as_documented(session: Session, world: dict) -> None:
    a, b = world["a"], world["b"]
    a_sz, b_gz = world["a_sz"], world["b_gz"]

    def keys(key: Key) -> list[int]:
        return sorted(load(session, key=key).keys.tolist())

    assert keys(Key.home_city) == [int(SHANTOU)] * 3 + [int(MEIZHOU)] * 3
    assert keys(Key.host_city) == [0, 0, 0, int(GUANGZHOU), int(GUANGZHOU), int(SHENZHEN)]
    east, north = REGION_ORDER.index("east"), REGION_ORDER.index("north")
    assert keys(Key.region) == sorted([east] * 3 + [north] * 3)
    assert keys(Key.firm) == sorted([a.id] * 3 + [b.id] * 3)
    assert keys(Key.center) == sorted([0, 0, 0, a_sz.id, b_gz.id, b_gz.id])
    assert keys(Key.site) == [0, 0, 0, 1, 1, 1]
    assert keys(Key.firm_site) == sorted(
        [a.id * 2] * 2 + [a.id * 2 + 1] + [b.id * 2] + [b.id * 2 + 1] * 2
    )
    assert keys(Key.hire_year) == [2020, 2021, 2022, 2022, 2023, 2024]
    order = EDUCATION_ORDER
    assert keys(Key.education) == sorted(
        [order.index(Education.master)] * 4
        + [order.index(Education.doctor), order.index(Education.bachelor)]
    )


def test_a_key_stays_with_its_spell(session: Session, world: dict) -> None:
    spells = load(session, key=Key.firm)
    b = world["b"]
    b_only = spells.subset(spells.keys == b.id)
    assert sorted(b_only.durations.tolist()) == sorted(
        [
            (date(2023, 5, 1) - date(2021, 5, 1)).days + 1,
            (AS_OF - date(2020, 2, 1)).days + 1,
            (AS_OF - date(2024, 2, 1)).days + 1,
        ]
    )
    assert sorted(b_only.observed.tolist()) == [False, False, True]


def test_firm_sees_only_its_own_spells(session: Session, world: dict) -> None:
    a, b = world["a"], world["b"]
    assert load(session, firm_principal(a)).size == 3
    assert set(load(session, firm_principal(a), key=Key.firm).keys.tolist()) == {a.id}
    assert load(session, firm_principal(a), firm_id=b.id).size == 0


def test_bureau_sees_what_touches_its_city(session: Session, world: dict) -> None:
    a, b = world["a"], world["b"]
    assert set(load(session, bureau(SHANTOU), key=Key.firm).keys.tolist()) == {a.id}
    assert load(session, bureau(SHANTOU)).size == 3  # including its firm's Shenzhen center
    assert load(session, bureau(MEIZHOU)).size == 3
    # Shenzhen hosts firm A's center: those spells only, not A's home-site spells.
    shenzhen = load(session, bureau(SHENZHEN), key=Key.site)
    assert shenzhen.keys.tolist() == [1]
    assert set(load(session, bureau(GUANGZHOU), key=Key.firm).keys.tolist()) == {b.id}


def test_client_bound_to_a_city_sees_that_city_and_unbound_sees_all(
    session: Session, world: dict
) -> None:
    scopes = frozenset({SCOPE_RETENTION_READ})
    bound = Principal("client:x", Role.client, city_code=MEIZHOU, scopes=scopes)
    unbound = Principal("client:y", Role.client, scopes=scopes)
    assert load(session, bound).size == 3
    assert load(session, unbound).size == 6


def test_first_hire_ignores_as_of_but_keeps_visibility(session: Session, world: dict) -> None:
    population = PopulationQuery(as_of=date(2000, 1, 1))
    assert queries.first_hire(session, PROVINCE, population) == date(2020, 2, 1)
    assert queries.first_hire(session, bureau(SHANTOU), population) == date(2022, 1, 1)
    assert queries.first_hire(session, PROVINCE, PopulationQuery(firm_id=2_000_000)) is None


def test_names_are_read_through_the_visibility_rule(session: Session, world: dict) -> None:
    a, b = world["a"], world["b"]
    a_sz: int = world["a_sz"].id
    assert set(queries.firm_names(session, PROVINCE, [a.id, b.id])) == {a.id, b.id}
    assert set(queries.firm_names(session, firm_principal(a), [a.id, b.id])) == {a.id}
    details = queries.center_details(session, PROVINCE, [a_sz])
    assert details[a_sz][1:] == (a.id, SHENZHEN)
    assert queries.center_details(session, firm_principal(b), [a_sz]) == {}


def test_many_ids_are_looked_up_without_a_huge_in_list(session: Session, world: dict) -> None:
    firm: int = world["a"].id
    center: int = world["a_sz"].id
    many = [*range(1, queries.LOOKUP_IN_SQL_LIMIT + 10), firm, center]
    assert firm in queries.firm_names(session, PROVINCE, many)
    assert center in queries.center_details(session, PROVINCE, many)
