"""A talent's household members through HTTP: who may record and read them, bad input, and
history as new records (never an edit)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func
from sqlmodel import Session, select

from talent_service.auth.principal import SCOPE_EDUCATION_SUPPLY, SCOPE_REGISTRY_READ
from talent_service.models import Firm, HouseholdMember, Talent
from tests.factories import GUANGZHOU, SHANTOU, SHENZHEN, Factory

CHILD: dict[str, Any] = {
    "relation": "child",
    "birth_date": "2019-03-01",
    "school_stage": "primary",
    "district_code": "440305",
    "effective_on": "2025-09-01",
}


def path(talent: Talent) -> str:
    return f"/v1/talents/{talent.id}/household"


def rows(session: Session) -> int:
    return session.exec(select(func.count()).select_from(HouseholdMember)).one()


@pytest.fixture
def firm(make: Factory) -> Firm:
    return make.firm(SHANTOU)


@pytest.fixture
def talent(make: Factory, firm: Firm) -> Talent:
    return make.talent(firm)


def test_firm_records_a_child_and_reads_it_back_without_a_name(
    client: TestClient, make: Factory, firm: Firm, talent: Talent
) -> None:
    r = client.post(path(talent), json=CHILD, headers=make.firm_user(firm))
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["source"] == "firm" and body["recorded_by"] == "user:900003"
    assert body["school_stage"] == "primary" and body["district_code"] == "440305"
    assert "name" not in body
    listed = client.get(path(talent), headers=make.firm_user(firm))
    assert listed.status_code == 200 and [m["id"] for m in listed.json()] == [body["id"]]
    # The firm's home bureau sees the talent, and so the record.
    bureau = client.get(path(talent), headers=make.bureau(SHANTOU))
    assert [m["id"] for m in bureau.json()] == [body["id"]]


def test_other_firm_cannot_record_or_read_a_foreign_talents_household(
    client: TestClient, session: Session, make: Factory, firm: Firm, talent: Talent
) -> None:
    client.post(path(talent), json=CHILD, headers=make.firm_user(firm))
    before = rows(session)
    other = make.firm(SHANTOU)
    assert client.post(path(talent), json=CHILD, headers=make.firm_user(other)).status_code == 404
    assert client.get(path(talent), headers=make.firm_user(other)).status_code == 404
    assert rows(session) == before


def test_bureau_of_another_city_is_refused(
    client: TestClient, session: Session, make: Factory, firm: Firm, talent: Talent
) -> None:
    before = rows(session)
    guangzhou = make.bureau(GUANGZHOU)
    assert client.post(path(talent), json=CHILD, headers=guangzhou).status_code == 404
    assert client.get(path(talent), headers=guangzhou).status_code == 404
    assert rows(session) == before


def test_machine_client_reads_but_cannot_record(
    client: TestClient, session: Session, make: Factory, firm: Firm, talent: Talent
) -> None:
    client.post(path(talent), json=CHILD, headers=make.firm_user(firm))
    school = make.client(SCOPE_REGISTRY_READ, SCOPE_EDUCATION_SUPPLY, city=SHANTOU)
    before = rows(session)
    assert client.post(path(talent), json=CHILD, headers=school).status_code == 403
    assert rows(session) == before
    assert len(client.get(path(talent), headers=school).json()) == 1
    far = make.client(SCOPE_REGISTRY_READ, city=SHENZHEN)  # the talent has no tie to Shenzhen
    assert client.get(path(talent), headers=far).status_code == 404


def test_a_firm_does_not_see_a_bureaus_record(
    client: TestClient, make: Factory, firm: Firm, talent: Talent
) -> None:
    r = client.post(path(talent), json=CHILD, headers=make.bureau(SHANTOU))
    assert r.status_code == 201 and r.json()["source"] == "bureau"
    assert client.get(path(talent), headers=make.firm_user(firm)).json() == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"birth_date": "2099-01-01"}, "body.birth_date"),  # in the future
        ({"effective_on": "2099-01-01"}, "body.effective_on"),
        ({"effective_on": "2018-01-01"}, "body.effective_on"),  # before the birth date
        ({"birth_date": "1980-01-01", "effective_on": "2020-01-01"}, "body.birth_date"),
        ({"district_code": "4403"}, "body.district_code"),  # not six digits
        ({"district_code": "44030x"}, "body.district_code"),
        ({"district_code": "110105"}, "body.district_code"),  # Beijing: not a Guangdong city
        ({"school_stage": "university"}, "body.school_stage"),
        ({"relation": "spouse"}, "body.relation"),
        ({"name": "张小明"}, "body.name"),  # no name is stored, none accepted
        ({"replaces_id": 999999}, "body.replaces_id"),
    ],
)
def test_bad_input_is_refused_naming_the_field(
    client: TestClient,
    session: Session,
    make: Factory,
    firm: Firm,
    talent: Talent,
    change: dict[str, Any],
    field: str,
) -> None:
    before = rows(session)
    r = client.post(path(talent), json=CHILD | change, headers=make.firm_user(firm))
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert field in {e["field"] for e in r.json()["errors"]}
    assert rows(session) == before


def test_a_change_is_a_new_record_and_the_line_never_forks(
    client: TestClient, session: Session, make: Factory, firm: Firm, talent: Talent
) -> None:
    headers = make.firm_user(firm)
    first = client.post(path(talent), json=CHILD | {"school_stage": None}, headers=headers).json()
    later = CHILD | {"school_stage": "primary", "effective_on": "2026-01-10"}
    second = client.post(path(talent), json=later | {"replaces_id": first["id"]}, headers=headers)
    assert second.status_code == 201, second.text
    assert second.json()["replaces_id"] == first["id"]
    listed = client.get(path(talent), headers=headers).json()
    assert [(m["id"], m["school_stage"]) for m in listed] == [
        (first["id"], None),
        (second.json()["id"], "primary"),
    ]
    before = rows(session)
    fork = client.post(path(talent), json=later | {"replaces_id": first["id"]}, headers=headers)
    assert fork.status_code == 409, fork.text
    earlier = CHILD | {"effective_on": "2025-01-01", "replaces_id": second.json()["id"]}
    assert client.post(path(talent), json=earlier, headers=headers).status_code == 422
    assert rows(session) == before


def test_a_firm_cannot_replace_a_bureaus_record(
    client: TestClient, session: Session, make: Factory, firm: Firm, talent: Talent
) -> None:
    theirs = client.post(path(talent), json=CHILD, headers=make.bureau(SHANTOU)).json()
    before = rows(session)
    body = CHILD | {"effective_on": "2026-01-10", "replaces_id": theirs["id"]}
    r = client.post(path(talent), json=body, headers=make.firm_user(firm))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "body.replaces_id"
    assert rows(session) == before


def test_a_childs_birth_date_is_shown_whole_only_to_whoever_recorded_it(
    client: TestClient, make: Factory, firm: Firm, talent: Talent
) -> None:
    since_birth = CHILD | {"birth_date": "2019-03-01", "effective_on": "2019-03-01"}
    r = client.post(path(talent), json=since_birth, headers=make.firm_user(firm))
    assert r.status_code == 201, r.text
    mine = r.json()
    assert mine["birth_date"] == "2019-03-01" and mine["birth_year"] == 2019
    assert mine["effective_on"] == "2019-03-01"
    (listed,) = client.get(path(talent), headers=make.firm_user(firm)).json()
    assert listed == mine

    # The firm's home bureau, and a machine client of its city, read the year; a record that
    # holds "since birth" would give the day away, so its date reads 1 January.
    school = make.client(SCOPE_REGISTRY_READ, SCOPE_EDUCATION_SUPPLY, city=SHANTOU)
    for reader in (make.bureau(SHANTOU), school):
        (seen,) = client.get(path(talent), headers=reader).json()
        assert seen["id"] == mine["id"] and seen["birth_year"] == 2019
        assert seen["birth_date"] is None and seen["effective_on"] == "2019-01-01"
        assert "03-01" not in str(seen)
        assert seen["school_stage"] == "primary" and seen["district_code"] == "440305"

    # A record the bureau makes itself, it reads whole.
    r = client.post(
        path(talent), json=CHILD | {"birth_date": "2020-06-30"}, headers=make.bureau(SHANTOU)
    )
    assert r.status_code == 201, r.text
    assert r.json()["birth_date"] == "2020-06-30"
    seen_by_firm = client.get(path(talent), headers=make.firm_user(firm)).json()
    assert [m["id"] for m in seen_by_firm] == [mine["id"]]  # the bureau's record is not the firm's
