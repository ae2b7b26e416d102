"""Registering a person: random ids, each party's declarations with their dates, a firm registering
its own person again, the province registering for a firm."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from talent_service.core import clock
from talent_service.core.errors import DomainError
from talent_service.models import Declaration, Talent, TalentFirm
from talent_service.reference.enums import DeclaredFact, Source, Verification
from talent_service.talents import registration
from talent_service.talents.registration import TALENT_ID_HIGH, TALENT_ID_LOW, new_talent_id
from tests.factories import SHANTOU, SHENZHEN, Factory
from tests.talents.conftest import (
    A_PROFILE,
    B_CLAIM,
    People,
    declarations,
    register,
    registration_row,
    row_count,
    stored,
)


def test_new_people_get_random_ids_within_bounds(client: TestClient, make: Factory) -> None:
    firm = make.firm_user(make.firm(SHANTOU))
    ids = []
    for _ in range(6):
        created = register(client, firm, make.resident_id(), A_PROFILE)
        assert created.status_code == 201, created.text
        ids.append(created.json()["id"])
    assert all(TALENT_ID_LOW <= key < TALENT_ID_HIGH for key in ids)
    # Not counted: consecutive registrations are not neighbours.
    assert len(set(ids)) == 6
    assert all(abs(x - y) > 1 for x, y in zip(ids, ids[1:], strict=False))


def test_a_drawn_id_that_is_taken_is_drawn_again(
    monkeypatch: pytest.MonkeyPatch, make: Factory, session: Session
) -> None:
    taken = make.talent(make.firm(), id=TALENT_ID_LOW + 5)
    assert taken.id == TALENT_ID_LOW + 5
    draws = iter([5, 5, 6])
    monkeypatch.setattr(registration.secrets, "randbelow", lambda n: next(draws))
    assert new_talent_id(session) == TALENT_ID_LOW + 6

    monkeypatch.setattr(registration.secrets, "randbelow", lambda n: 5)
    with pytest.raises(DomainError) as refused:
        new_talent_id(session)
    assert refused.value.problem.status == 409


def test_declarations_hold_from_the_dates_given_or_from_today(
    client: TestClient, make: Factory, session: Session
) -> None:
    firm = make.firm(SHANTOU)
    created = register(
        client,
        make.firm_user(firm),
        make.resident_id(date(1990, 5, 17)),
        A_PROFILE,
        education_awarded_on="2016-06-30",
        hukou_since="1990-05-17",  # since birth
    )
    assert created.status_code == 201, created.text
    for field in ("education_awarded_on", "title_awarded_on", "hukou_since"):
        assert field not in created.json()
    stated = {
        d["fact"]: (d["value"], d["detail"], d["effective_on"], d["source"], d["source_firm_id"])
        for d in declarations(session, created.json()["id"])
    }
    assert stated == {
        DeclaredFact.education: ("master", None, date(2016, 6, 30), Source.firm, firm.id),
        DeclaredFact.professional_title: (
            "intermediate",
            "材料科学",
            clock.today(),
            Source.firm,
            firm.id,
        ),
        DeclaredFact.hukou_city: (SHANTOU, None, date(1990, 5, 17), Source.firm, firm.id),
    }


def test_a_firm_registering_its_own_person_again_with_the_same_profile_changes_nothing(
    client: TestClient, session: Session, people: People
) -> None:
    before = declarations(session, people.talent_id)
    again = register(client, people.firm_a(), people.number, A_PROFILE)
    assert again.status_code == 201, again.text
    assert again.json() == people.a_read
    assert declarations(session, people.talent_id) == before


def test_a_firm_registering_its_own_person_again_with_another_profile_is_told_to_patch(
    client: TestClient, session: Session, people: People
) -> None:
    before = declarations(session, people.talent_id)
    registered = registration_row(session, people.talent_id, people.a)
    refused = register(client, people.firm_a(), people.number, {**A_PROFILE, "education": "doctor"})
    assert refused.status_code == 409, refused.text
    body = refused.json()
    assert [e["field"] for e in body["errors"]] == ["body.id_number"]
    assert str(people.talent_id) in body["detail"] and "PATCH" in body["detail"]
    assert declarations(session, people.talent_id) == before
    assert registration_row(session, people.talent_id, people.a) == registered


def test_the_province_registers_for_a_firm_with_verified_declarations_of_its_own(
    client: TestClient, session: Session, people: People
) -> None:
    province = people.make.province()
    created = register(client, province, people.number, B_CLAIM, firm_id=people.b.id)
    assert created.status_code == 201, created.text
    # The province reads the person as it reads anyone: the consolidated profile, now its own.
    assert created.json()["id"] == people.talent_id
    assert created.json()["education"] == "doctor" and created.json()["name"] == "陈二"
    assert created.json()["version"] == stored(session, Talent, id=people.talent_id)["version"]
    # The registration is B's: B reads it as the province stated it.
    b_read = client.get(f"/v1/talents/{people.talent_id}", headers=people.firm_b()).json()
    assert {k: b_read[k] for k in B_CLAIM} == B_CLAIM and b_read["version"] == 1
    added = declarations(session, people.talent_id)[3:]
    assert len(added) == 3
    for d in added:
        assert d["source"] == Source.province and d["source_firm_id"] is None
        assert d["verification"] == Verification.verified and d["reviewed_at"] is not None
    # A's registration is untouched.
    assert client.get(f"/v1/talents/{people.talent_id}", headers=people.firm_a()).json() == (
        people.a_read
    )


def test_a_refused_registration_writes_nothing(
    client: TestClient, session: Session, people: People
) -> None:
    counts = [row_count(session, m) for m in (Talent, TalentFirm, Declaration)]
    tomorrow = (clock.today() + timedelta(days=1)).isoformat()
    for number in (people.number, people.make.resident_id()):
        r = register(client, people.firm_b(), number, B_CLAIM, title_awarded_on=tomorrow)
        assert r.status_code == 422, r.text
        assert [e["field"] for e in r.json()["errors"]] == ["body.title_awarded_on"]
    assert [row_count(session, m) for m in (Talent, TalentFirm, Declaration)] == counts


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("education_awarded_on", "tomorrow", "future"),
        ("title_awarded_on", "tomorrow", "future"),
        ("hukou_since", "tomorrow", "future"),
        ("education_awarded_on", "1989-12-31", "birth year"),
        ("hukou_since", "1901-01-01", "birth year"),
    ],
)
def test_a_date_in_the_future_or_before_birth_is_refused_naming_the_field(
    client: TestClient, make: Factory, session: Session, field: str, value: str, reason: str
) -> None:
    if value == "tomorrow":
        value = (clock.today() + timedelta(days=1)).isoformat()
    before = row_count(session, Talent)
    body: dict[str, Any] = {**A_PROFILE, field: value}
    r = register(client, make.firm_user(make.firm()), make.resident_id(date(1990, 5, 17)), body)
    assert r.status_code == 422, r.text
    assert r.json()["type"].endswith("/rule-violation")
    assert [e["field"] for e in r.json()["errors"]] == [f"body.{field}"]
    assert reason in r.json()["errors"][0]["reason"]
    assert row_count(session, Talent) == before


def test_a_date_that_is_not_a_date_is_refused_naming_the_field(
    client: TestClient, make: Factory
) -> None:
    for value in ("2020-02-30", "yesterday", "2020-1-1x", None):
        body = {**A_PROFILE, "hukou_since": value}
        r = register(client, make.firm_user(make.firm()), make.resident_id(), body)
        if value is None:  # null: as absent, today
            assert r.status_code == 201, r.text
            continue
        assert r.status_code == 422, r.text
        assert "body.hukou_since" in [e["field"] for e in r.json()["errors"]]


def test_a_person_registered_by_two_firms_is_one_person_to_the_bureau(
    client: TestClient, people: People
) -> None:
    assert register(client, people.firm_b(), people.number, B_CLAIM).status_code == 201
    seen = client.get("/v1/talents", headers=people.make.bureau(SHENZHEN)).json()["items"]
    assert [t["id"] for t in seen] == [people.talent_id]
