"""A small scene for the declarations tests, and helpers to call the API and read the tables.

Firm A is based in Shantou with a center hosted in Shenzhen, where ``person`` works; firm B,
based in Meizhou, has registered the same person too. ``home_only`` is registered by A only and
works at A's home site: the Shantou bureau sees them, the Shenzhen bureau does not. The Dongguan
bureau sees nobody here. Registrations carry each firm's own declarations (factories).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlmodel import Session, SQLModel

from talent_service.models import Center, Declaration, Firm, Talent, TalentFirm
from tests.factories import DONGGUAN, MEIZHOU, SHANTOU, SHENZHEN, Factory

PROBLEM_JSON = "application/problem+json"
MISSING = 2_147_483_000  # a valid id no test creates


@dataclass
class Scene:
    make: Factory
    client: TestClient
    session: Session
    a: Firm
    b: Firm
    center: Center
    person: Talent
    home_only: Talent

    def headers(self, caller: str) -> dict[str, str]:
        make = self.make
        return {
            "province": make.province,
            "firm_a": lambda: make.firm_user(self.a),
            "firm_b": lambda: make.firm_user(self.b),
            "bureau_shenzhen": lambda: make.bureau(SHENZHEN),
            "bureau_shantou": lambda: make.bureau(SHANTOU),
            "bureau_meizhou": lambda: make.bureau(MEIZHOU),
            "bureau_dongguan": lambda: make.bureau(DONGGUAN),
            "client_shenzhen": lambda: make.client("registry:read", city=SHENZHEN),
            "client_dongguan": lambda: make.client("registry:read", city=DONGGUAN),
        }[caller]()

    # --- calls ---------------------------------------------------------------------------
    def declare(
        self, caller: str, talent: Talent | int | None = None, **body: Any
    ) -> httpx.Response:
        key = talent if isinstance(talent, int) else (talent or self.person).id
        payload = {"fact": "education", "value": "doctor", "effective_on": "2024-07-01"} | body
        return self.client.post(
            f"/v1/talents/{key}/declarations", json=payload, headers=self.headers(caller)
        )

    def declared(self, caller: str, talent: Talent | None = None, **body: Any) -> dict[str, Any]:
        response = self.declare(caller, talent, **body)
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

    def verify(
        self, caller: str, key: int, evidence: str = "学位证书编号 1001", **headers: str
    ) -> httpx.Response:
        return self.client.post(
            f"/v1/declarations/{key}/verify",
            json={"evidence": evidence},
            headers=self.headers(caller) | headers,
        )

    def reject(
        self, caller: str, key: int, reason: str = "证书不符", **headers: str
    ) -> httpx.Response:
        return self.client.post(
            f"/v1/declarations/{key}/reject",
            json={"reason": reason},
            headers=self.headers(caller) | headers,
        )

    def queue(self, caller: str, query: str = "") -> list[dict[str, Any]]:
        response = self.client.get(f"/v1/declarations{query}", headers=self.headers(caller))
        assert response.status_code == 200, response.text
        items: list[dict[str, Any]] = response.json()["items"]
        return items

    def listed(self, caller: str, talent: Talent | None = None, query: str = "") -> list[Any]:
        key = (talent or self.person).id
        response = self.client.get(
            f"/v1/talents/{key}/declarations{query}", headers=self.headers(caller)
        )
        assert response.status_code == 200, response.text
        items: list[Any] = response.json()["items"]
        return items

    def history(self, caller: str, talent: Talent | None = None) -> dict[str, Any]:
        key = (talent or self.person).id
        response = self.client.get(f"/v1/talents/{key}/history", headers=self.headers(caller))
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    def profile(self, talent: Talent | None = None) -> dict[str, Any]:
        """The person as the province reads them (the consolidated profile)."""
        key = (talent or self.person).id
        response = self.client.get(f"/v1/talents/{key}", headers=self.headers("province"))
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    # --- the tables, as stored (not as a session remembers them) ------------------------
    def rows(self, model: type[SQLModel] = Declaration) -> list[dict[str, Any]]:
        table = model.__table__  # type: ignore[attr-defined]
        query = select(table).order_by(*table.primary_key.columns)
        return [dict(r) for r in self.session.connection().execute(query).mappings()]

    def rows_of_registrations(self) -> list[dict[str, Any]]:
        return [r for r in self.rows(TalentFirm) if r["talent_id"] == self.person.id]

    def row(self, key: int) -> dict[str, Any]:
        return next(r for r in self.rows() if r["id"] == key)

    def count(self) -> int:
        table = Declaration.__table__  # type: ignore[attr-defined]
        query = select(func.count()).select_from(table)
        return int(self.session.connection().execute(query).scalar_one())

    def stored(self) -> dict[str, list[dict[str, Any]]]:
        """Everything a declaration request may change: to prove a refusal changed nothing."""
        return {m.__name__: self.rows(m) for m in (Declaration, Talent, TalentFirm)}

    def review_all(self) -> None:
        """Verify what the registrations declared, so that a queue starts empty."""
        for key in [r["id"] for r in self.rows() if r["verification"] == "declared"]:
            assert self.verify("province", key).status_code == 200


def assert_problem(
    response: httpx.Response, status: int, *, field: str | None = None, slug: str | None = None
) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM_JSON), response.headers
    body: dict[str, Any] = response.json()
    if field is not None:
        assert field in [e["field"] for e in body.get("errors", [])], body
    if slug is not None:
        assert body["type"].endswith("/" + slug), body
    return body


def assert_like_missing(refused: httpx.Response, missing: httpx.Response, key: int) -> None:
    """A refused object's answer is the answer for an id that does not exist (but for the id)."""
    assert refused.status_code == missing.status_code == 404, (refused.text, missing.text)
    got, expected = refused.json(), missing.json()
    got.pop("instance", None), expected.pop("instance", None)
    assert got == {
        k: v.replace(str(MISSING), str(key)) if isinstance(v, str) else v
        for k, v in expected.items()
    }


@pytest.fixture
def scene(client: TestClient, make: Factory, session: Session) -> Scene:
    a, b = make.firm(SHANTOU, name="汕头甲公司"), make.firm(MEIZHOU, name="梅州乙公司")
    center = make.center(a, SHENZHEN)
    person = make.talent(a, name="陈一")
    make.employment(person, a, center)
    make.registration(b, person)
    home_only = make.talent(a, name="陈二")
    make.employment(home_only, a, None, hired_on=date(2023, 1, 1))
    return Scene(make, client, session, a, b, center, person, home_only)
