"""Bad input on enclave spaces: ``POST /v1/enclaves`` and ``PATCH /v1/enclaves/{enclave_id}``."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlmodel import Session

from talent_service.models import Enclave, EnclavePartner
from tests.errors import CONTROL_CHARS, HUGE_ID, LONG_TEXT, assert_problem, counts, snapshot
from tests.factories import GUANGZHOU, MEIZHOU, SHANTOU, SHANWEI, SHENZHEN, Factory


def enclave_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "深汕人才飞地",
        "host_city_code": SHENZHEN,
        "district": "南山区",
        "operator": "深圳某园区运营有限公司",
        "total_floor_area_m2": 2300,
        "partner_city_codes": [SHANWEI, SHANTOU],
    }
    return body | overrides


def post(client: TestClient, make: Factory, body: dict[str, Any]) -> Any:
    return client.post("/v1/enclaves", json=body, headers=make.bureau(SHENZHEN))


def partners(session: Session, enclave_id: int) -> list[str]:
    table = EnclavePartner.__table__  # type: ignore[attr-defined]
    query = select(table.c.city_code).where(table.c.enclave_id == enclave_id)
    return sorted(session.connection().execute(query).scalars())


def test_the_valid_body_is_accepted(client: TestClient, make: Factory) -> None:
    r = post(client, make, enclave_body())
    assert r.status_code == 201, r.text


def test_a_non_prd_or_unknown_host_city_is_refused(
    client: TestClient, make: Factory, session: Session
) -> None:
    before = counts(session)
    for city in (SHANTOU, MEIZHOU, "440800", "110000", "440000"):
        body = enclave_body(host_city_code=city)
        r = client.post("/v1/enclaves", json=body, headers=make.province())
        assert_problem(r, 422, slug="rule-violation", field="body.host_city_code")
    assert counts(session) == before


@pytest.mark.parametrize(
    ("codes", "field"),
    [
        ([GUANGZHOU], "body.partner_city_codes.0"),
        ([SHANTOU, "442000"], "body.partner_city_codes.1"),  # Zhongshan
        ([SHANWEI, SHENZHEN], "body.partner_city_codes.1"),
        ([SHANWEI, "449900"], "body.partner_city_codes.1"),
        ([SHANWEI, "110000"], "body.partner_city_codes.1"),
    ],
    ids=["prd", "prd-second", "prd-second-unsorted", "unknown", "unknown-unsorted"],
)
def test_a_prd_or_unknown_partner_city_is_refused(
    client: TestClient, make: Factory, session: Session, codes: list[str], field: str
) -> None:
    before = counts(session)
    r = post(client, make, enclave_body(partner_city_codes=codes))
    assert_problem(r, 422, slug="rule-violation", field=field)
    assert counts(session) == before


def test_a_malformed_partner_list_is_refused(
    client: TestClient, make: Factory, session: Session
) -> None:
    before = counts(session)
    for codes in ([], [SHANWEI, SHANWEI], ["4415"], [SHANWEI] * 22, SHANWEI, None, [None]):
        r = post(client, make, enclave_body(partner_city_codes=codes))
        body = assert_problem(r, 422, slug="validation")
        fields = [e["field"] for e in body["errors"]]
        assert any(f.startswith("body.partner_city_codes") for f in fields), (codes, body)
    assert counts(session) == before


def test_an_impossible_total_area_is_refused(
    client: TestClient, make: Factory, session: Session
) -> None:
    before = counts(session)
    for area in (0, -1, 1e308, 1_000_001, None, "2300 m2"):
        r = post(client, make, enclave_body(total_floor_area_m2=area))
        assert_problem(r, 422, slug="validation", field="body.total_floor_area_m2")
    assert counts(session) == before


@pytest.mark.parametrize("name", ["name", "district", "operator"])
def test_oversized_empty_or_control_character_text_is_refused(
    client: TestClient, make: Factory, session: Session, name: str
) -> None:
    before = counts(session)
    for value in [LONG_TEXT, "", *(f"飞{char}地" for char in CONTROL_CHARS)]:
        r = post(client, make, enclave_body(**{name: value}))
        assert_problem(r, 422, slug="validation", field=f"body.{name}")
    assert counts(session) == before


def test_a_district_longer_than_its_column_is_refused(
    client: TestClient, make: Factory, session: Session
) -> None:
    # The column holds 64 characters: PostgreSQL would refuse 65 with a 500.
    before = counts(session)
    r = post(client, make, enclave_body(district="区" * 65))
    assert_problem(r, 422, slug="validation", field="body.district")
    assert counts(session) == before
    assert post(client, make, enclave_body(district="区" * 64)).status_code == 201


def test_extra_fields_on_create_are_refused(
    client: TestClient, make: Factory, session: Session
) -> None:
    before = counts(session)
    for name, value in [
        ("id", 1),
        ("used_floor_area_m2", 0),
        ("free_floor_area_m2", 9999),
        ("version", 3),
    ]:
        r = post(client, make, enclave_body(**{name: value}))
        assert_problem(r, 422, slug="validation", field=f"body.{name}")
    assert counts(session) == before


# --- PATCH ---------------------------------------------------------------------------------


@pytest.fixture
def enclave(make: Factory) -> Enclave:
    enclave = make.enclave(SHENZHEN, partners=(SHANTOU, SHANWEI))
    make.center(make.firm(SHANTOU), SHENZHEN, enclave_id=enclave.id, floor_area_m2=1500.0)
    return enclave


PATCHES: list[tuple[dict[str, Any], str, str | None]] = [
    ({"host_city_code": GUANGZHOU}, "validation", "body.host_city_code"),
    ({"id": 99}, "validation", "body.id"),
    ({"used_floor_area_m2": 0}, "validation", "body.used_floor_area_m2"),
    ({"total_floor_area_m2": 1499.99}, "rule-violation", "body.total_floor_area_m2"),
    ({"total_floor_area_m2": 1e308}, "validation", "body.total_floor_area_m2"),
    (
        {"partner_city_codes": [GUANGZHOU, SHANTOU]},
        "rule-violation",
        "body.partner_city_codes.0",
    ),
    ({"partner_city_codes": ["110000"]}, "rule-violation", "body.partner_city_codes.0"),
    ({"partner_city_codes": []}, "validation", "body.partner_city_codes"),
    ({"district": "a\x00b"}, "validation", "body.district"),
    ({"operator": LONG_TEXT}, "validation", "body.operator"),
    ({"name": None}, "validation", None),
    ({"partner_city_codes": None}, "validation", None),
]


def test_patch_is_checked_and_nothing_changes(
    client: TestClient, make: Factory, enclave: Enclave, session: Session
) -> None:
    assert enclave.id is not None
    stored, partnered = snapshot(session, Enclave, enclave.id), partners(session, enclave.id)
    for patch, slug, field in PATCHES:
        r = client.patch(f"/v1/enclaves/{enclave.id}", json=patch, headers=make.bureau(SHENZHEN))
        assert_problem(r, 422, slug=slug, field=field)
    assert snapshot(session, Enclave, enclave.id) == stored
    assert partners(session, enclave.id) == partnered


def test_a_stale_if_match_is_refused_and_nothing_changes(
    client: TestClient, make: Factory, enclave: Enclave, session: Session
) -> None:
    assert enclave.id is not None
    stored, partnered = snapshot(session, Enclave, enclave.id), partners(session, enclave.id)
    headers = make.province() | {"If-Match": f'"{enclave.version + 1}"'}
    r = client.patch(
        f"/v1/enclaves/{enclave.id}", json={"partner_city_codes": [MEIZHOU]}, headers=headers
    )
    assert_problem(r, 412, slug="precondition-failed")
    headers["If-Match"] = '"one"'
    r = client.patch(
        f"/v1/enclaves/{enclave.id}", json={"partner_city_codes": [MEIZHOU]}, headers=headers
    )
    assert_problem(r, 422, slug="validation", field="header.If-Match")
    assert snapshot(session, Enclave, enclave.id) == stored
    assert partners(session, enclave.id) == partnered


def test_a_huge_enclave_id_is_refused(client: TestClient, make: Factory) -> None:
    r = client.get(f"/v1/enclaves/{HUGE_ID}", headers=make.province())
    assert_problem(r, 422, slug="validation", field="path.enclave_id")
    r = client.patch(f"/v1/enclaves/{HUGE_ID}", json={"name": "x"}, headers=make.province())
    assert_problem(r, 422, slug="validation", field="path.enclave_id")
