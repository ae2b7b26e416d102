"""Two firms and one person: firm A (Shantou) registered them through the API and employs them at
its Shenzhen center (so the Shenzhen bureau sees them); firm B (Meizhou) has nothing to do with
them yet. The tests take B's side: what B can learn, and what B can change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlmodel import Session

from talent_service.models import Declaration, Firm, Talent, TalentFirm
from tests.factories import MEIZHOU, SHANTOU, SHENZHEN, Factory

# What firm A declared about the person, and what firm B claims in the scenario.
A_PROFILE = {
    "name": "陈二",
    "education": "master",
    "title_level": "intermediate",
    "title_field": "材料科学",
    "hukou_city_code": SHANTOU,
}
B_CLAIM = {
    "name": "Chen Er",
    "education": "doctor",
    "title_level": "senior",
    "hukou_city_code": SHENZHEN,
}


@dataclass
class People:
    make: Factory
    a: Firm
    b: Firm
    number: str  # the person's resident ID
    talent_id: int
    a_read: dict[str, Any]  # A's GET of the person right after registering them

    def firm_a(self) -> dict[str, str]:
        return self.make.firm_user(self.a)

    def firm_b(self) -> dict[str, str]:
        return self.make.firm_user(self.b)

    def bureau_shenzhen(self) -> dict[str, str]:
        return self.make.bureau(SHENZHEN)


def register(
    client: TestClient, headers: dict[str, str], number: str, profile: dict[str, Any], **extra: Any
) -> Any:
    return client.post(
        "/v1/talents", json={"id_number": number, **profile, **extra}, headers=headers
    )


@pytest.fixture
def people(client: TestClient, make: Factory, session: Session) -> People:
    a, b = make.firm(SHANTOU, name="汕头甲公司"), make.firm(MEIZHOU, name="梅州乙公司")
    number = make.resident_id(date(1990, 5, 17))
    created = register(client, make.firm_user(a), number, A_PROFILE)
    assert created.status_code == 201, created.text
    talent_id = created.json()["id"]
    talent = session.get(Talent, talent_id)
    assert talent is not None
    make.employment(talent, a, make.center(a, SHENZHEN))
    a_read = client.get(f"/v1/talents/{talent_id}", headers=make.firm_user(a))
    assert a_read.status_code == 200, a_read.text
    return People(make, a, b, number, talent_id, a_read.json())


def declarations(session: Session, talent_id: int) -> list[dict[str, Any]]:
    """The person's declarations as stored, oldest first (not through any identity map)."""
    table = Declaration.__table__  # type: ignore[attr-defined]
    query = select(table).where(table.c.talent_id == talent_id).order_by(table.c.id)
    return [dict(row) for row in session.connection().execute(query).mappings()]


def stored(session: Session, model: Any, **key: Any) -> dict[str, Any]:
    table = model.__table__
    query = select(table).where(*(table.c[name] == value for name, value in key.items()))
    return dict(session.connection().execute(query).mappings().one())


def registration_row(session: Session, talent_id: int, firm: Firm) -> dict[str, Any]:
    return stored(session, TalentFirm, talent_id=talent_id, firm_id=firm.id)


def row_count(session: Session, model: Any) -> int:
    return (
        session.connection().execute(select(func.count()).select_from(model.__table__)).scalar_one()
    )
