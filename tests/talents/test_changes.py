"""PATCH /v1/talents/{id}: a firm changes its own registration (If-Match: the registration's
version); the province states facts about the person (If-Match: the person's version)."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session

from talent_service.core import clock
from talent_service.models import Talent
from talent_service.reference.enums import DeclaredFact, Source, Verification
from tests.access.world import MISSING, assert_like_missing
from tests.factories import GUANGZHOU, SHENZHEN
from tests.talents.conftest import (
    A_PROFILE,
    B_CLAIM,
    People,
    declarations,
    register,
    registration_row,
    stored,
)


def _url(people: People) -> str:
    return f"/v1/talents/{people.talent_id}"


def test_a_firms_if_match_is_its_registrations_version_not_the_persons(
    client: TestClient, session: Session, people: People
) -> None:
    assert register(client, people.firm_b(), people.number, B_CLAIM).status_code == 201
    person_version = stored(session, Talent, id=people.talent_id)["version"]
    assert person_version == 2  # B's declarations moved the consolidated profile
    before = registration_row(session, people.talent_id, people.a)

    stale = client.patch(
        _url(people),
        json={"title_field": "材料"},
        headers=people.firm_a() | {"If-Match": f'"{person_version}"'},
    )
    assert stale.status_code == 412, stale.text
    assert registration_row(session, people.talent_id, people.a) == before

    ok = client.patch(
        _url(people), json={"title_field": "材料"}, headers=people.firm_a() | {"If-Match": '"1"'}
    )
    assert ok.status_code == 200, ok.text
    assert ok.json()["version"] == 2 and ok.json()["title_field"] == "材料"
    assert ok.json()["created_at"] == people.a_read["created_at"]


def test_a_firm_declares_what_it_changes_or_dates_and_nothing_it_sends_unchanged(
    client: TestClient, session: Session, people: People
) -> None:
    before = len(declarations(session, people.talent_id))
    same = client.patch(_url(people), json=A_PROFILE, headers=people.firm_a())
    assert same.status_code == 200 and same.json() == people.a_read
    assert len(declarations(session, people.talent_id)) == before

    dated = client.patch(
        _url(people),
        json={"education_awarded_on": "2015-07-01", "title_level": "senior"},
        headers=people.firm_a(),
    )
    assert dated.status_code == 200, dated.text
    added = declarations(session, people.talent_id)[before:]
    assert [(d["fact"], d["value"], d["detail"], d["effective_on"]) for d in added] == [
        (DeclaredFact.education, "master", None, date(2015, 7, 1)),
        (DeclaredFact.professional_title, "senior", "材料科学", clock.today()),
    ]
    assert all(d["source_firm_id"] == people.a.id for d in added)


def test_a_firms_name_change_changes_only_its_registrations_name(
    client: TestClient, session: Session, people: People
) -> None:
    assert register(client, people.firm_b(), people.number, B_CLAIM).status_code == 201
    renamed = client.patch(_url(people), json={"name": "Chen Erh"}, headers=people.firm_b())
    assert renamed.status_code == 200 and renamed.json()["name"] == "Chen Erh"
    assert stored(session, Talent, id=people.talent_id)["name"] == A_PROFILE["name"]
    assert client.get(_url(people), headers=people.firm_a()).json()["name"] == A_PROFILE["name"]
    bureau = client.get(_url(people), headers=people.bureau_shenzhen()).json()
    assert bureau["name"] == A_PROFILE["name"]


def test_the_provinces_patch_declares_verified_facts_and_refreshes_the_person(
    client: TestClient, session: Session, people: People
) -> None:
    assert register(client, people.firm_b(), people.number, B_CLAIM).status_code == 201
    version = stored(session, Talent, id=people.talent_id)["version"]
    b_registration = registration_row(session, people.talent_id, people.b)
    before = len(declarations(session, people.talent_id))

    stale = client.patch(
        _url(people),
        json={"education": "master"},
        headers=people.make.province() | {"If-Match": f'"{version - 1}"'},
    )
    assert stale.status_code == 412, stale.text
    # The province states the master's A declared (the consolidated profile shows B's doctorate).
    stated = client.patch(
        _url(people),
        json={"education": "master", "hukou_city_code": GUANGZHOU, "name": "陈 二"},
        headers=people.make.province() | {"If-Match": f'"{version}"'},
    )
    assert stated.status_code == 200, stated.text
    body = stated.json()
    assert body["education"] == "master" and body["hukou_city_code"] == GUANGZHOU
    assert body["name"] == "陈 二" and body["version"] == version + 1
    added = declarations(session, people.talent_id)[before:]
    assert [(d["fact"], d["value"]) for d in added] == [
        (DeclaredFact.education, "master"),
        (DeclaredFact.hukou_city, GUANGZHOU),
    ]
    for d in added:
        assert d["source"] == Source.province
        assert d["verification"] == Verification.verified
    # The firms' registrations (and so what each firm reads) are theirs still.
    assert registration_row(session, people.talent_id, people.b) == b_registration
    assert client.get(_url(people), headers=people.firm_a()).json() == people.a_read
    assert client.get(_url(people), headers=people.bureau_shenzhen()).json() == body


def test_a_firm_that_did_not_register_the_person_cannot_read_change_or_disclose_them(
    client: TestClient, session: Session, people: People
) -> None:
    person = stored(session, Talent, id=people.talent_id)
    registered = registration_row(session, people.talent_id, people.a)
    count = len(declarations(session, people.talent_id))
    firm_b = people.firm_b()
    for method, suffix, body in (
        ("GET", "", None),
        ("PATCH", "", {"education": "doctor"}),
        ("GET", "/identity", None),
    ):
        for headers in (firm_b, firm_b | {"If-Match": '"1"'}):
            refused = client.request(
                method, f"/v1/talents/{people.talent_id}{suffix}", json=body, headers=headers
            )
            missing = client.request(
                method, f"/v1/talents/{MISSING}{suffix}", json=body, headers=headers
            )
            assert refused.status_code == (403 if suffix else 404), refused.text
            assert_like_missing(refused, missing, people.talent_id)
            assert "陈二" not in refused.text
    listed = client.get("/v1/talents", headers=firm_b).json()["items"]
    assert people.talent_id not in {t["id"] for t in listed}
    assert stored(session, Talent, id=people.talent_id) == person
    assert registration_row(session, people.talent_id, people.a) == registered
    assert len(declarations(session, people.talent_id)) == count


def test_a_bureau_cannot_patch_a_person(
    client: TestClient, session: Session, people: People
) -> None:
    person = stored(session, Talent, id=people.talent_id)
    r = client.patch(_url(people), json={"education": "doctor"}, headers=people.bureau_shenzhen())
    assert r.status_code == 403, r.text
    assert stored(session, Talent, id=people.talent_id) == person


def test_a_patch_with_a_future_or_null_date_is_refused_and_changes_nothing(
    client: TestClient, session: Session, people: People
) -> None:
    registered = registration_row(session, people.talent_id, people.a)
    count = len(declarations(session, people.talent_id))
    tomorrow = (clock.today() + timedelta(days=1)).isoformat()
    for body, field, slug in (
        ({"education": "doctor", "education_awarded_on": tomorrow}, "education_awarded_on", "rule"),
        ({"hukou_since": tomorrow}, "hukou_since", "rule"),
        ({"title_awarded_on": "1989-12-31"}, "title_awarded_on", "rule"),  # before birth year
        ({"hukou_since": None}, "hukou_since", "validation"),
    ):
        for headers in (people.firm_a(), people.make.province()):
            r = client.patch(_url(people), json=body, headers=headers)
            assert r.status_code == 422, r.text
            assert r.json()["type"].split("/")[-1].startswith(slug)
            assert f"body.{field}" in [e["field"] for e in r.json()["errors"]], r.text
    assert registration_row(session, people.talent_id, people.a) == registered
    assert len(declarations(session, people.talent_id)) == count


def test_a_firms_list_filters_on_what_it_declared(client: TestClient, people: People) -> None:
    # Filtering on the consolidated profile would tell A what B declared about A's person.
    assert register(client, people.firm_b(), people.number, B_CLAIM).status_code == 201
    firm_a = people.firm_a()

    def listed(education: str) -> set[int]:
        page = client.get(f"/v1/talents?education={education}", headers=firm_a).json()
        return {t["id"] for t in page["items"]}

    assert listed("master") == {people.talent_id}
    assert listed("doctor") == set()
    bureau = people.bureau_shenzhen()
    page = client.get("/v1/talents?education=doctor", headers=bureau).json()
    assert {t["id"] for t in page["items"]} == {people.talent_id}
    assert page["items"][0]["hukou_city_code"] == SHENZHEN
