"""The registry's main flow through HTTP: firm registers, center accredited, hire and departure."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.factories import SHANTOU, SHENZHEN, Factory


def test_firm_registers_center_and_hire_and_bureau_accredits(
    client: TestClient, make: Factory
) -> None:
    firm = make.firm(SHANTOU)
    enclave = make.enclave(SHENZHEN, partners=(SHANTOU,))
    firm_h, bureau_h = make.firm_user(firm), make.bureau(SHENZHEN)

    r = client.post(
        "/v1/centers",
        json={
            "kind": "rnd",
            "enclave_id": enclave.id,
            "name": "汕头某企业深圳研发中心",
            "address": "南山区科技园",
            "floor_area_m2": 300,
            "opened_on": "2022-01-01",
        },
        headers=firm_h,
    )
    assert r.status_code == 201, r.text
    center = r.json()
    assert center["host_city_code"] == SHENZHEN and center["status"] == "pending"

    r = client.post(
        f"/v1/centers/{center['id']}/accreditation",
        json={"decision": "accredited"},
        headers=bureau_h,
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "accredited"

    r = client.get(f"/v1/enclaves/{enclave.id}", headers=firm_h)
    assert r.json()["used_floor_area_m2"] == 300 and r.json()["free_floor_area_m2"] == 2000

    r = client.post(
        "/v1/talents",
        json={"id_number": make.resident_id(), "name": "李四", "education": "master"},
        headers=firm_h,
    )
    assert r.status_code == 201, r.text
    talent = r.json()
    assert "*" in talent["id_number_masked"]

    r = client.post(
        "/v1/employments",
        json={
            "talent_id": talent["id"],
            "center_id": center["id"],
            "position": "Engineer",
            "hired_on": "2023-02-01",
            "si_city_code": SHENZHEN,
            "recruited_via_program": True,
        },
        headers=firm_h,
    )
    assert r.status_code == 201, r.text
    spell = r.json()
    r = client.post(
        f"/v1/employments/{spell['id']}/departure",
        json={"departed_on": "2024-02-01", "reason": "resigned"},
        headers=firm_h,
    )
    assert r.status_code == 200, r.text
    assert r.json()["departed_on"] == "2024-02-01"

    r = client.get(f"/v1/talents/{talent['id']}", headers=bureau_h)
    assert r.status_code == 200 and r.json()["name"] == "李四"
