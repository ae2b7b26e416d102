"""No API response that can carry personal data may be kept by a cache (``no-store``)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from talent_service.main import create_app
from tests.factories import SHANTOU, SHENZHEN, Factory


def _get_paths() -> list[str]:
    schema = create_app().openapi()
    return sorted(path for path, ops in schema["paths"].items() if "get" in ops)


def test_a_firm_reading_its_talent_is_told_no_cache_may_keep_it(
    client: TestClient, make: Factory
) -> None:
    firm = make.firm(SHANTOU)
    talent = make.talent(firm)
    r = client.get(f"/v1/talents/{talent.id}", headers=make.firm_user(firm))
    assert r.status_code == 200, r.text
    assert r.headers["cache-control"] == "no-store"


def test_every_api_read_answers_no_store_whatever_its_status(
    client: TestClient, make: Factory
) -> None:
    headers = make.province()
    paths = [p for p in _get_paths() if p.startswith("/v1/") and not p.startswith("/v1/cities")]
    assert len(paths) > 20
    for path in paths:
        r = client.get(re.sub(r"\{[a-z_]+\}", "999999", path), headers=headers)
        assert r.status_code < 500, (path, r.status_code)
        assert r.headers.get("cache-control") == "no-store", (path, r.status_code)
    # Refused before any route runs: no token.
    assert client.get("/v1/talents").headers["cache-control"] == "no-store"


def test_reference_data_may_be_cached(client: TestClient, make: Factory) -> None:
    r = client.get(f"/v1/cities/{SHENZHEN}", headers=make.bureau(SHENZHEN))
    assert r.status_code == 200
    assert "no-store" not in r.headers.get("cache-control", "")


def test_writes_that_answer_with_a_person_are_no_store_too(
    client: TestClient, make: Factory
) -> None:
    firm = make.firm(SHANTOU)
    body = {"id_number": make.resident_id(), "name": "张三", "education": "master"}
    r = client.post("/v1/talents", json=body, headers=make.firm_user(firm))
    assert r.status_code == 201, r.text
    assert r.headers["cache-control"] == "no-store"
    r = client.post("/v1/eligibility/verify", json={}, headers=make.client("eligibility:verify"))
    assert r.status_code == 422 and r.headers["cache-control"] == "no-store"
