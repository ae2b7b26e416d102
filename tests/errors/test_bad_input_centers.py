"""Bad input on centers: ``POST /v1/centers``, ``PATCH /v1/centers/{center_id}`` and the
accreditation and closure actions."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from talent_service.core import clock
from talent_service.models import Center, Enclave, Firm
from talent_service.reference.enums import CenterStatus
from tests.errors import CONTROL_CHARS, HUGE_ID, LONG_TEXT, assert_problem, counts, snapshot
from tests.factories import DONGGUAN, MEIZHOU, SHANTOU, SHANWEI, SHENZHEN, Factory


class World:
    """A Shantou firm, a Shenzhen enclave space of 2,300 m² partnering Shantou, a firm user."""

    def __init__(self, make: Factory) -> None:
        self.make = make
        self.firm: Firm = make.firm(SHANTOU)
        self.enclave: Enclave = make.enclave(SHENZHEN, partners=(SHANTOU,))
        self.headers = make.firm_user(self.firm)

    def body(self, **overrides: Any) -> dict[str, Any]:
        body: dict[str, Any] = {
            "kind": "rnd",
            "enclave_id": self.enclave.id,
            "name": "汕头某企业深圳研发中心",
            "address": "南山区科技园",
            "floor_area_m2": 300,
            "opened_on": "2022-01-01",
        }
        return body | overrides


@pytest.fixture
def world(make: Factory) -> World:
    return World(make)


def post(client: TestClient, world: World, body: dict[str, Any]) -> Any:
    return client.post("/v1/centers", json=body, headers=world.headers)


def test_the_valid_bodies_are_accepted(client: TestClient, world: World) -> None:
    assert post(client, world, world.body()).status_code == 201
    body = world.body(enclave_id=None, host_city_code=DONGGUAN)
    assert post(client, world, body).status_code == 201


# --- host city and enclave space -------------------------------------------------------------


def test_a_non_prd_host_city_is_refused(client: TestClient, world: World, session: Session) -> None:
    before = counts(session)
    for city in (SHANTOU, MEIZHOU, "440800"):  # east, north, west
        r = post(client, world, world.body(enclave_id=None, host_city_code=city))
        body = assert_problem(r, 422, slug="rule-violation", field="body.host_city_code")
        assert "Pearl River Delta" in body["detail"]
    assert counts(session) == before


def test_an_unknown_host_city_is_refused(
    client: TestClient, world: World, session: Session
) -> None:
    before = counts(session)
    for city in ("110000", "440000", "449999"):
        r = post(client, world, world.body(enclave_id=None, host_city_code=city))
        assert_problem(r, 422, slug="rule-violation", field="body.host_city_code")
    for city in ("4403", "深圳", 440300):
        r = post(client, world, world.body(enclave_id=None, host_city_code=city))
        assert_problem(r, 422, slug="validation", field="body.host_city_code")
    assert counts(session) == before


def test_a_host_city_is_required_without_an_enclave(
    client: TestClient, world: World, session: Session
) -> None:
    before = counts(session)
    r = post(client, world, world.body(enclave_id=None))
    assert_problem(r, 422, slug="rule-violation", field="body.host_city_code")
    assert counts(session) == before


def test_a_host_city_other_than_the_enclave_s_is_refused(
    client: TestClient, world: World, session: Session
) -> None:
    before = counts(session)
    r = post(client, world, world.body(host_city_code=DONGGUAN))
    assert_problem(r, 422, slug="rule-violation", field="body.host_city_code")
    assert counts(session) == before


def test_an_unknown_enclave_is_refused(client: TestClient, world: World, session: Session) -> None:
    before = counts(session)
    r = post(client, world, world.body(enclave_id=2**31 - 1))
    assert_problem(r, 422, slug="rule-violation", field="body.enclave_id")
    for value in (HUGE_ID, 0, -1, "abc", 1.5):
        r = post(client, world, world.body(enclave_id=value))
        assert_problem(r, 422, slug="validation", field="body.enclave_id")
    assert counts(session) == before


def test_an_enclave_that_does_not_partner_the_firm_s_home_city_is_refused(
    client: TestClient, world: World, make: Factory, session: Session
) -> None:
    elsewhere = make.enclave(SHENZHEN, partners=(SHANWEI, MEIZHOU))
    before = counts(session)
    r = post(client, world, world.body(enclave_id=elsewhere.id))
    body = assert_problem(r, 422, slug="rule-violation", field="body.enclave_id")
    assert SHANTOU in body["detail"]
    assert counts(session) == before


def test_a_center_that_does_not_fit_the_free_area_is_refused(
    client: TestClient, world: World, make: Factory, session: Session
) -> None:
    make.center(world.firm, SHENZHEN, enclave_id=world.enclave.id, floor_area_m2=2200.0)
    before = counts(session)
    r = post(client, world, world.body(floor_area_m2=100.01))
    body = assert_problem(r, 422, slug="rule-violation", field="body.floor_area_m2")
    assert "100 m² free" in body["detail"]
    assert counts(session) == before
    # Exactly the free area fits.
    assert post(client, world, world.body(floor_area_m2=100)).status_code == 201


def test_the_province_must_name_the_firm(
    client: TestClient, world: World, make: Factory, session: Session
) -> None:
    before = counts(session)
    r = client.post("/v1/centers", json=world.body(), headers=make.province())
    assert_problem(r, 422, slug="rule-violation", field="body.firm_id")
    other = make.firm(SHANTOU)
    before = counts(session)
    r = post(client, world, world.body(firm_id=other.id))
    assert_problem(r, 422, slug="rule-violation", field="body.firm_id")
    assert counts(session) == before


# --- numbers, dates, enums -------------------------------------------------------------------


def test_an_impossible_floor_area_is_refused(
    client: TestClient, world: World, session: Session
) -> None:
    before = counts(session)
    for area in (0, -5, -0.0, 1e308, 1_000_001, "big", None, [1]):
        r = post(client, world, world.body(floor_area_m2=area))
        assert_problem(r, 422, slug="validation", field="body.floor_area_m2")
    assert counts(session) == before


def test_non_finite_floor_areas_in_json_are_refused(
    client: TestClient, world: World, session: Session
) -> None:
    # Python's JSON parser accepts these literals; the schema must still refuse them.
    before = counts(session)
    for literal in ("NaN", "Infinity", "-Infinity", "1e999"):
        text = json.dumps(world.body(floor_area_m2=0.5)).replace("0.5", literal)
        r = client.post(
            "/v1/centers",
            content=text,
            headers=world.headers | {"Content-Type": "application/json"},
        )
        assert_problem(r, 422, slug="validation", field="body.floor_area_m2")
    assert counts(session) == before


def test_an_impossible_opening_date_or_kind_is_refused(
    client: TestClient, world: World, session: Session
) -> None:
    before = counts(session)
    for opened in ("1989-12-31", "2100-01-02", "2022-02-30", "yesterday", None):
        r = post(client, world, world.body(opened_on=opened))
        assert_problem(r, 422, slug="validation", field="body.opened_on")
    for kind in ("lab", "RND", None):
        assert_problem(post(client, world, world.body(kind=kind)), 422, field="body.kind")
    assert counts(session) == before


# --- text fields ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["name", "address"])
def test_oversized_empty_or_control_character_text_is_refused(
    client: TestClient, world: World, session: Session, name: str
) -> None:
    before = counts(session)
    for value in [LONG_TEXT, "", " ", *(f"研发{char}中心" for char in CONTROL_CHARS)]:
        r = post(client, world, world.body(**{name: value}))
        assert_problem(r, 422, slug="validation", field=f"body.{name}")
    assert counts(session) == before


def test_an_address_longer_than_its_column_is_refused(
    client: TestClient, world: World, session: Session
) -> None:
    # The column holds 300 characters: PostgreSQL would refuse 301 with a 500.
    before = counts(session)
    r = post(client, world, world.body(address="路" * 301))
    assert_problem(r, 422, slug="validation", field="body.address")
    assert counts(session) == before
    assert post(client, world, world.body(address="路" * 300)).status_code == 201


# --- extra fields --------------------------------------------------------------------------


def test_extra_fields_on_create_are_refused(
    client: TestClient, world: World, session: Session
) -> None:
    before = counts(session)
    for name, value in [
        ("id", 1),
        ("status", "accredited"),
        ("decided_by", "user:1"),
        ("closed_on", "2023-01-01"),
        ("version", 5),
    ]:
        r = post(client, world, world.body(**{name: value}))
        assert_problem(r, 422, slug="validation", field=f"body.{name}")
    assert counts(session) == before


# --- PATCH ---------------------------------------------------------------------------------


@pytest.fixture
def center(world: World, make: Factory) -> Center:
    return make.center(world.firm, SHENZHEN, enclave_id=world.enclave.id, floor_area_m2=300.0)


def test_identity_and_status_fields_cannot_be_patched(
    client: TestClient, world: World, center: Center, session: Session
) -> None:
    assert center.id is not None
    stored = snapshot(session, Center, center.id)
    for name, value in [
        ("firm_id", 1),
        ("host_city_code", DONGGUAN),
        ("enclave_id", 1),
        ("kind", "engineering"),
        ("status", "accredited"),
        ("opened_on", "2020-01-01"),
        ("closed_on", "2024-01-01"),
        ("decided_by", "user:1"),
        ("version", 9),
    ]:
        for headers in (world.headers, world.make.province()):
            r = client.patch(f"/v1/centers/{center.id}", json={name: value}, headers=headers)
            assert_problem(r, 422, slug="validation", field=f"body.{name}")
    assert snapshot(session, Center, center.id) == stored


def test_null_for_a_required_field_on_patch_is_refused(
    client: TestClient, world: World, center: Center, session: Session
) -> None:
    assert center.id is not None
    stored = snapshot(session, Center, center.id)
    for name in ("name", "address", "floor_area_m2"):
        r = client.patch(f"/v1/centers/{center.id}", json={name: None}, headers=world.headers)
        assert_problem(r, 422, slug="validation")
    assert snapshot(session, Center, center.id) == stored


def test_patch_values_are_checked(
    client: TestClient, world: World, center: Center, session: Session
) -> None:
    assert center.id is not None
    stored = snapshot(session, Center, center.id)
    for patch, slug, field in [
        # The center's own 300 m² are freed when it grows: 2,300 m² is the most it can hold.
        ({"floor_area_m2": 2300.01}, "rule-violation", "body.floor_area_m2"),
        ({"floor_area_m2": 1e308}, "validation", "body.floor_area_m2"),
        ({"floor_area_m2": 0}, "validation", "body.floor_area_m2"),
        ({"floor_area_m2": -1}, "validation", "body.floor_area_m2"),
        ({"name": LONG_TEXT}, "validation", "body.name"),
        ({"address": "a\x00b"}, "validation", "body.address"),
        ({"name": "a\x1bb"}, "validation", "body.name"),
    ]:
        r = client.patch(f"/v1/centers/{center.id}", json=patch, headers=world.headers)
        assert_problem(r, 422, slug=slug, field=field)
    assert snapshot(session, Center, center.id) == stored
    # Growing into exactly the free area is fine (2,300 m² space, this center holds 300 of them).
    r = client.patch(
        f"/v1/centers/{center.id}", json={"floor_area_m2": 2300}, headers=world.headers
    )
    assert r.status_code == 200, r.text


def test_a_stale_if_match_is_refused_and_the_row_is_unchanged(
    client: TestClient, world: World, center: Center, session: Session
) -> None:
    assert center.id is not None
    stored = snapshot(session, Center, center.id)
    headers = world.headers | {"If-Match": f'"{center.version + 1}"'}
    r = client.patch(f"/v1/centers/{center.id}", json={"name": "New"}, headers=headers)
    assert_problem(r, 412, slug="precondition-failed")
    bureau = world.make.bureau(SHENZHEN) | {"If-Match": f'"{center.version + 1}"'}
    r = client.post(f"/v1/centers/{center.id}/suspension", json={}, headers=bureau)
    assert_problem(r, 412, slug="precondition-failed")
    bureau["If-Match"] = "W/abc"
    r = client.post(f"/v1/centers/{center.id}/suspension", json={}, headers=bureau)
    assert_problem(r, 422, slug="validation", field="header.If-Match")
    assert snapshot(session, Center, center.id) == stored


# --- actions -------------------------------------------------------------------------------


def test_an_unknown_accreditation_decision_is_refused(
    client: TestClient, world: World, make: Factory, session: Session
) -> None:
    pending = make.center(world.firm, SHENZHEN, status=CenterStatus.pending)
    assert pending.id is not None
    stored = snapshot(session, Center, pending.id)
    bureau = make.bureau(SHENZHEN)
    for body, field in [
        ({"decision": "approved"}, "body.decision"),
        ({"decision": "accredited", "note": LONG_TEXT}, "body.note"),
        ({"decision": "accredited", "note": "ok\x00"}, "body.note"),
        ({"decision": "accredited", "status": "closed"}, "body.status"),
        ({"decision": "accredited", "effective_on": "2024-02-30"}, "body.effective_on"),
        ({"decision": "accredited", "effective_on": "2100-01-02"}, "body.effective_on"),
        (
            {"decision": "accredited", "effective_on": None, "closed_on": "2024-01-01"},
            "body.closed_on",
        ),
    ]:
        r = client.post(f"/v1/centers/{pending.id}/accreditation", json=body, headers=bureau)
        assert_problem(r, 422, slug="validation", field=field)
    assert snapshot(session, Center, pending.id) == stored


def test_deciding_twice_is_a_conflict(
    client: TestClient, world: World, center: Center, session: Session
) -> None:
    assert center.id is not None
    stored = snapshot(session, Center, center.id)
    r = client.post(
        f"/v1/centers/{center.id}/accreditation",
        json={"decision": "rejected"},
        headers=world.make.bureau(SHENZHEN),
    )
    assert_problem(r, 409, slug="conflict")
    assert snapshot(session, Center, center.id) == stored


def test_impossible_closure_dates_are_refused(
    client: TestClient, world: World, center: Center, make: Factory, session: Session
) -> None:
    assert center.id is not None
    talent = make.talent(world.firm)
    make.employment(talent, world.firm, center, hired_on=date(2023, 6, 1))
    stored = snapshot(session, Center, center.id)
    tomorrow = (clock.today() + timedelta(days=1)).isoformat()
    for closed_on, slug in [
        ("2020-12-31", "rule-violation"),  # before it opened (2021-01-01)
        ("2023-05-31", "rule-violation"),  # before its latest hire
        (tomorrow, "rule-violation"),  # not yet happened
        ("2023-13-01", "validation"),
    ]:
        r = client.post(
            f"/v1/centers/{center.id}/closure", json={"closed_on": closed_on}, headers=world.headers
        )
        assert_problem(r, 422, slug=slug, field="body.closed_on")
    assert snapshot(session, Center, center.id) == stored


def test_a_closed_center_cannot_be_changed(
    client: TestClient, world: World, make: Factory, session: Session
) -> None:
    closed = make.center(
        world.firm, SHENZHEN, status=CenterStatus.closed, closed_on=date(2023, 1, 1)
    )
    assert closed.id is not None
    stored = snapshot(session, Center, closed.id)
    r = client.patch(f"/v1/centers/{closed.id}", json={"name": "Reopened"}, headers=world.headers)
    assert_problem(r, 409, slug="conflict")
    r = client.post(
        f"/v1/centers/{closed.id}/closure", json={"closed_on": "2023-06-01"}, headers=world.headers
    )
    assert_problem(r, 409, slug="conflict")
    assert snapshot(session, Center, closed.id) == stored


def test_a_huge_center_id_is_refused_in_path_and_query(client: TestClient, make: Factory) -> None:
    headers = make.province()
    for path in (f"/v1/centers/{HUGE_ID}", f"/v1/centers/{HUGE_ID}/history"):
        assert_problem(client.get(path, headers=headers), 422, field="path.center_id")
    for action in ("accreditation", "suspension", "reinstatement", "closure"):
        r = client.post(f"/v1/centers/{HUGE_ID}/{action}", json={}, headers=headers)
        assert_problem(r, 422, slug="validation", field="path.center_id")
    for name in ("firm_id", "enclave_id"):
        r = client.get("/v1/centers", params={name: HUGE_ID}, headers=headers)
        assert_problem(r, 422, slug="validation", field=f"query.{name}")
