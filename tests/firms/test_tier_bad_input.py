"""Bad input on the tier routes: each refusal is a problem response naming the field, and
nothing is written."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from talent_service.models import FirmTierPeriod
from talent_service.reference.enums import FirmTier, TierState
from tests.errors import CONTROL_CHARS, HUGE_ID, LONG_TEXT, assert_problem
from tests.factories import SHANTOU, Factory
from tests.firms import stored, tier_body


def _post(client: TestClient, make: Factory, firm_id: int | None, body: Any) -> Any:
    return client.post(f"/v1/firms/{firm_id}/tiers", json=body, headers=make.province())


@pytest.mark.parametrize("field", ["tier", "certificate_no", "valid_from", "valid_to"])
def test_a_submission_missing_a_field_names_it(
    client: TestClient, make: Factory, session: Session, field: str
) -> None:
    firm = make.firm(SHANTOU)
    before = stored(session)
    body = tier_body()
    del body[field]
    assert_problem(
        _post(client, make, firm.id, body), 422, slug="validation", field=f"body.{field}"
    )
    r = _post(client, make, firm.id, tier_body(**{field: None}))
    assert_problem(r, 422, slug="validation", field=f"body.{field}")
    assert stored(session) == before


def test_a_period_ending_before_it_starts_is_refused(
    client: TestClient, make: Factory, session: Session
) -> None:
    firm = make.firm(SHANTOU)
    before = stored(session)
    r = _post(client, make, firm.id, tier_body(valid_from="2027-01-01", valid_to="2026-12-31"))
    assert_problem(r, 422, slug="validation", field="body.valid_to")
    assert stored(session) == before
    # A certificate valid for one day is a period.
    one_day = tier_body(valid_from="2027-01-01", valid_to="2027-01-01")
    assert _post(client, make, firm.id, one_day).status_code == 201


@pytest.mark.parametrize("field", ["valid_from", "valid_to"])
def test_dates_outside_2000_to_2100_or_malformed_are_refused(
    client: TestClient, make: Factory, session: Session, field: str
) -> None:
    firm = make.firm(SHANTOU)
    before = stored(session)
    for value in ("1999-12-31", "2100-01-02", "2027-02-30", "31/12/2027", "", 20270101):
        body = tier_body(valid_from="2000-01-01", valid_to="2100-01-01") | {field: value}
        r = _post(client, make, firm.id, body)
        assert_problem(r, 422, slug="validation", field=f"body.{field}")
    assert stored(session) == before


def test_an_unknown_tier_and_bad_certificate_numbers_are_refused(
    client: TestClient, make: Factory, session: Session
) -> None:
    firm = make.firm(SHANTOU)
    before = stored(session)
    for tier in ("giant", "", 3, "LITTLE_GIANT"):
        assert_problem(_post(client, make, firm.id, tier_body(tier=tier)), 422, field="body.tier")
    for number in (LONG_TEXT, "9" * 65, "", "   ", *(f"GD{c}1" for c in CONTROL_CHARS)):
        r = _post(client, make, firm.id, tier_body(certificate_no=number))
        assert_problem(r, 422, slug="validation", field="body.certificate_no")
    assert stored(session) == before
    assert _post(client, make, firm.id, tier_body(certificate_no="9" * 64)).status_code == 201


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("state", "approved"),
        ("source", "province"),
        ("decided_by", "user:1"),
        ("decided_at", "2026-01-01T00:00:00Z"),
        ("firm_id", 1),
        ("id", 7),
        ("version", 3),
    ],
)
def test_a_firm_cannot_smuggle_a_decision_into_its_submission(
    client: TestClient, make: Factory, session: Session, name: str, value: Any
) -> None:
    firm = make.firm(SHANTOU)
    before = stored(session)
    body = tier_body() | {name: value}
    r = client.post(f"/v1/firms/{firm.id}/tiers", json=body, headers=make.firm_user(firm))
    assert_problem(r, 422, slug="validation", field=f"body.{name}")
    assert stored(session) == before


def _pending(make: Factory) -> tuple[int, int]:
    firm = make.firm(SHANTOU)
    period: FirmTierPeriod = make.tier(firm, FirmTier.little_giant, state=TierState.submitted)
    assert firm.id is not None and period.id is not None
    return firm.id, period.id


@pytest.mark.parametrize("action", ["approve", "reject"])
def test_a_decision_with_a_bad_note_or_unknown_field_is_refused(
    client: TestClient, make: Factory, session: Session, action: str
) -> None:
    firm_id, period_id = _pending(make)
    url = f"/v1/firms/{firm_id}/tiers/{period_id}/{action}"
    before = stored(session)
    for note in (LONG_TEXT, "a" * 501, *(f"a{c}b" for c in CONTROL_CHARS), 5):
        r = client.post(url, json={"note": note}, headers=make.province())
        assert_problem(r, 422, slug="validation", field="body.note")
    for extra in ({"state": "rejected"}, {"valid_to": "2099-12-31"}, {"tier": "single_champion"}):
        r = client.post(url, json={"note": "x"} | extra, headers=make.province())
        assert_problem(r, 422, slug="validation", field=f"body.{next(iter(extra))}")
    assert stored(session) == before


def test_a_malformed_if_match_on_a_decision_is_refused(
    client: TestClient, make: Factory, session: Session
) -> None:
    firm_id, period_id = _pending(make)
    before = stored(session)
    for value in ("abc", '"-1"', '"v1"', "9" * 40):
        headers = make.province() | {"If-Match": value}
        r = client.post(f"/v1/firms/{firm_id}/tiers/{period_id}/approve", json={}, headers=headers)
        assert_problem(r, 422, slug="validation", field="header.If-Match")
    assert stored(session) == before


def test_huge_or_zero_ids_in_tier_paths_are_refused(client: TestClient, make: Factory) -> None:
    province = make.province()
    for bad in (HUGE_ID, 0, -1):
        for method, url, field, body in (
            ("GET", f"/v1/firms/{bad}/tiers", "path.firm_id", None),
            ("POST", f"/v1/firms/{bad}/tiers", "path.firm_id", tier_body()),
            ("GET", f"/v1/firms/{bad}/history", "path.firm_id", None),
            ("POST", f"/v1/firms/1/tiers/{bad}/approve", "path.period_id", {}),
            ("POST", f"/v1/firms/{bad}/tiers/1/reject", "path.firm_id", {"note": "x"}),
        ):
            r = client.request(method, url, json=body, headers=province)
            assert_problem(r, 422, slug="validation", field=field)


def test_bad_queue_filters_are_refused(client: TestClient, make: Factory) -> None:
    province = make.province()
    for params, field in (
        ({"state": "pending"}, "query.state"),
        ({"firm_id": str(HUGE_ID)}, "query.firm_id"),
        ({"firm_id": "0"}, "query.firm_id"),
        ({"limit": "201"}, "query.limit"),
    ):
        r = client.get("/v1/firm-tiers", params=params, headers=province)
        assert_problem(r, 422, slug="validation", field=field)
    r = client.get("/v1/firm-tiers", params={"cursor": "!!"}, headers=province)
    assert_problem(r, 400, field="query.cursor")
    r = client.get("/v1/firms/1/tiers", params={"limit": "0"}, headers=province)
    assert_problem(r, 422, slug="validation", field="query.limit")


def test_tier_routes_for_a_firm_that_does_not_exist_answer_404(
    client: TestClient, make: Factory
) -> None:
    province = make.province()
    missing = 2_147_483_000
    assert_problem(client.get(f"/v1/firms/{missing}/tiers", headers=province), 404)
    assert_problem(client.get(f"/v1/firms/{missing}/history", headers=province), 404)
    assert_problem(_post(client, make, missing, tier_body()), 404)
    url = f"/v1/firms/{missing}/tiers/{missing}/approve"
    assert_problem(client.post(url, json={}, headers=province), 404)
