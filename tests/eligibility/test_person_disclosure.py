"""``disclosure.for_person`` (pure): what every caller reads of a decision says no more of the
birth date than its year."""

from __future__ import annotations

from datetime import date
from typing import Any

from talent_service.eligibility.decisions.disclosure import for_person

BIRTH = date(1980, 9, 15)


def _doc(**forecast: Any) -> dict[str, Any]:
    return {
        "as_of": "2025-06-30",
        "talent": {"id": 1, "id_number_masked": "4405**********1234"},
        "facts": {"age_years": 44, "months_at_accredited_center": 29},
        "explanation": {
            "id": "age-master",
            "kind": "compare",
            "fact": "age_years",
            "label_zh": "年龄",
            "label_en": "age",
            "found": 44,
            "required": 45,
            "result": "pass",
            "text_zh": "年龄 ≤ 45（实际 44 岁）：符合",
            "text_en": "age ≤ 45 (found 44 years): met",
        },
        "failed_criteria": [],
        "provenance": {
            "hukou_city": {"rests_on": "declaration", "effective_on": BIRTH.isoformat()},
            "age_years": {"rests_on": "identity document", "own_firm": "any"},
        },
        "corrections": [],
        "forecast": {"kind": "stays_eligible", "change_on": None, "then_ends_on": None} | forecast,
    }


def test_the_age_its_text_the_mask_and_dates_of_the_birth_year_are_cut() -> None:
    shown = for_person(_doc(), BIRTH)
    assert shown["talent"]["id_number_masked"] == "4405************34"
    assert shown["facts"]["age_years"] is None and shown["withheld_facts"] == ["age_years"]
    node = shown["explanation"]
    assert node["found"] is None and node["result"] == "pass"
    assert "44" not in node["text_zh"] + node["text_en"]
    assert shown["provenance"]["hukou_city"]["effective_on"] == "1980-01-01"
    assert shown["facts"]["months_at_accredited_center"] == 29


def test_an_age_limits_day_becomes_its_year() -> None:
    doc = _doc(
        kind="eligibility_ends",
        change_on="2026-09-15",
        last_eligible_on="2026-09-14",
        facts_on_change={"age_years": 46},
        reason_zh="若其他情况不变，自 2026-09-15 起不再符合条件",
        reason_en="if nothing else changes, no longer eligible from 2026-09-15",
    )
    forecast = for_person(doc, BIRTH)["forecast"]
    assert forecast["change_on"] is None and forecast["last_eligible_on"] is None
    assert forecast["change_year"] == 2026 and forecast["facts_on_change"]["age_years"] is None
    assert "09-15" not in forecast["reason_zh"] + forecast["reason_en"]


def test_a_months_change_keeps_its_day_and_a_later_age_end_its_year() -> None:
    doc = _doc(
        kind="becomes_eligible",
        change_on="2025-02-27",
        then_ends_on="2026-09-15",
        facts_on_change={"age_years": 44, "months_at_accredited_center": 12},
    )
    forecast = for_person(doc, BIRTH)["forecast"]
    assert forecast["change_on"] == "2025-02-27"
    assert forecast["then_ends_on"] is None and forecast["then_ends_year"] == 2026
    assert forecast["facts_on_change"] == {"age_years": None, "months_at_accredited_center": 12}


def test_a_document_that_says_nothing_more_is_returned_as_signed() -> None:
    doc = _doc()
    doc["facts"] = {"months_at_accredited_center": 29}
    doc["talent"]["id_number_masked"] = "4405************34"
    doc["provenance"] = {}
    assert for_person(doc, BIRTH) is doc
