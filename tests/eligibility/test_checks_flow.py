"""Eligibility checks through HTTP on seeded data with the default policies: both sides explained,
boundaries through the real facts, missing facts, forecasts, refusals, storage and read-back."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func
from sqlmodel import Session, select

from talent_service.eligibility.engine.months import add_months
from talent_service.eligibility.policies.store import load_default_policies
from talent_service.models import Center, Decision, Firm, Talent
from talent_service.reference.enums import DepartureReason, Education
from tests.factories import SHANTOU, SHENZHEN, Factory

CHECKS = "/v1/eligibility/checks"
BENEFITS = {"hukou", "social_insurance", "education", "title"}


@dataclass
class Site:
    firm: Firm
    center: Center
    bureau: dict[str, str]


@pytest.fixture
def site(session: Session, make: Factory) -> Site:
    """A Shantou firm with an accredited Shenzhen center, the default policies, and the
    Shenzhen bureau's token."""
    load_default_policies(session)
    firm = make.firm(SHANTOU)
    center = make.center(firm, SHENZHEN, opened_on=date(2018, 1, 1))
    return Site(firm, center, make.bureau(SHENZHEN))


def decision_count(session: Session) -> int:
    return session.exec(select(func.count()).select_from(Decision)).one()


def person(make: Factory, site: Site, birth: date = date(1990, 5, 17), **kw: Any) -> Talent:
    values: dict[str, Any] = {"education": Education.master, "hukou_city_code": SHANTOU}
    return make.talent(site.firm, number=make.resident_id(birth), birth_date=birth, **(values | kw))


def home_spell(make: Factory, site: Site, talent: Talent, hired: date, departed: date) -> None:
    """An earlier spell at the Shantou home site, paying social insurance in Shantou."""
    make.employment(
        talent,
        site.firm,
        None,
        hired_on=hired,
        departed_on=departed,
        departure_reason=DepartureReason.transferred,
    )


def check(
    client: TestClient, site: Site, talent: Talent, as_of: date | str, **body: Any
) -> dict[str, Any]:
    payload = {"talent_id": talent.id, "as_of": str(as_of)} | body
    r = client.post(CHECKS, json=payload, headers=site.bureau)
    assert r.status_code == 201, r.text
    return r.json()


def whole_document(client: TestClient, site: Site, decision_id: str) -> dict[str, Any]:
    """The decision's document exactly as signed (the audited read): the answers of checks
    withhold the age and the days an age limit makes (eligibility/decisions/disclosure.py)."""
    r = client.get(f"/v1/eligibility/decisions/{decision_id}/document", headers=site.bureau)
    assert r.status_code == 200, r.text
    return dict(r.json()["document"])


def host_hukou(client: TestClient, site: Site, talent: Talent, as_of: date) -> dict[str, Any]:
    """The Shenzhen host-side hukou decision's whole document."""
    body = check(client, site, talent, as_of, benefit="hukou", city_code=SHENZHEN)
    (decision,) = body["decisions"]
    assert decision["document"]["policy"]["side"] == "host"
    assert decision["outcome"] == decision["document"]["outcome"]
    return whole_document(client, site, decision["id"])


def nodes(tree: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield tree
    for child in tree.get("children", ()):
        yield from nodes(child)


def failed_ids(document: dict[str, Any]) -> set[str]:
    return {c["id"] for c in document["failed_criteria"]}


def problem(r: Any, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert body["status"] == status and body["detail"]
    return body


# --- both sides, explained --------------------------------------------------------------------


def test_shenzhen_bureau_checks_a_shantou_firms_talent_on_both_sides(
    client: TestClient, session: Session, make: Factory, site: Site
) -> None:
    talent = person(make, site)
    make.employment(talent, site.firm, site.center, hired_on=date(2023, 1, 10), key_post=True)
    before = decision_count(session)

    body = check(client, site, talent, "2025-06-30")

    assert body["talent_id"] == talent.id and body["as_of"] == "2025-06-30"
    decisions = body["decisions"]
    sides = {
        (d["document"]["policy"]["city_code"], d["document"]["policy"]["side"]) for d in decisions
    }
    assert sides == {(SHENZHEN, "host"), (SHANTOU, "home")}
    for city in (SHENZHEN, SHANTOU):
        benefits = [
            d["document"]["policy"]["benefit"]
            for d in decisions
            if d["document"]["policy"]["city_code"] == city
        ]
        assert sorted(benefits) == sorted(BENEFITS)  # benefit omitted: all four, once each
    assert decision_count(session) == before + len(decisions) == before + 8

    for d in decisions:
        doc = d["document"]
        assert d["outcome"] == doc["outcome"] in {"eligible", "ineligible", "undetermined"}
        assert doc["as_of"] == "2025-06-30" and doc["talent"]["id"] == talent.id
        assert doc["policy"]["version"] == 1 and doc["engine_version"]
        assert "failed_criteria" in doc and "missing_facts" in doc
        assert doc["summary_zh"] and doc["summary_en"]
        if doc["outcome"] == "eligible":
            assert doc["failed_criteria"] == [] and doc["missing_facts"] == []
        elif doc["outcome"] == "ineligible":
            assert doc["failed_criteria"]
        else:
            assert doc["missing_facts"]
        for node in nodes(doc["explanation"]):
            for key in ("id", "label_zh", "label_en", "text_zh", "text_en", "result"):
                assert node[key], (doc["policy"]["benefit"], node.get("id"), key)
            assert node["result"] in {"pass", "fail", "unknown"}
            if node["kind"] == "compare":
                assert "required" in node and "found" in node
                assert node["fact"] in doc["facts"]
            else:
                assert node["children"]
        for criterion in doc["failed_criteria"]:
            assert criterion["text_zh"] and criterion["text_en"]

    by_key = {
        (d["document"]["policy"]["side"], d["document"]["policy"]["benefit"]): d for d in decisions
    }
    host_hukou = by_key[("host", "hukou")]["document"]
    assert host_hukou["outcome"] == "eligible"
    assert host_hukou["facts"]["months_at_accredited_center"] == 29
    assert host_hukou["facts"]["age_years"] is None  # shown: the year only (disclosure)
    whole = whole_document(client, site, by_key[("host", "hukou")]["id"])
    assert whole["facts"]["age_years"] == 35
    assert host_hukou["facts"]["hukou_in_city"] is False
    # Home side: the hukou is already in Shantou, so the home hukou policy refuses it.
    home_hukou = by_key[("home", "hukou")]["document"]
    assert home_hukou["outcome"] == "ineligible"
    assert failed_ids(home_hukou) == {"hukou-not-local"}
    assert home_hukou["facts"]["hukou_in_city"] is True
    # Education needs a key post plus months, which this talent has, and a child of school
    # age: none is named, so the decision is undetermined and says what to name.
    education = by_key[("host", "education")]["document"]
    assert education["outcome"] == "undetermined"
    assert failed_ids(education) == set()
    assert education["needs_household_member"] is True
    assert education["suppliable_facts"] == ["child_school_stage"]
    # Title: a master's needs 36 months of service; 29 are not enough.
    title = by_key[("host", "title")]["document"]
    assert title["outcome"] == "ineligible"
    assert "service-months" in failed_ids(title)

    # Stored exactly as returned.
    for d in decisions:
        again = client.get(f"/v1/eligibility/decisions/{d['id']}", headers=site.bureau)
        assert again.status_code == 200, again.text
        assert again.json() == d


def test_one_side_only(client: TestClient, make: Factory, site: Site) -> None:
    talent = person(make, site)
    make.employment(talent, site.firm, site.center, hired_on=date(2023, 1, 10))
    body = check(client, site, talent, "2025-06-30", side="home")
    assert {d["document"]["policy"]["city_code"] for d in body["decisions"]} == {SHANTOU}
    assert len(body["decisions"]) == 4
    body = check(client, site, talent, "2025-06-30", city_code=SHENZHEN, benefit="education")
    assert [
        (d["document"]["policy"]["city_code"], d["document"]["policy"]["benefit"])
        for d in body["decisions"]
    ] == [(SHENZHEN, "education")]


# --- boundaries through the real facts --------------------------------------------------------


def test_age_limit_holds_through_the_last_day_and_ends_the_day_after(
    client: TestClient, make: Factory, site: Site
) -> None:
    birth = date(1980, 7, 1)  # master's: age limit 45 on the host side
    talent = person(make, site, birth)
    make.employment(talent, site.firm, site.center, hired_on=date(2023, 1, 15))

    on_birthday = host_hukou(client, site, talent, date(2025, 7, 1))
    assert (on_birthday["outcome"], on_birthday["facts"]["age_years"]) == ("eligible", 45)
    last_day = host_hukou(client, site, talent, date(2026, 6, 30))
    assert (last_day["outcome"], last_day["facts"]["age_years"]) == ("eligible", 45)
    past = host_hukou(client, site, talent, date(2026, 7, 1))
    assert (past["outcome"], past["facts"]["age_years"]) == ("ineligible", 46)
    assert "age-master" in failed_ids(past)
    assert "months-at-center" not in failed_ids(past)
    node = next(n for n in nodes(past["explanation"]) if n["id"] == "age-master")
    assert (node["required"], node["found"], node["result"]) == (45, 46, "fail")
    assert "46" in node["text_zh"] and "46" in node["text_en"]


def test_months_at_the_center_exactly_at_the_threshold_and_one_short(
    client: TestClient, make: Factory, site: Site
) -> None:
    talent = person(make, site)
    # Social insurance paid at home for years, so only the months at the center can fail.
    home_spell(make, site, talent, date(2019, 1, 1), date(2024, 3, 1))
    make.employment(talent, site.firm, site.center, hired_on=date(2024, 3, 15))

    # Hired 2024-03-15: the twelfth month's last day is 2025-03-14, the as-of day included.
    exact = host_hukou(client, site, talent, date(2025, 3, 14))
    assert exact["facts"]["months_at_accredited_center"] == 12
    assert exact["outcome"] == "eligible"
    short = host_hukou(client, site, talent, date(2025, 3, 13))
    assert short["facts"]["months_at_accredited_center"] == 11
    assert short["outcome"] == "ineligible"
    assert failed_ids(short) == {"months-at-center"}
    assert short["parameters"]["min_months_at_center"] == 12


def test_talent_without_a_hukou_city_is_undetermined_and_the_fact_is_listed(
    client: TestClient, make: Factory, site: Site
) -> None:
    talent = person(make, site, hukou_city_code=None)
    make.employment(talent, site.firm, site.center, hired_on=date(2023, 1, 15))
    doc = host_hukou(client, site, talent, date(2025, 6, 30))
    assert doc["outcome"] == "undetermined"
    assert doc["missing_facts"] == ["hukou_in_city"]
    assert doc["facts"]["hukou_in_city"] is None
    assert doc["failed_criteria"] == []
    node = next(n for n in nodes(doc["explanation"]) if n["id"] == "hukou-not-local")
    assert node["missing"] is True and node["result"] == "unknown"
    assert doc["forecast"]["kind"] == "undetermined"


# --- forecasts --------------------------------------------------------------------------------


def test_short_only_of_months_becomes_eligible_on_the_anniversary(
    client: TestClient, make: Factory, site: Site
) -> None:
    birth = date(1990, 5, 17)
    hired = date(2024, 2, 29)
    talent = person(make, site, birth)
    home_spell(make, site, talent, date(2019, 1, 1), date(2024, 2, 1))
    make.employment(talent, site.firm, site.center, hired_on=hired)

    doc = host_hukou(client, site, talent, date(2024, 12, 1))
    assert doc["outcome"] == "ineligible"
    assert failed_ids(doc) == {"months-at-center"}
    forecast = doc["forecast"]
    assert forecast["kind"] == "becomes_eligible"
    # Twelve months from 2024-02-29 end on 2025-02-28 (no Feb 29 in 2025); the as-of day counts
    # as worked, so the twelfth month is complete on the day before.
    expected = add_months(hired, 12) - timedelta(days=1)
    assert forecast["change_on"] == expected.isoformat() == "2025-02-27"
    assert forecast["facts_on_change"]["months_at_accredited_center"] == 12
    # …and the master's age limit (45) ends it on the 46th birthday.
    assert forecast["then_ends_on"] == add_months(birth, 12 * 46).isoformat()
    # The day before the forecast date it is still ineligible; on it, eligible.
    assert host_hukou(client, site, talent, expected - timedelta(days=1))["outcome"] == "ineligible"
    assert host_hukou(client, site, talent, expected)["outcome"] == "eligible"


def test_eligible_near_the_age_limit_gets_the_date_eligibility_ends(
    client: TestClient, make: Factory, site: Site
) -> None:
    birth = date(1980, 9, 15)
    talent = person(make, site, birth)
    make.employment(talent, site.firm, site.center, hired_on=date(2023, 1, 15))
    doc = host_hukou(client, site, talent, date(2025, 6, 30))
    assert doc["outcome"] == "eligible"
    forecast = doc["forecast"]
    assert forecast["kind"] == "eligibility_ends"
    ends = add_months(birth, 12 * 46)
    assert forecast["change_on"] == ends.isoformat() == "2026-09-15"
    assert forecast["last_eligible_on"] == (ends - timedelta(days=1)).isoformat()
    assert forecast["reason_zh"] and forecast["reason_en"]
    assert host_hukou(client, site, talent, ends)["outcome"] == "ineligible"


# --- refusals ---------------------------------------------------------------------------------


def test_as_of_before_the_policies_take_effect_is_refused_with_a_reason(
    client: TestClient, session: Session, make: Factory, site: Site
) -> None:
    talent = person(make, site)
    make.employment(talent, site.firm, site.center, hired_on=date(2022, 3, 1))
    before = decision_count(session)
    r = client.post(
        CHECKS, json={"talent_id": talent.id, "as_of": "2023-06-30"}, headers=site.bureau
    )
    body = problem(r, 422)
    assert "2023-06-30" in body["detail"]
    assert "no policy version is in force" in body["detail"]
    assert [e["field"] for e in body["errors"]] == ["body.as_of"]
    assert decision_count(session) == before


def test_city_of_the_other_side_is_refused(
    client: TestClient, session: Session, make: Factory, site: Site
) -> None:
    talent = person(make, site)
    make.employment(talent, site.firm, site.center)
    before = decision_count(session)
    for city, side in ((SHENZHEN, "home"), (SHANTOU, "host")):
        r = client.post(
            CHECKS,
            json={"talent_id": talent.id, "city_code": city, "side": side, "as_of": "2025-06-30"},
            headers=site.bureau,
        )
        body = problem(r, 422)
        assert [e["field"] for e in body["errors"]] == ["body.side"]
        assert f"{'host' if side == 'home' else 'home'}-side city" in body["detail"]
    r = client.post(
        CHECKS, json={"talent_id": talent.id, "city_code": "999999"}, headers=site.bureau
    )
    assert [e["field"] for e in problem(r, 422)["errors"]] == ["body.city_code"]
    assert decision_count(session) == before


def test_talent_without_employment_on_the_date_needs_a_city(
    client: TestClient, make: Factory, site: Site
) -> None:
    talent = person(make, site)
    make.employment(talent, site.firm, site.center, hired_on=date(2025, 1, 1))
    r = client.post(
        CHECKS, json={"talent_id": talent.id, "as_of": "2024-06-30"}, headers=site.bureau
    )
    assert [e["field"] for e in problem(r, 422)["errors"]] == ["body.talent_id"]
    # Naming the city works: no employment yet, so nothing at the center counts.
    doc = host_hukou(client, site, talent, date(2024, 6, 30))
    assert doc["facts"]["months_at_accredited_center"] == 0


def test_unknown_talent_and_unknown_or_malformed_decision_ids(
    client: TestClient, make: Factory, site: Site
) -> None:
    r = client.post(
        CHECKS, json={"talent_id": 987654321, "as_of": "2025-06-30"}, headers=site.bureau
    )
    problem(r, 404)
    r = client.get(f"/v1/eligibility/decisions/{uuid.uuid4()}", headers=site.bureau)
    assert problem(r, 404)["type"].endswith("/not-found")
    for bad in ("not-a-uuid", "1" * 36, "' OR 1=1 --"):
        r = client.get(f"/v1/eligibility/decisions/{bad}", headers=site.bureau)
        assert r.status_code in (404, 422), r.text
        problem(r, r.status_code)


def test_not_reachable_forecast_blames_only_criteria_that_fail(
    client: TestClient, make: Factory, site: Site
) -> None:
    talent = person(make, site, education=Education.doctor)
    # Five months at the center, then moved back home: nothing grows any more in Shenzhen.
    make.employment(
        talent,
        site.firm,
        site.center,
        hired_on=date(2024, 1, 10),
        departed_on=date(2024, 6, 10),
        departure_reason=DepartureReason.transferred,
    )
    doc = host_hukou(client, site, talent, date(2025, 6, 30))
    assert doc["outcome"] == "ineligible"
    assert failed_ids(doc) == {"months-at-center", "si-either-side"}
    forecast = doc["forecast"]
    assert forecast["kind"] == "not_reachable"
    assert set(forecast["blocking"]) <= failed_ids(doc)
    assert "本科" not in forecast["reason_zh"] and "bachelor" not in forecast["reason_en"]
