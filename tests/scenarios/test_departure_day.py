"""Issue 10, "the departure day", from the caller's side: ``departed_on`` is the last day worked,
and the hire API, the eligibility month counts, retention and the OpenAPI all say so.

Not repeated here: overlap refusals in general (tests/errors/test_bad_input_employments.py), the
pure month arithmetic and stretch merging (tests/eligibility/test_fact_builder.py), retention
against lifelines (tests/retention/test_retention_api.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlmodel import Session

from talent_service.eligibility.policies.store import load_default_policies
from talent_service.models import Employment, Talent
from talent_service.reference.enums import Education
from tests.eligibility.test_checks_flow import Site, host_hukou
from tests.factories import SHANTOU, SHENZHEN, Factory

FIRST_DAY, LAST_DAY = date(2023, 1, 1), date(2025, 12, 31)


@dataclass
class Hired:
    client: TestClient
    make: Factory
    site: Site
    headers: dict[str, str]

    def hire(self, talent: Talent, hired_on: date) -> Any:
        return self.client.post(
            "/v1/employments",
            json={
                "talent_id": talent.id,
                "center_id": self.site.center.id,
                "position": "研发工程师",
                "hired_on": hired_on.isoformat(),
                "si_city_code": SHENZHEN,
                "recruited_via_program": True,
            },
            headers=self.headers,
        )

    def depart(self, spell_id: int, departed_on: date) -> None:
        r = self.client.post(
            f"/v1/employments/{spell_id}/departure",
            json={"departed_on": departed_on.isoformat(), "reason": "resigned"},
            headers=self.headers,
        )
        assert r.status_code == 200, r.text

    def spell(self, talent: Talent) -> int:
        """A talent hired on 2023-01-01 whose last day worked is 2025-12-31, through the API."""
        r = self.hire(talent, FIRST_DAY)
        assert r.status_code == 201, r.text
        self.depart(r.json()["id"], LAST_DAY)
        return int(r.json()["id"])


@pytest.fixture
def hired(client: TestClient, session: Session, make: Factory) -> Hired:
    load_default_policies(session)
    firm = make.firm(SHANTOU)
    center = make.center(firm, SHENZHEN, opened_on=date(2021, 1, 1))
    return Hired(client, make, Site(firm, center, make.bureau(SHENZHEN)), make.firm_user(firm))


def person(hired: Hired, **kw: Any) -> Talent:
    values: dict[str, Any] = {"education": Education.master, "hukou_city_code": SHANTOU}
    return hired.make.talent(hired.site.firm, number=hired.make.resident_id(), **(values | kw))


def spell_count(session: Session) -> int:
    table = Employment.__table__  # type: ignore[attr-defined]
    return int(session.connection().execute(select(func.count()).select_from(table)).scalar_one())


def test_a_spell_through_its_last_day_counts_36_whole_months(hired: Hired) -> None:
    talent = person(hired)
    hired.spell(talent)
    after = host_hukou(hired.client, hired.site, talent, date(2026, 6, 30))
    assert after["facts"]["months_at_accredited_center"] == 36
    on_last_day = host_hukou(hired.client, hired.site, talent, LAST_DAY)
    assert on_last_day["facts"]["months_at_accredited_center"] == 36  # the last day worked counts
    day_before = host_hukou(hired.client, hired.site, talent, date(2025, 12, 30))
    assert day_before["facts"]["months_at_accredited_center"] == 35


def test_a_rehire_the_day_after_the_departure_is_accepted_and_joins_the_spell(
    hired: Hired,
) -> None:
    talent = person(hired)
    hired.spell(talent)
    r = hired.hire(talent, date(2026, 1, 1))
    assert r.status_code == 201, r.text
    # One continuous stretch from 2023-01-01: 42 whole months on 2026-06-30.
    doc = host_hukou(hired.client, hired.site, talent, date(2026, 6, 30))
    assert doc["facts"]["months_at_accredited_center"] == 42


def test_a_rehire_on_the_departure_day_overlaps_and_is_refused(
    hired: Hired, session: Session
) -> None:
    talent = person(hired)
    first = hired.spell(talent)
    before = spell_count(session)
    r = hired.hire(talent, LAST_DAY)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    (error,) = r.json()["errors"]
    assert error["field"] == "body.hired_on"
    assert f"overlaps spell {first}" in r.json()["detail"]
    assert spell_count(session) == before


def test_retention_counts_the_last_day_as_a_day_worked(hired: Hired) -> None:
    """Five people, each hired 2023-01-01 with 2025-12-31 as the last day: 1,096 days worked
    each (both ends), so all are still employed at the 36-month horizon (1,095 days), and none
    the day after their last day."""
    for _ in range(5):
        hired.spell(person(hired))
    params: dict[str, Any] = {"firm_id": hired.site.firm.id, "as_of": "2026-06-30"}
    province = hired.make.province()
    r = hired.client.get("/v1/retention/curve", params=params, headers=province)
    assert r.status_code == 200, r.text
    curve = r.json()
    assert (curve["n"], curve["events"], curve["censored"]) == (5, 5, 0)
    assert curve["median_tenure_days"] == (LAST_DAY - FIRST_DAY).days + 1 == 1096
    r = hired.client.get(
        "/v1/retention/summary", params=params | {"horizons": [36]}, headers=province
    )
    assert r.status_code == 200, r.text
    (horizon,) = r.json()["total"]["horizons"]
    assert (horizon["months"], horizon["days"], horizon["survival"]) == (36, 1095, 1.0)


def test_the_openapi_says_departed_on_is_the_last_day_worked(client: TestClient) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    for name in ("Departure", "EmploymentRead"):
        description = schemas[name]["properties"]["departed_on"]["description"]
        assert "last day worked" in description, name
        assert "2023-01-01 through 2025-12-31 is 36" in description, name
