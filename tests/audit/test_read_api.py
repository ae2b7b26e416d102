"""The province reads the log through the API, filtered and paginated; nobody else does."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Connection

from tests.audit.conftest import entries
from tests.factories import SHANTOU, SHENZHEN, Factory


def _enclave(client: TestClient, headers: dict[str, str], name: str) -> int:
    body = {
        "name": name,
        "host_city_code": SHENZHEN,
        "district": "Nanshan",
        "operator": "Operator Ltd",
        "total_floor_area_m2": 300,
        "partner_city_codes": [SHANTOU],
    }
    response = client.post("/v1/enclaves", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def test_the_province_filters_by_actor_object_and_time_and_pages(
    client: TestClient, make: Factory, connection: Connection
) -> None:
    first = _enclave(client, make.province(), "A")
    _enclave(client, make.bureau(SHENZHEN), "B")
    _enclave(client, make.province(), "C")
    rows = entries(connection)
    url = "/v1/audit/entries"
    listed = client.get(url, headers=make.province()).json()["items"]
    by_actor = client.get(url, params={"actor": "user:900002"}, headers=make.province()).json()
    assert [e["actor_city_code"] for e in by_actor["items"]] == [SHENZHEN]
    by_object = client.get(
        url, params={"object_type": "enclave", "object_id": str(first)}, headers=make.province()
    ).json()
    assert [e["seq"] for e in by_object["items"]] == [1]
    after = listed[1]["occurred_at"]
    by_time = client.get(url, params={"occurred_from": after}, headers=make.province()).json()
    assert [e["seq"] for e in by_time["items"]] == [2, 3]
    page = client.get(url, params={"limit": 2}, headers=make.province()).json()
    assert [e["seq"] for e in page["items"]] == [1, 2]
    rest = client.get(
        url, params={"limit": 2, "cursor": page["next_cursor"]}, headers=make.province()
    ).json()
    assert ([e["seq"] for e in rest["items"]], rest["next_cursor"]) == ([3], None)
    assert rest["items"][0]["hash"] == rows[2].hash


def test_a_bureau_a_firm_and_a_machine_client_are_refused(
    client: TestClient, make: Factory, connection: Connection
) -> None:
    _enclave(client, make.province(), "A")
    firm = make.firm(SHANTOU)
    for headers in (
        make.bureau(SHENZHEN),
        make.firm_user(firm),
        make.client("registry:read"),
    ):
        for path in ("/v1/audit/entries", "/v1/audit/checkpoints"):
            response = client.get(path, headers=headers)
            assert response.status_code == 403, response.text
            assert "hash" not in response.text
    assert len(entries(connection)) == 1  # reading, or failing to, writes nothing


def test_a_naive_time_filter_is_refused(client: TestClient, make: Factory) -> None:
    response = client.get(
        "/v1/audit/entries",
        params={"occurred_from": "2026-01-01T00:00:00"},
        headers=make.province(),
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "query.occurred_from"
