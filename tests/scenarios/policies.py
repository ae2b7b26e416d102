"""A city's policy republished through the policy API so that it reads verified facts only."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient

from tests.factories import Factory

FROM = date(2026, 1, 1)  # before every as-of date the scenarios ask about


def accept_verified_only(
    client: TestClient,
    make: Factory,
    city: str,
    benefit: str,
    facts: tuple[str, ...] = ("education", "title", "hukou_city"),
) -> dict[str, object]:
    """Version 2 of the city's default ``benefit`` policy: version 1's rule, from ``FROM``, with
    ``facts`` resting on verified declarations only; published superseding version 1."""
    province = make.province()
    r = client.get("/v1/policies", params={"city_code": city, "benefit": benefit}, headers=province)
    assert r.status_code == 200, r.text
    (policy,) = r.json()["items"]
    url = f"/v1/policies/{policy['id']}/versions"
    r = client.get(f"{url}/1", headers=province)
    assert r.status_code == 200, r.text
    current = r.json()
    body = {
        "rule": current["rule"],
        "parameter_types": current["parameter_types"],
        "fact_sources": dict.fromkeys(facts, "verified"),
        "effective_from": FROM.isoformat(),
        "document_ref": current["document_ref"],
        "description_zh": current["description_zh"] + "（仅采信已核验事实）",
        "description_en": current["description_en"] + " (verified facts only)",
    }
    r = client.post(url, json=body, headers=province)
    assert r.status_code == 201, r.text
    assert r.json()["fact_sources"] == body["fact_sources"]
    r = client.post(f"{url}/2/publish", json={"supersede": True}, headers=province)
    assert r.status_code == 200, r.text
    published: dict[str, object] = r.json()
    return published
