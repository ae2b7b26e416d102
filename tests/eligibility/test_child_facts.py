"""Pure: the facts about a named child, supplied facts accepted or refused, and the child's age
growing in the forecast."""

from __future__ import annotations

from datetime import date

from talent_service.eligibility.engine.child_facts import ChildRecord, child_facts
from talent_service.eligibility.engine.facts import CHILD_FACTS, FACTS, SUPPLIABLE
from talent_service.eligibility.engine.forecast import ForecastKind, forecast
from talent_service.eligibility.engine.rules import validate_rule

RECORD = ChildRecord(
    id=3,
    birth_date=date(2019, 3, 1),
    school_stage=None,
    district_code="440305",
    effective_on=date(2025, 9, 1),
    source="firm",
    source_firm_id=11,
    recorded_by="user:1",
)


def test_only_child_facts_are_suppliable_and_the_age_is_not() -> None:
    assert {"child_school_stage", "child_district_in_city"} == SUPPLIABLE
    assert all(FACTS[name].suppliable is (name in SUPPLIABLE) for name in FACTS)
    assert set(CHILD_FACTS) == SUPPLIABLE | {"child_age_years"}
    assert FACTS["child_school_stage"].to_json()["suppliable"] is True


def test_recorded_facts_age_on_the_date_and_district_in_the_policy_city() -> None:
    got = child_facts(RECORD, date(2026, 2, 28), "440300", {}, (), "client:x", CHILD_FACTS)
    assert got.values == {
        "child_age_years": 6,
        "child_school_stage": None,
        "child_district_in_city": True,
    }
    assert (
        child_facts(RECORD, date(2026, 2, 28), "440100", {}, (), "c", CHILD_FACTS).values[
            "child_district_in_city"
        ]
        is False
    )
    assert got.provenance["child_age_years"]["own_firm"] == 11
    assert got.births == {"child_age_years": date(2019, 3, 1)}
    assert got.supplied == []


def test_no_record_leaves_every_child_fact_missing() -> None:
    got = child_facts(None, date(2026, 2, 28), "440300", {}, (), "c", CHILD_FACTS)
    assert set(got.values.values()) == {None}
    assert got.provenance["child_age_years"]["rests_on"] == "none"


def test_an_accepted_supplied_fact_replaces_the_recorded_one_and_a_refused_one_is_not_read() -> (
    None
):
    supplied = {"child_school_stage": "primary", "child_district_in_city": False}
    got = child_facts(
        RECORD,
        date(2026, 2, 28),
        "440300",
        supplied,
        {"child_school_stage"},
        "client:school",
        CHILD_FACTS,
    )
    assert got.values["child_school_stage"] == "primary"
    assert got.values["child_district_in_city"] is True  # the record's: the supplied is refused
    assert got.provenance["child_school_stage"] == {
        "rests_on": "supplied",
        "supplied_by": "client:school",
        "own_firm": None,
    }
    assert got.supplied == [
        {"fact": "child_district_in_city", "value": False, "accepted": False},
        {"fact": "child_school_stage", "value": "primary", "accepted": True},
    ]


def test_a_supplied_fact_the_rule_does_not_read_is_no_part_of_the_decision() -> None:
    supplied = {"child_school_stage": "primary"}
    got = child_facts(RECORD, date(2026, 2, 28), "440300", supplied, supplied, "c", ("age_years",))
    assert got.supplied == []
    assert got.values["child_school_stage"] is None


def test_the_childs_age_grows_in_the_forecast() -> None:
    rule = validate_rule(
        {
            "id": "r",
            "kind": "all",
            "label_zh": "r",
            "label_en": "r",
            "children": [
                {
                    "id": "a",
                    "kind": "compare",
                    "label_zh": "a",
                    "label_en": "a",
                    "fact": "child_age_years",
                    "op": "ge",
                    "rhs": {"value": 6},
                },
                {
                    "id": "b",
                    "kind": "compare",
                    "label_zh": "b",
                    "label_en": "b",
                    "fact": "child_age_years",
                    "op": "le",
                    "rhs": {"value": 15},
                },
            ],
        },
        {},
    )
    birth = date(2021, 3, 1)
    young = forecast(
        rule, {}, {"child_age_years": 5}, date(2026, 9, 15), births={"child_age_years": birth}
    )
    assert young.kind is ForecastKind.BECOMES_ELIGIBLE
    assert (young.change_on, young.then_ends_on) == (
        date(2027, 3, 1),
        date(2037, 3, 1),
    )  # 16th birthday
