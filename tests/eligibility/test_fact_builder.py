"""The array fact builder: its date arithmetic equals the scalar definitions, every documented
fact comes out as the module docstring says, and the population path (one table for everyone)
and the single path (one row at a time) give the same outcomes under every default policy."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

import numpy as np
import pytest

from talent_service.eligibility.engine import fact_builder
from talent_service.eligibility.engine.evaluate import evaluate
from talent_service.eligibility.engine.fact_builder import (
    CENTER_STATUSES,
    EDUCATIONS,
    NO_DATE,
    TIERS,
    TITLES,
    FactInputs,
    build,
    day_number,
    growing_facts,
    row_facts,
)
from talent_service.eligibility.engine.forecast import GrowingFact
from talent_service.eligibility.engine.months import add_months, age_on, whole_months_between
from talent_service.eligibility.engine.population import OUTCOME_NAMES, evaluate_population
from talent_service.eligibility.policies.defaults import default_policies

SHENZHEN, GUANGZHOU, DONGGUAN = "440300", "440100", "441900"
SHANTOU, SHANWEI, MEIZHOU = "440500", "441500", "441400"
PRD = [SHENZHEN, GUANGZHOU, DONGGUAN]
HOMES = [SHANTOU, SHANWEI, MEIZHOU]
AS_OF = date(2025, 6, 30)


# --- building inputs by hand ----------------------------------------------------------------


def _day(d: date | None) -> int:
    return NO_DATE if d is None else day_number(d)


def make_inputs(talents: Sequence[Any], spells: Sequence[Any]) -> FactInputs:
    """FactInputs from readable rows; unspecified fields take plain defaults.

    talent: birth, education, title, hukou, foreign. spell: talent (index), hired, departed,
    firm, home, tier, expires, center (None = home site), host, status, si, key_post, recruited.
    """
    t = [
        {
            "birth": date(1990, 5, 17),
            "education": "master",
            "title": "none",
            "hukou": SHANTOU,
            "foreign": False,
        }
        | row
        for row in talents
    ]
    s = []
    for row in spells:
        spell = {
            "talent": 0,
            "hired": date(2023, 1, 15),
            "departed": None,
            "firm": 1,
            "home": SHANTOU,
            "tier": "provincial_specialized",
            "expires": date(2027, 12, 31),
            "center": 10,
            "host": SHENZHEN,
            "status": "accredited",
            "key_post": False,
            "recruited": True,
        } | row
        if spell["center"] is None:
            spell["host"], spell["status"] = "", None
        spell.setdefault("si", spell["host"] or spell["home"])
        s.append(spell)
    return FactInputs(
        talent_ids=np.arange(1, len(t) + 1, dtype=np.int64),
        birth_day=np.array([_day(r["birth"]) for r in t], np.int64),
        education=np.array([EDUCATIONS.index(r["education"]) for r in t], np.int64),
        title=np.array([TITLES.index(r["title"]) for r in t], np.int64),
        hukou_city=[r["hukou"] for r in t],
        is_foreign=np.array([r["foreign"] for r in t], np.bool_),
        talent_index=np.array([r["talent"] for r in s], np.int64),
        hired=np.array([day_number(r["hired"]) for r in s], np.int64),
        departed=np.array([_day(r["departed"]) for r in s], np.int64),
        firm_id=np.array([r["firm"] for r in s], np.int64),
        firm_home=np.array([r["home"] for r in s], dtype="<U6"),
        firm_tier=np.array([TIERS.index(r["tier"]) for r in s], np.int64),
        tier_expires=np.array([_day(r["expires"]) for r in s], np.int64),
        center_id=np.array([-1 if r["center"] is None else r["center"] for r in s], np.int64),
        center_host=np.array([r["host"] for r in s], dtype="<U6"),
        center_status=np.array(
            [-1 if r["status"] is None else CENTER_STATUSES.index(r["status"]) for r in s],
            np.int64,
        ),
        si_city=np.array([r["si"] for r in s], dtype="<U6"),
        key_post=np.array([r["key_post"] for r in s], np.bool_),
        recruited=np.array([r["recruited"] for r in s], np.bool_),
    )


def facts_of(
    talents: Sequence[Any],
    spells: Sequence[Any],
    city: str = SHENZHEN,
    side: str = "host",
    as_of: date = AS_OF,
    row: int = 0,
) -> dict[str, Any]:
    return row_facts(build(make_inputs(talents, spells), city, side, as_of), row)


# --- random inputs ----------------------------------------------------------------------------


def random_date(rng: random.Random, start: date, end: date) -> date:
    """Uniform in [start, end], with month ends and Feb 29 drawn often."""
    d = start + timedelta(days=rng.randrange((end - start).days + 1))
    pick = rng.random()
    if pick < 0.15:  # the last day of d's month
        d = add_months(d.replace(day=1), 1) - timedelta(days=1)
    elif pick < 0.22:  # a Feb 29 near d
        year = d.year - d.year % 4
        d = date(year, 2, 29) if year % 100 or year % 400 == 0 else date(year, 2, 28)
    elif pick < 0.3:  # the 28th-30th, where clamping happens
        d = d.replace(day=rng.choice((28, 29, 30)) if d.month != 2 else 28)
    return min(max(d, start), end)


def random_inputs(rng: random.Random, n: int) -> FactInputs:
    firms: dict[int, dict[str, Any]] = {
        f: {
            "home": rng.choice(HOMES),
            "tier": rng.choice(TIERS),
            "expires": random_date(rng, date(2023, 1, 1), date(2028, 12, 31)),
        }
        for f in range(1, 41)
    }
    centers: dict[int, dict[str, Any]] = {
        c: {
            "firm": rng.randrange(1, 41),
            "host": rng.choice(PRD),
            "status": rng.choices(CENTER_STATUSES, weights=(1, 6, 1, 1, 1))[0],
        }
        for c in range(100, 170)
    }
    talents = [
        {
            "birth": random_date(rng, date(1965, 1, 1), date(2003, 12, 31)),
            "education": rng.choice(EDUCATIONS),
            "title": rng.choice(TITLES),
            "hukou": rng.choice([None, *PRD, *HOMES, "450100"]),
            "foreign": rng.random() < 0.05,
        }
        for _ in range(n)
    ]
    spells: list[dict[str, Any]] = []
    for t in range(n):
        for _ in range(rng.choice((0, 1, 1, 1, 2, 2, 3, 4))):
            hired = random_date(rng, date(2014, 1, 1), date(2026, 6, 30))
            departed = (
                None
                if rng.random() < 0.5
                else random_date(rng, hired, min(hired + timedelta(days=2500), date(2027, 1, 1)))
            )
            if rng.random() < 0.75:
                center = rng.randrange(100, 170)
                firm = centers[center]["firm"]
                host, status = centers[center]["host"], centers[center]["status"]
            else:
                center, firm, host, status = None, rng.randrange(1, 41), "", None
            f = firms[firm]
            tier = f["tier"]
            spells.append(
                {
                    "talent": t,
                    "hired": hired,
                    "departed": departed,
                    "firm": firm,
                    "home": f["home"],
                    "tier": tier,
                    "expires": None if tier == "none" else f["expires"],
                    "center": center,
                    "host": host,
                    "status": status,
                    "si": rng.choice([host or f["home"], host or f["home"], *PRD, *HOMES]),
                    "key_post": rng.random() < 0.4,
                    "recruited": rng.random() < 0.6,
                }
            )
    rng.shuffle(spells)  # spells of a talent are not contiguous in the database order either
    return make_inputs(talents, spells)


# --- date arithmetic --------------------------------------------------------------------------


def _date_pairs(rng: random.Random, count: int) -> tuple[list[date], list[date]]:
    starts, ends = [], []
    for _ in range(count):
        a = random_date(rng, date(1960, 1, 1), date(2035, 12, 31))
        kind = rng.random()
        if kind < 0.4:  # close together: the last month decides
            b = a + timedelta(days=rng.randrange(-40, 800))
        elif kind < 0.6:  # same day-of-month or month end some months later
            b = random_date(rng, a, a + timedelta(days=3000))
        else:
            b = random_date(rng, date(1960, 1, 1), date(2035, 12, 31))
        starts.append(a)
        ends.append(b)
    specials = [date(2000, 2, 29), date(2024, 2, 29), date(2023, 2, 28), date(2024, 1, 31)]
    for s in specials:
        for e in (date(2025, 2, 28), date(2028, 2, 29), date(2024, 3, 31), date(2100, 2, 28)):
            starts += [s, e]
            ends += [e, s]
    return starts, ends


def _days(ds: list[date]) -> np.ndarray:
    return np.array([day_number(d) for d in ds], np.int64)


def test_vector_whole_months_equals_the_scalar_definition() -> None:
    starts, ends = _date_pairs(random.Random(11), 20_000)
    got = fact_builder.whole_months(_days(starts), _days(ends))
    expected = [whole_months_between(a, b) for a, b in zip(starts, ends, strict=True)]
    wrong = [(a, b, g, e) for a, b, g, e in zip(starts, ends, got, expected, strict=True) if g != e]
    assert not wrong, wrong[:10]


def test_vector_ages_equal_age_on() -> None:
    rng = random.Random(12)
    births = [random_date(rng, date(1940, 1, 1), date(2010, 12, 31)) for _ in range(5000)]
    births += [date(1992, 2, 29), date(1980, 2, 29), date(2000, 2, 29), date(1999, 12, 31)]
    birth_days = _days(births)
    as_ofs = [date(2024, 2, 28), date(2024, 2, 29), date(2025, 2, 28), date(2025, 3, 1)]
    as_ofs += [random_date(rng, date(1990, 1, 1), date(2040, 12, 31)) for _ in range(8)]
    for as_of in as_ofs:
        years, missing = fact_builder.ages(birth_days, as_of)
        assert not missing.any()
        expected = [age_on(b, as_of) for b in births]
        assert years.tolist() == expected, as_of


def test_ages_marks_an_unknown_birth_date_missing() -> None:
    years, missing = fact_builder.ages(np.array([NO_DATE, day_number(date(1990, 1, 1))]), AS_OF)
    assert missing.tolist() == [True, False]
    assert years[1] == 35


def test_whole_months_of_no_spells_is_empty() -> None:
    empty = np.zeros(0, np.int64)
    assert fact_builder.whole_months(empty, empty).shape == (0,)


# --- the documented facts ---------------------------------------------------------------------


def test_host_side_counts_spells_at_centers_hosted_in_the_city_home_side_at_firms_based_there():
    talents: list[dict[str, Any]] = [{}]
    spells = [
        # Shantou firm, Shenzhen center: 29 whole months to the as-of date.
        {"firm": 1, "home": SHANTOU, "center": 10, "host": SHENZHEN, "hired": date(2023, 1, 15)},
        # Shanwei firm, Guangzhou center, closed: 2022-01-15 .. 2022-12-20 = 11 months.
        {
            "firm": 2,
            "home": SHANWEI,
            "center": 20,
            "host": GUANGZHOU,
            "hired": date(2022, 1, 15),
            "departed": date(2022, 12, 20),
        },
    ]
    months = {
        (city, side): facts_of(talents, spells, city, side)["months_at_accredited_center"]
        for city, side in [
            (SHENZHEN, "host"),
            (GUANGZHOU, "host"),
            (DONGGUAN, "host"),
            (SHANTOU, "home"),
            (SHANWEI, "home"),
            (MEIZHOU, "home"),
        ]
    }
    assert months == {
        (SHENZHEN, "host"): 29,
        (GUANGZHOU, "host"): 11,
        (DONGGUAN, "host"): 0,
        (SHANTOU, "home"): 29,
        (SHANWEI, "home"): 11,
        (MEIZHOU, "home"): 0,
    }
    shenzhen = facts_of(talents, spells, SHENZHEN, "host")
    assert shenzhen["currently_employed"] is True
    guangzhou = facts_of(talents, spells, GUANGZHOU, "host")
    assert guangzhou["currently_employed"] is False  # its spell there has ended
    assert guangzhou["center_status"] == "accredited"  # read from the spell that ended last
    # Without a relevant spell there is no current spell: its facts are missing, not false.
    dongguan = facts_of(talents, spells, DONGGUAN, "host")
    for name in (
        "key_post",
        "recruited_via_program",
        "firm_tier",
        "firm_tier_rank",
        "firm_tier_valid",
        "center_status",
        "center_accredited",
        "months_employed_at_firm",
    ):
        assert dongguan[name] is None, name
    assert dongguan["currently_employed"] is False
    assert dongguan["months_at_accredited_center"] == 0


def test_spells_hired_after_the_as_of_date_do_not_count():
    spells = [{"hired": date(2025, 7, 1)}]
    facts = facts_of([{}], spells)
    assert facts["months_at_accredited_center"] == 0
    assert facts["currently_employed"] is False
    assert facts["key_post"] is None


@pytest.mark.parametrize(
    ("spells", "expected"),
    [
        # Open beats closed, even when the closed one was hired later.
        (
            [
                {"hired": date(2020, 1, 1), "key_post": True},
                {"hired": date(2024, 1, 1), "departed": date(2024, 12, 31)},
            ],
            0,
        ),
        # Two open: the later hire.
        ([{"hired": date(2020, 1, 1)}, {"hired": date(2024, 1, 1), "key_post": True}], 1),
        # A spell that departs on the as-of date is still open on it.
        (
            [
                {"hired": date(2019, 1, 1), "departed": date(2025, 6, 29)},
                {"hired": date(2018, 1, 1), "departed": AS_OF, "key_post": True},
            ],
            1,
        ),
        # Two closed: the one that ended last, not the one hired last.
        (
            [
                {"hired": date(2019, 1, 1), "departed": date(2024, 6, 1), "key_post": True},
                {"hired": date(2021, 1, 1), "departed": date(2023, 1, 1)},
            ],
            0,
        ),
        # Irrelevant spells never become current, however recent.
        (
            [
                {"hired": date(2020, 1, 1), "departed": date(2021, 1, 1), "key_post": True},
                {"hired": date(2024, 1, 1), "host": GUANGZHOU},
            ],
            0,
        ),
    ],
)
def test_current_spell_choice(spells: list[dict[str, Any]], expected: int) -> None:
    built = build(make_inputs([{}], spells), SHENZHEN, "host", AS_OF)
    assert int(built.current[0]) == expected
    assert row_facts(built, 0)["key_post"] is True


def test_current_spell_is_per_talent_whatever_the_spell_order():
    spells = [
        {"talent": 1, "hired": date(2021, 1, 1), "key_post": True},
        {"talent": 0, "hired": date(2022, 1, 1)},
        {"talent": 1, "hired": date(2020, 1, 1)},
        {"talent": 0, "hired": date(2023, 1, 1), "key_post": True},
    ]
    built = build(make_inputs([{}, {}], spells), SHENZHEN, "host", AS_OF)
    assert built.current.tolist() == [3, 0]


def test_months_are_whole_months_summed_per_spell():
    spells = [
        # Jan 31 -> the first month completes on Feb 29 (2020 is a leap year); the last day
        # worked is Mar 29, so the second would need the day after (Mar 30) to reach Mar 31.
        {"hired": date(2020, 1, 31), "departed": date(2020, 3, 29)},  # 1
        # Open, hired May 15: the as-of day is a day worked, so three months are complete on
        # Aug 14 (their last day), not on Aug 13.
        {"hired": date(2021, 5, 15), "firm": 2, "center": 11},  # 2 on 2021-08-13
        # At a suspended center of the same city: feeds no host-side month count.
        {"hired": date(2020, 6, 1), "departed": date(2020, 9, 1), "status": "suspended"},  # 0
    ]
    facts = facts_of([{}], spells, as_of=date(2021, 8, 13))
    assert facts["months_at_accredited_center"] == 1 + 2
    # months_employed_at_firm: spells at the current spell's firm (firm 2) only.
    assert facts["months_employed_at_firm"] == 2
    facts = facts_of([{}], spells, as_of=date(2021, 8, 14))
    assert facts["months_at_accredited_center"] == 1 + 3
    assert facts["months_employed_at_firm"] == 3


def test_months_at_firm_count_every_spell_at_the_current_firm():
    spells = [
        {"hired": date(2020, 1, 10), "departed": date(2021, 1, 10), "center": None},  # 12, home
        {"hired": date(2021, 2, 10)},  # 52 months to 2025-06-30, at the center
    ]
    facts = facts_of([{}], spells)
    assert facts["months_employed_at_firm"] == 12 + 52
    assert facts["months_at_accredited_center"] == 52


def test_social_insurance_months_host_home_and_either():
    spells = [
        # Current: Shantou firm at its Shenzhen center, paying in Shenzhen: 24 months.
        {"hired": date(2023, 6, 30), "si": SHENZHEN},
        # Earlier, at the Shantou home site paying in Shantou: 36 months.
        {"hired": date(2020, 1, 1), "departed": date(2023, 1, 1), "center": None, "si": SHANTOU},
        # Elsewhere, paying in Meizhou: counts on neither side of these policies.
        {
            "hired": date(2019, 1, 1),
            "departed": date(2019, 12, 1),
            "home": MEIZHOU,
            "firm": 9,
            "center": None,
            "si": MEIZHOU,
        },
    ]
    host = facts_of([{}], spells, SHENZHEN, "host")
    assert (host["si_months_host"], host["si_months_home"], host["si_months_either"]) == (
        24,
        36,
        60,
    )
    home = facts_of([{}], spells, SHANTOU, "home")
    assert (home["si_months_host"], home["si_months_home"], home["si_months_either"]) == (
        24,
        36,
        60,
    )
    # Meizhou's home side: the current spell there is at the home site, so the host city cannot
    # be named and its months are missing; the home months are known.
    meizhou = facts_of([{}], spells, MEIZHOU, "home")
    assert meizhou["si_months_host"] is None
    assert meizhou["si_months_home"] == 11
    assert meizhou["si_months_either"] == 11


def test_social_insurance_city_that_cannot_be_named_leaves_its_fact_missing():
    # Host side without a current spell: the home city is unknown.
    host = facts_of([{}], [{"host": GUANGZHOU, "si": SHANTOU}], SHENZHEN, "host")
    assert host["si_months_home"] is None
    assert host["si_months_host"] == 0
    assert host["si_months_either"] == 0
    # Home side, current spell at the home site: the host city is unknown.
    home = facts_of([{}], [{"center": None, "si": SHANTOU}], SHANTOU, "home")
    assert home["si_months_host"] is None
    assert home["si_months_home"] == 29
    assert home["si_months_either"] == 29
    # Home side without any spell of the city: host unknown, home months are zero.
    none = facts_of([{}], [], SHANTOU, "home")
    assert (none["si_months_host"], none["si_months_home"], none["si_months_either"]) == (
        None,
        0,
        0,
    )


def test_a_month_paid_on_both_sides_counts_once_in_si_months_either():
    spells = [
        # Two overlapping spells for the same 12 months, one paying in each city.
        {"hired": date(2024, 6, 30), "si": SHENZHEN},
        {"hired": date(2024, 6, 30), "center": None, "si": SHANTOU},
    ]
    facts = facts_of([{}], spells)
    assert (facts["si_months_host"], facts["si_months_home"]) == (12, 12)
    assert facts["si_months_either"] == 12


# --- overlapping spells: a month counts once --------------------------------------------------

MONTH_FACTS = (
    "months_at_accredited_center",
    "months_employed_at_firm",
    "si_months_host",
    "si_months_home",
    "si_months_either",
)


def test_stretches_merge_overlapping_and_touching_intervals_per_talent():
    talent = np.array([0, 0, 0, 0, 1, 1, 2, 2, 3, 3], np.int64)
    start = np.array([1, 2, 10, 20, 5, 5, -100, -60, 30, 41], np.int64)
    end = np.array([5, 3, 20, 25, 5, 9, -50, -40, 40, 50], np.int64)
    got = fact_builder.stretches(talent, start, end)
    assert [a.tolist() for a in got] == [
        [0, 0, 1, 2, 3, 3],  # talent 1 does not join talent 0's reach of 25
        [1, 10, 5, -100, 30, 41],
        # [2, 3) lies inside [1, 5); [20, 25) begins the day after [10, 20) ends: one stretch;
        # [41, 50) leaves day 40 unworked after [30, 40): two
        [5, 25, 9, -40, 40, 50],
        [0, 0, 1, 1, 2, 2, 3, 3, 4, 5],
    ]
    assert all(a.size == 0 for a in fact_builder.stretches(*(np.zeros(0, np.int64),) * 3))


def test_overlapping_spells_at_two_firms_count_each_month_once():
    spells = [
        # 2023-01-15 .. 2024-03-15: 14 months on its own.
        {"hired": date(2023, 1, 15), "departed": date(2024, 3, 15)},
        # Another firm's Shenzhen center from 2024-01-15, open: 17 months on its own.
        {"hired": date(2024, 1, 15), "firm": 2, "home": SHANWEI, "center": 11},
    ]
    facts = facts_of([{}], spells)
    # One stretch 2023-01-15 .. 2025-06-30: 29 months, not 14 + 17.
    assert facts["months_at_accredited_center"] == 29
    assert facts["si_months_host"] == 29
    assert facts["si_months_either"] == 29
    assert facts["months_employed_at_firm"] == 17  # the current (open) spell's firm only
    assert facts["si_months_home"] == 0  # nothing paid in Shanwei


def test_a_spell_inside_another_adds_no_months():
    spells = [
        {"hired": date(2022, 1, 10)},  # open: 41 months to 2025-06-30
        {
            "hired": date(2023, 3, 1),
            "departed": date(2023, 9, 1),
            "firm": 2,
            "center": 11,
        },  # 6 months, all inside
    ]
    facts = facts_of([{}], spells)
    assert facts["months_at_accredited_center"] == 41
    assert facts["si_months_host"] == facts["si_months_either"] == 41
    assert facts["months_employed_at_firm"] == 41


def test_months_grow_from_the_start_of_the_stretch_not_the_current_hire():
    spells = [
        # Leaving is planned after the as-of date: counted up to it, not promised to grow.
        {"hired": date(2022, 1, 10), "departed": date(2026, 1, 1)},
        # Open, hired later at another firm: the current spell, inside the first up to today.
        {"hired": date(2023, 3, 1), "firm": 2, "center": 11},
    ]
    inputs = make_inputs([{}], spells)
    built = build(inputs, SHENZHEN, "host", AS_OF)
    facts = row_facts(built, 0)
    assert facts["months_at_accredited_center"] == 41
    assert facts["months_employed_at_firm"] == 28  # firm 2 since 2023-03-01, through 06-30
    growing = growing_facts(inputs, built, 0)
    for name in ("months_at_accredited_center", "si_months_host", "si_months_either"):
        assert growing[name] == GrowingFact(date(2022, 1, 10), 0, through_day=True), name
    assert growing["months_employed_at_firm"] == GrowingFact(date(2023, 3, 1), 0, through_day=True)


def test_spells_apart_count_one_by_one_and_touching_spells_join():
    first = {"hired": date(2023, 1, 15), "departed": date(2023, 2, 28)}  # 1 month
    # A day unworked between them (Mar 1): 2023-03-02 .. 2023-04-20 is 1 month on its own.
    apart = {"hired": date(2023, 3, 2), "departed": date(2023, 4, 20), "firm": 2, "center": 11}
    facts = facts_of([{}], [first, apart])
    for name in ("months_at_accredited_center", "si_months_host", "si_months_either"):
        assert facts[name] == 1 + 1, name
    # Hired the day after the first one's last day: no day unworked, one stretch
    # 2023-01-15 .. 2023-04-20, 3 whole months, although each spell alone completes only one.
    touching = apart | {"hired": date(2023, 3, 1)}
    facts = facts_of([{}], [first, touching])
    for name in ("months_at_accredited_center", "si_months_host", "si_months_either"):
        assert facts[name] == 3, name


@pytest.mark.parametrize(("city", "side"), [(SHENZHEN, "host"), (SHANTOU, "home")])
def test_months_paid_in_the_host_and_the_home_city_at_once_count_once(city: str, side: str):
    spells = [
        # At the Shantou home site, paying in Shantou: 2024-01-10 .. 2024-09-10, 8 months.
        {
            "hired": date(2024, 1, 10),
            "departed": date(2024, 9, 10),
            "center": None,
            "si": SHANTOU,
        },
        # At the Shenzhen center, paying in Shenzhen from 2024-06-10: 12 months to 2025-06-30.
        {"hired": date(2024, 6, 10), "si": SHENZHEN},
    ]
    inputs = make_inputs([{}], spells)
    built = build(inputs, city, side, AS_OF)
    facts = row_facts(built, 0)
    assert (facts["si_months_host"], facts["si_months_home"]) == (12, 8)
    # 2024-06-10 .. 2024-09-10 is paid on both sides; 2024-01-10 .. 2025-06-30 is 17 months.
    assert facts["si_months_either"] == 17
    growing = growing_facts(inputs, built, 0)
    assert growing["si_months_either"] == GrowingFact(date(2024, 1, 10), 0, through_day=True)
    assert growing["si_months_host"] == GrowingFact(date(2024, 6, 10), 0, through_day=True)
    assert "si_months_home" not in growing


def _union_by_hand(intervals: list[tuple[date, date]]) -> int:
    """Whole months of the union of [first day, last day] intervals, merging with plain dates:
    days worked back to back are one stretch, counted to the day after its last day."""
    total, stretch = 0, None
    for a, last in sorted(intervals):
        b = last + timedelta(days=1)
        if stretch and a <= stretch[1]:
            stretch = (stretch[0], max(stretch[1], b))
            continue
        if stretch:
            total += whole_months_between(*stretch)
        stretch = (a, b)
    return total + (whole_months_between(*stretch) if stretch else 0)


@pytest.mark.parametrize("as_of", [date(2025, 6, 30), date(2024, 2, 29)])
def test_month_facts_equal_the_union_of_feeding_spells_merged_by_hand(as_of: date) -> None:
    inputs = random_inputs(random.Random(as_of.toordinal() + 1), 800)
    day = day_number(as_of)
    checked = 0
    for city, side in [(SHENZHEN, "host"), (DONGGUAN, "host"), (SHANTOU, "home")]:
        built = build(inputs, city, side, as_of)
        for name in MONTH_FACTS:
            intervals: list[list[tuple[date, date]]] = [[] for _ in range(inputs.n)]
            for i in np.flatnonzero(built.feeds[name]):
                hired, departed = int(inputs.hired[i]), int(inputs.departed[i])
                intervals[inputs.talent_index[i]].append(
                    (
                        fact_builder.EPOCH + timedelta(days=hired),
                        fact_builder.EPOCH + timedelta(days=min(departed, day)),
                    )
                )
            column = built.table.columns[name]
            for row in range(inputs.n):
                if not column.missing[row]:
                    assert column.values[row] == _union_by_hand(intervals[row]), (name, row)
                    checked += len(intervals[row]) > 1
    assert checked > 150  # plenty of talents with several feeding spells


@pytest.mark.parametrize("later", [date(2027, 7, 31), date(2028, 2, 29), date(2031, 1, 31)])
def test_growing_facts_project_what_a_later_build_counts(later: date) -> None:
    # Every spell is hired and every recorded departure has passed by 2027-06-30, so nothing but
    # time changes until `later`: a growing fact must project the later count exactly, and a
    # fact that does not grow must keep its value.
    as_of = date(2027, 6, 30)
    inputs = random_inputs(random.Random(later.toordinal()), 600)
    assert inputs.hired.max() <= day_number(as_of)
    assert inputs.departed[inputs.departed != NO_DATE].max() < day_number(as_of)
    grew = 0
    for city, side in [(SHENZHEN, "host"), (GUANGZHOU, "host"), (SHANTOU, "home")]:
        now = build(inputs, city, side, as_of)
        then = build(inputs, city, side, later)
        for row in range(inputs.n):
            facts, projected = row_facts(now, row), row_facts(then, row)
            growing = growing_facts(inputs, now, row)
            for name in MONTH_FACTS:
                expected = growing[name].value_on(later) if name in growing else facts[name]
                assert projected[name] == expected, (city, side, row, name)
            grew += len(growing)
    assert grew > 500


def test_firm_tier_none_is_known_and_distinct_from_missing():
    known = facts_of([{}], [{"tier": "none", "expires": None}])
    assert known["firm_tier"] == "none"
    assert known["firm_tier_rank"] == 0
    assert known["firm_tier_valid"] is False
    missing = facts_of([{}], [{"host": GUANGZHOU}])
    assert missing["firm_tier"] is None
    assert missing["firm_tier_rank"] is None
    assert missing["firm_tier_valid"] is None
    champion = facts_of([{}], [{"tier": "single_champion"}])
    assert (champion["firm_tier"], champion["firm_tier_rank"]) == ("single_champion", 4)


def test_firm_tier_is_valid_through_its_expiry_day():
    spells = [{"tier": "little_giant", "expires": date(2025, 6, 30)}]
    assert facts_of([{}], spells, as_of=date(2025, 6, 30))["firm_tier_valid"] is True
    after = facts_of([{}], spells, as_of=date(2025, 7, 1))
    assert after["firm_tier_valid"] is False
    assert after["firm_tier"] == "little_giant"  # held, whether or not expired


def test_currently_employed_follows_relevant_open_spells():
    assert facts_of([{}], [{}])["currently_employed"] is True
    closed = [{"departed": date(2025, 1, 1)}]
    assert facts_of([{}], closed)["currently_employed"] is False
    elsewhere = [{"departed": date(2025, 1, 1)}, {"host": GUANGZHOU}]
    assert facts_of([{}], elsewhere)["currently_employed"] is False
    assert facts_of([{}], elsewhere, GUANGZHOU)["currently_employed"] is True
    # Home side: the home-site spell of a firm based in the city counts.
    assert facts_of([{}], [{"center": None}], SHANTOU, "home")["currently_employed"] is True


def test_center_facts_at_the_home_site_are_missing():
    facts = facts_of([{}], [{"center": None}], SHANTOU, "home")
    assert facts["center_status"] is None
    assert facts["center_accredited"] is None
    suspended = facts_of([{}], [{"status": "suspended"}])
    assert (suspended["center_status"], suspended["center_accredited"]) == ("suspended", False)


def test_hukou_in_city_depends_on_the_policy_city_and_is_missing_without_hukou():
    talents = [{"hukou": SHENZHEN}, {"hukou": SHANTOU}, {"hukou": None}]
    spells = [{"talent": i} for i in range(3)]
    built = build(make_inputs(talents, spells), SHENZHEN, "host", AS_OF)
    rows = [row_facts(built, i) for i in range(3)]
    assert [r["hukou_in_city"] for r in rows] == [True, False, None]
    assert [r["hukou_city"] for r in rows] == [SHENZHEN, SHANTOU, None]
    home = build(make_inputs(talents, spells), SHANTOU, "home", AS_OF)
    assert [row_facts(home, i)["hukou_in_city"] for i in range(3)] == [False, True, None]


def test_person_facts_age_education_title_foreign():
    talents = [
        {
            "birth": date(1985, 6, 30),
            "education": "doctor",
            "title": "associate_senior",
            "foreign": True,
        }
    ]
    facts = facts_of(talents, [])
    assert facts["age_years"] == 40  # the birthday itself
    assert facts_of(talents, [], as_of=date(2025, 6, 29))["age_years"] == 39
    assert (facts["education"], facts["education_rank"]) == ("doctor", 3)
    assert (facts["title_level"], facts["title_rank"]) == ("associate_senior", 3)
    assert facts["is_foreign"] is True


def test_a_population_with_no_spells_at_all_builds():
    built = build(make_inputs([{}, {"hukou": None}], []), SHENZHEN, "host", AS_OF)
    assert built.table.n_rows == 2
    assert row_facts(built, 1)["hukou_in_city"] is None
    assert row_facts(built, 0)["months_at_accredited_center"] == 0


# --- growing facts ----------------------------------------------------------------------------


def test_growing_facts_are_anchored_on_the_current_hire_with_earlier_months_as_offset():
    spells = [
        {"hired": date(2024, 3, 31), "si": SHENZHEN},  # current, open: 14 months to 2025-06-30
        # earlier, closed, at another accredited Shenzhen center: 10 months, paid in Shantou
        {
            "hired": date(2022, 1, 15),
            "departed": date(2022, 11, 15),
            "center": 12,
            "firm": 3,
            "si": SHANTOU,
        },
    ]
    inputs = make_inputs([{}], spells)
    built = build(inputs, SHENZHEN, "host", AS_OF)
    growing = growing_facts(inputs, built, 0)
    anchor = date(2024, 3, 31)
    assert growing["months_at_accredited_center"].anchor == anchor
    assert growing["months_at_accredited_center"].offset_months == 10
    assert growing["months_employed_at_firm"].offset_months == 0
    assert growing["si_months_host"].offset_months == 0
    assert growing["si_months_either"].offset_months == 10
    assert "si_months_home" not in growing  # the current spell pays in the host city
    facts = row_facts(built, 0)
    for name, g in growing.items():
        assert g.value_on(AS_OF) == facts[name], name
    assert growing["months_at_accredited_center"].value_on(date(2025, 8, 31)) == 10 + 17


def test_nothing_grows_without_an_open_current_spell_or_with_a_departure_recorded():
    for spells in (
        [],
        [{"departed": date(2025, 1, 1)}],
        [{"departed": date(2026, 1, 1)}],  # leaving is planned: do not promise growth
    ):
        inputs = make_inputs([{}], spells)
        assert growing_facts(inputs, build(inputs, SHENZHEN, "host", AS_OF), 0) == {}


def test_months_at_center_do_not_grow_at_a_center_that_is_not_accredited():
    inputs = make_inputs([{}], [{"status": "suspended"}])
    # The host city counts no month worked at a center it does not accredit.
    host = growing_facts(inputs, build(inputs, SHENZHEN, "host", AS_OF), 0)
    assert "months_at_accredited_center" not in host
    assert "months_employed_at_firm" not in host
    # The firm's home city counts the employment, not the accreditation.
    home = growing_facts(inputs, build(inputs, SHANTOU, "home", AS_OF), 0)
    assert "months_at_accredited_center" not in home
    assert "months_employed_at_firm" in home


@pytest.mark.parametrize("as_of", [date(2025, 2, 28), date(2024, 2, 29), AS_OF])
def test_growing_facts_value_on_the_as_of_date_is_the_fact(as_of: date) -> None:
    rng = random.Random(as_of.toordinal())
    inputs = random_inputs(rng, 600)
    checked = 0
    for city, side in [(SHENZHEN, "host"), (GUANGZHOU, "host"), (SHANTOU, "home")]:
        built = build(inputs, city, side, as_of)
        for row in range(inputs.n):
            facts = row_facts(built, row)
            for name, g in growing_facts(inputs, built, row).items():
                assert g.value_on(as_of) == facts[name], (city, side, row, name)
                checked += 1
    assert checked > 500


# --- the two evaluation paths agree -----------------------------------------------------------

POLICIES = default_policies(PRD, HOMES)


def _per_row(masks: Mapping[str, np.ndarray], n: int) -> list[list[str]]:
    """Per row, the sorted names whose mask is set on it."""
    out: list[list[str]] = [[] for _ in range(n)]
    for name in sorted(masks):
        for i in np.flatnonzero(masks[name]):
            out[i].append(name)
    return out


@pytest.mark.parametrize("as_of", [date(2025, 6, 30), date(2024, 2, 29), date(2026, 1, 31)])
def test_population_and_single_paths_agree_under_every_default_policy(as_of: date) -> None:
    inputs = random_inputs(random.Random(as_of.toordinal()), 1000)
    built_by_city: dict[tuple[str, str], Any] = {}
    seen_outcomes: set[str] = set()
    for policy in POLICIES:
        key = (policy.city_code, policy.side)
        if key not in built_by_city:
            built = build(inputs, policy.city_code, policy.side, as_of)
            built_by_city[key] = (built, [row_facts(built, i) for i in range(inputs.n)])
        built, rows = built_by_city[key]
        rule = policy.validated_rule()
        population = evaluate_population(rule, policy.parameters, built.table)
        missing = _per_row(population.missing, inputs.n)
        blocked = _per_row(population.blocked, inputs.n)
        for i, facts in enumerate(rows):
            single = evaluate(rule, facts, policy.parameters)
            got = OUTCOME_NAMES[int(population.outcomes[i])]
            assert got == single.outcome.value, (policy.key, i, facts)
            seen_outcomes.add(got)
            assert missing[i] == sorted(single.missing_facts), (policy.key, i)
            if got == "ineligible":
                assert blocked[i] == sorted(c["id"] for c in single.failed_criteria), (
                    policy.key,
                    i,
                )
    # The generated population exercises all three outcomes.
    assert seen_outcomes == {"eligible", "ineligible", "undetermined"}
