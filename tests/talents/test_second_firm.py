"""The issue's scenario, from the second firm's side: registering a known ID neither changes the
person for anyone else nor tells the second firm that the person was known."""

from __future__ import annotations

from datetime import date, datetime

from fastapi.testclient import TestClient
from sqlmodel import Session

from talent_service.core import clock
from talent_service.core.clock import FixedClock, use_clock
from talent_service.models import Talent
from talent_service.reference.enums import DeclaredFact, Source, Verification
from talent_service.talents.registration import TALENT_ID_HIGH, TALENT_ID_LOW
from tests.factories import SHENZHEN
from tests.talents.conftest import (
    A_PROFILE,
    B_CLAIM,
    People,
    declarations,
    register,
    registration_row,
    stored,
)


def test_second_firm_registering_a_known_id_leaves_the_first_firms_profile_as_declared(
    client: TestClient, people: People
) -> None:
    b = register(client, people.firm_b(), people.number, B_CLAIM)
    assert b.status_code == 201, b.text

    a_read = client.get(f"/v1/talents/{people.talent_id}", headers=people.firm_a())
    assert a_read.status_code == 200
    assert a_read.json() == people.a_read
    assert a_read.headers["etag"] == '"1"'
    a_list = client.get("/v1/talents", headers=people.firm_a()).json()["items"]
    assert a_list == [people.a_read]


def test_second_firms_answer_is_indistinguishable_from_registering_a_new_person(
    client: TestClient, people: People
) -> None:
    fresh = people.make.resident_id(date(1990, 5, 17))  # same birth date and sex as the person
    firm_b = people.firm_b()
    moment = clock.now().replace(microsecond=0)  # near the token's time: tokens check it
    with use_clock(FixedClock(moment)):
        known = register(client, firm_b, people.number, B_CLAIM)
        new = register(client, firm_b, fresh, B_CLAIM)
    assert known.status_code == new.status_code == 201, (known.text, new.text)
    got, control = known.json(), new.json()

    assert got.keys() == control.keys()
    # Only the id and the masked number differ, each as a new person's would.
    assert {k for k in got if got[k] != control[k]} == {"id", "id_number_masked"}
    assert got["version"] == 1
    assert datetime.fromisoformat(got["created_at"]) == moment
    assert {k: got[k] for k in B_CLAIM} == B_CLAIM
    assert got["title_field"] is None
    for recorded_by_a in ("陈二", "材料科学", "master", "intermediate", "440500"):
        assert recorded_by_a not in known.text
    for key in (got["id"], control["id"]):
        assert TALENT_ID_LOW <= key < TALENT_ID_HIGH
    # Read back, the two look alike too.
    read_known = client.get(f"/v1/talents/{got['id']}", headers=people.firm_b())
    read_new = client.get(f"/v1/talents/{control['id']}", headers=people.firm_b())
    assert read_known.json() == got and read_new.json() == control
    assert read_known.headers["etag"] == read_new.headers["etag"] == '"1"'


def test_registering_a_known_id_adds_the_second_firms_declarations_and_touches_no_others(
    client: TestClient, session: Session, people: People
) -> None:
    before = declarations(session, people.talent_id)
    identity = stored(session, Talent, id=people.talent_id)
    a_registration = registration_row(session, people.talent_id, people.a)

    assert register(client, people.firm_b(), people.number, B_CLAIM).status_code == 201

    after = declarations(session, people.talent_id)
    assert after[: len(before)] == before
    added = after[len(before) :]
    assert {(d["fact"], d["value"]) for d in added} == {
        (DeclaredFact.education, "doctor"),
        (DeclaredFact.professional_title, "senior"),
        (DeclaredFact.hukou_city, SHENZHEN),
    }
    for d in added:
        assert d["source"] == Source.firm and d["source_firm_id"] == people.b.id
        assert d["verification"] == Verification.declared
    assert registration_row(session, people.talent_id, people.a) == a_registration
    person = stored(session, Talent, id=people.talent_id)
    for field in ("id_masked", "birth_date", "sex", "nationality", "name", "created_at"):
        assert person[field] == identity[field], field
    assert person["name"] == A_PROFILE["name"]  # the name as first registered


def test_shenzhen_bureau_reads_the_consolidated_profile_by_the_selection_rule(
    client: TestClient, people: People
) -> None:
    bureau = people.bureau_shenzhen()
    url = f"/v1/talents/{people.talent_id}"
    first = client.get(url, headers=bureau).json()
    assert {k: first[k] for k in A_PROFILE} == A_PROFILE

    assert register(client, people.firm_b(), people.number, B_CLAIM).status_code == 201

    # Both firms' statements hold from today, neither verified: the later one holds.
    now = client.get(url, headers=bureau)
    assert now.json()["education"] == "doctor"
    assert now.json()["title_level"] == "senior" and now.json()["title_field"] is None
    assert now.json()["hukou_city_code"] == SHENZHEN
    assert now.json()["name"] == A_PROFILE["name"]
    assert now.json()["version"] == first["version"] + 1 == int(now.headers["etag"].strip('"'))


def test_an_older_award_does_not_supersede_a_more_recent_one(
    client: TestClient, people: People
) -> None:
    # A dated its master's 2020; B claims a doctorate it dates 2018: the most recent award holds.
    number = people.make.resident_id(date(1985, 1, 9))
    master = {**A_PROFILE, "education_awarded_on": "2020-07-01"}
    a = register(client, people.firm_a(), number, master)
    assert a.status_code == 201, a.text
    b = register(client, people.firm_b(), number, B_CLAIM, education_awarded_on="2018-07-01")
    assert b.status_code == 201, b.text
    assert b.json()["education"] == "doctor"  # B reads what B declared
    province = client.get(f"/v1/talents/{a.json()['id']}", headers=people.make.province())
    assert province.json()["education"] == "master"
    assert province.json()["hukou_city_code"] == SHENZHEN  # B's hukou: since today


def test_second_firms_patch_changes_only_its_own_registration(
    client: TestClient, session: Session, people: People
) -> None:
    assert register(client, people.firm_b(), people.number, B_CLAIM).status_code == 201
    url = f"/v1/talents/{people.talent_id}"
    a_registration = registration_row(session, people.talent_id, people.a)
    a_declarations = [
        d for d in declarations(session, people.talent_id) if d["source_firm_id"] == people.a.id
    ]

    changed = client.patch(
        url,
        json={"name": "陈 Er", "education": "bachelor", "hukou_city_code": None},
        headers=people.firm_b() | {"If-Match": '"1"'},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["version"] == 2
    assert changed.json()["name"] == "陈 Er" and changed.json()["education"] == "bachelor"

    assert client.get(url, headers=people.firm_a()).json() == people.a_read
    assert registration_row(session, people.talent_id, people.a) == a_registration
    assert [
        d for d in declarations(session, people.talent_id) if d["source_firm_id"] == people.a.id
    ] == a_declarations
    b_read = client.get(url, headers=people.firm_b()).json()
    assert b_read == changed.json()
    assert stored(session, Talent, id=people.talent_id)["name"] == A_PROFILE["name"]
    # B declared what it changed (education, hukou), not what it left (title).
    b_facts = [
        (d["fact"], d["value"])
        for d in declarations(session, people.talent_id)
        if d["source_firm_id"] == people.b.id
    ]
    assert b_facts[3:] == [(DeclaredFact.education, "bachelor"), (DeclaredFact.hukou_city, None)]
