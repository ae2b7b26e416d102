"""A firm sees its own firm's records only: another firm's are answered as if they did not exist."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from talent_service.auth.principal import SCOPE_REGISTRY_READ, Principal
from talent_service.core.security import decrypt_field
from talent_service.models import Talent, TalentFirm
from talent_service.reference.enums import Role
from tests.access.world import (
    ENCLAVE_ROUTES,
    ID_ROUTES,
    MISSING,
    ROLE_REFUSED,
    IdRoute,
    World,
    assert_like_missing,
    assert_problem,
    call,
    check_lists,
    list_ids,
    list_queries,
    row_counts,
    set_center_status,
    snapshot,
)
from tests.factories import SHENZHEN, bearer


def _b_object(world: World, kind: str) -> int:
    return {
        "firm": world.b,
        "center": world.center_b,
        "talent": world.talent_b,
        "employment": world.spell_b,
    }[kind].id


@pytest.mark.parametrize("route", ID_ROUTES, ids=str)
def test_firm_cannot_reach_other_firms_object(
    client: TestClient, session: Session, world: World, route: IdRoute
) -> None:
    set_center_status(session, world.center_b, route.center_status)
    target = _b_object(world, route.kind)
    before = snapshot(session, route.kind, target)
    firm_a = world.headers("firm_a")

    refused = call(client, route, target, firm_a)
    missing = call(client, route, MISSING, firm_a)

    expected = 403 if str(route) in ROLE_REFUSED["firm"] else 404
    assert_problem(refused, expected)
    assert_like_missing(refused, missing, target)
    assert snapshot(session, route.kind, target) == before
    assert world.b.name not in refused.text and world.talent_b.name not in refused.text


@pytest.mark.parametrize(
    "route", [r for r in ID_ROUTES if str(r) not in ROLE_REFUSED["firm"]], ids=str
)
def test_firm_can_reach_its_own_object(
    client: TestClient, session: Session, world: World, route: IdRoute
) -> None:
    # The control for the refusals above: the same request by the owner succeeds.
    set_center_status(session, world.center_b, route.center_status)
    target = _b_object(world, route.kind)
    response = call(client, route, target, world.headers("firm_b"))
    assert response.status_code == 200, response.text
    body = response.json()  # a record, or a record's history (``<kind>_id``)
    assert body.get("id", body.get(f"{route.kind}_id")) == target


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/v1/firms/{id}", "firm"),
        ("/v1/centers/{id}", "center"),
        ("/v1/talents/{id}", "talent"),
        ("/v1/employments/{id}", "employment"),
    ],
)
def test_firm_gets_404_not_412_for_other_firms_object_with_a_stale_if_match(
    client: TestClient, session: Session, world: World, path: str, kind: str
) -> None:
    # A 412 would confirm the row exists (and hint at its version).
    target = _b_object(world, kind)
    before = snapshot(session, kind, target)
    body = {"firm": {"name": "X"}, "center": {"name": "X"}, "talent": {"name": "X"}}.get(
        kind, {"position": "X"}
    )
    headers = world.headers("firm_a") | {"If-Match": '"99"'}
    refused = client.patch(path.format(id=target), json=body, headers=headers)
    missing = client.patch(path.format(id=MISSING), json=body, headers=headers)
    assert_problem(refused, 404)
    assert_like_missing(refused, missing, target)
    assert snapshot(session, kind, target) == before


@pytest.mark.parametrize("caller", ["firm_a", "firm_b"])
def test_firm_lists_hold_only_its_own_records_whatever_the_filter(
    client: TestClient, world: World, caller: str
) -> None:
    check_lists(client, world, caller)


def test_list_filters_used_above_do_match_rows_for_the_province(
    client: TestClient, world: World
) -> None:
    # Control: each filtered query finds the rows it targets when the caller may see them.
    province = world.headers("province")
    for kind, url, whose in list_queries(world):
        rows = world.of_a(kind) if whose == "a" else world.of_b(kind)
        assert list_ids(client, url, province) & rows, url


def test_firm_reads_every_enclave_space_but_cannot_change_one(
    client: TestClient, session: Session, world: World
) -> None:
    firm_a = world.headers("firm_a")
    spaces = {world.enclave_sz.id, world.enclave_gz.id}
    assert list_ids(client, "/v1/enclaves", firm_a) == spaces
    assert client.get(f"/v1/enclaves/{world.enclave_gz.id}", headers=firm_a).status_code == 200
    patch = ENCLAVE_ROUTES[1]
    for space in spaces:
        before = snapshot(session, "enclave", space)
        assert_problem(call(client, patch, space, firm_a), 403)
        assert snapshot(session, "enclave", space) == before


# --- writes on another firm's behalf -------------------------------------------------------


def _center_body(**extra: object) -> dict[str, object]:
    return {
        "kind": "rnd",
        "host_city_code": SHENZHEN,
        "name": "Another center",
        "address": "2 Road",
        "floor_area_m2": 100,
        "opened_on": "2022-01-01",
    } | extra


def _talent_body(world: World, **extra: object) -> dict[str, object]:
    return {"id_number": world.make.resident_id(), "name": "王五", "education": "master"} | extra


def _hire_body(talent_id: int, **extra: object) -> dict[str, object]:
    return {
        "talent_id": talent_id,
        "position": "Engineer",
        "hired_on": "2024-01-01",
        "si_city_code": SHENZHEN,
    } | extra


def _assert_refused_naming(response_json: dict[str, object], field: str) -> None:
    errors = response_json["errors"]
    assert isinstance(errors, list)
    assert [e["field"] for e in errors] == [field], errors


@pytest.mark.parametrize("resource", ["centers", "talents", "employments"])
def test_firm_cannot_create_records_for_another_firm(
    client: TestClient, session: Session, world: World, resource: str
) -> None:
    body = {
        "centers": _center_body(firm_id=world.b.id),
        "talents": _talent_body(world, firm_id=world.b.id),
        "employments": _hire_body(world.talent_b.id, firm_id=world.b.id),
    }[resource]
    before = row_counts(session)
    response = client.post(f"/v1/{resource}", json=body, headers=world.headers("firm_a"))
    _assert_refused_naming(assert_problem(response, 422), "body.firm_id")
    assert row_counts(session) == before
    # Control: naming no firm (or its own) registers for the caller itself.
    body["firm_id"] = world.a.id
    if resource == "employments":
        body["talent_id"] = world.make.talent(world.a).id
    created = client.post(f"/v1/{resource}", json=body, headers=world.headers("firm_a"))
    assert created.status_code == 201, created.text


def test_firm_cannot_hire_talent_registered_only_by_another_firm(
    client: TestClient, session: Session, world: World
) -> None:
    firm_a = world.headers("firm_a")
    before = row_counts(session)
    refused = client.post("/v1/employments", json=_hire_body(world.talent_b.id), headers=firm_a)
    missing = client.post("/v1/employments", json=_hire_body(MISSING), headers=firm_a)
    _assert_refused_naming(assert_problem(refused, 422), "body.talent_id")
    assert_like_missing(refused, missing, world.talent_b.id)
    talent_b = world.talent_b
    for secret in (talent_b.name, talent_b.id_masked, world.b.name, world.b.uscc):
        assert secret not in refused.text
    assert row_counts(session) == before


def test_firm_cannot_place_a_hire_at_another_firms_center(
    client: TestClient, session: Session, world: World
) -> None:
    firm_a = world.headers("firm_a")
    talent = world.talent_a_home.id
    before = row_counts(session)
    refused = client.post(
        "/v1/employments", json=_hire_body(talent, center_id=world.center_b.id), headers=firm_a
    )
    missing = client.post(
        "/v1/employments", json=_hire_body(talent, center_id=MISSING), headers=firm_a
    )
    _assert_refused_naming(assert_problem(refused, 422), "body.center_id")
    assert_like_missing(refused, missing, world.center_b.id)
    assert row_counts(session) == before


def test_firm_cannot_place_a_center_in_a_space_for_other_cities(
    client: TestClient, session: Session, world: World
) -> None:
    # The Guangzhou space partners Meizhou only; enclaves are public, so a clear 422 is right.
    before = row_counts(session)
    response = client.post(
        "/v1/centers",
        json=_center_body(host_city_code=None, enclave_id=world.enclave_gz.id),
        headers=world.headers("firm_a"),
    )
    _assert_refused_naming(assert_problem(response, 422), "body.enclave_id")
    assert row_counts(session) == before


# --- one person, several firms ---------------------------------------------------------------


def test_registering_a_known_person_attaches_and_reveals_nothing_recorded_by_the_other_firm(
    client: TestClient, session: Session, world: World
) -> None:
    known = world.talent_a_home
    known.title_field = "材料科学"
    known.hukou_city_code = "440500"
    session.add(known)
    session.flush()
    number = decrypt_field(known.id_ciphertext)

    response = client.post(
        "/v1/talents",
        json={"id_number": number, "name": "Chen Er", "education": "bachelor"},
        headers=world.headers("firm_b"),
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["id"] == known.id
    assert body["name"] == "Chen Er"
    assert body["education"] == "bachelor"
    assert body["title_level"] == "none"
    assert body["title_field"] is None and body["hukou_city_code"] is None
    for recorded_by_a in ("陈二", "材料科学", "master"):
        assert recorded_by_a not in response.text

    session.expire_all()
    assert len(session.exec(select(Talent).where(Talent.id_lookup == known.id_lookup)).all()) == 1
    firms = session.exec(select(TalentFirm.firm_id).where(TalentFirm.talent_id == known.id)).all()
    assert sorted(firms) == sorted([world.a.id, world.b.id])


def test_attached_firm_still_sees_none_of_the_other_firms_spells(
    client: TestClient, world: World
) -> None:
    known = world.talent_a_home
    firm_b = world.headers("firm_b")
    response = client.post(
        "/v1/talents",
        json={
            "id_number": decrypt_field(known.id_ciphertext),
            "name": "Chen Er",
            "education": "master",
        },
        headers=firm_b,
    )
    assert response.status_code == 201, response.text
    assert client.get(f"/v1/talents/{known.id}", headers=firm_b).status_code == 200

    spell = world.spell_a_home.id
    assert_problem(client.get(f"/v1/employments/{spell}", headers=firm_b), 404)
    for url in (
        f"/v1/employments?talent_id={known.id}",
        f"/v1/employments?firm_id={world.a.id}",
        "/v1/employments",
    ):
        assert spell not in list_ids(client, url, firm_b), url
    assert known.id not in list_ids(client, f"/v1/talents?firm_id={world.a.id}", firm_b)
    assert_problem(client.get(f"/v1/firms/{world.a.id}", headers=firm_b), 404)
    # ... and B may now hire the person at its own site, in a spell A cannot see.
    hire = client.post("/v1/employments", json=_hire_body(known.id), headers=firm_b)
    assert hire.status_code == 201, hire.text
    firm_a = world.headers("firm_a")
    assert_problem(client.get(f"/v1/employments/{hire.json()['id']}", headers=firm_a), 404)
    assert hire.json()["id"] not in list_ids(
        client, f"/v1/employments?talent_id={known.id}", firm_a
    )


def test_firm_reads_answer_200_only_for_its_own_ids(client: TestClient, world: World) -> None:
    # Sweep ids around the world's rows: a firm user's reads answer 200 only for its own.
    firm_a = world.headers("firm_a")
    for kind in ("firm", "center", "talent", "employment"):
        everything = world.all_of(kind)
        for key in range(max(1, min(everything) - 2), max(everything) + 3):
            status = client.get(f"/v1/{kind}s/{key}", headers=firm_a).status_code
            assert status == (200 if key in world.of_a(kind) else 404), (kind, key)


# --- scopes: a token narrowed to reading cannot write ------------------------------------------


@pytest.mark.parametrize("role", [Role.firm, Role.bureau])
def test_read_only_token_cannot_close_a_center(
    client: TestClient, session: Session, world: World, role: Role
) -> None:
    principal = Principal(
        "user:77",
        role,
        firm_id=world.a.id if role is Role.firm else None,
        city_code=SHENZHEN if role is Role.bureau else None,
        scopes=frozenset({SCOPE_REGISTRY_READ}),
    )
    center = world.center_a.id
    before = snapshot(session, "center", center)
    response = client.post(
        f"/v1/centers/{center}/closure", json={"closed_on": "2024-06-30"}, headers=bearer(principal)
    )
    assert_problem(response, 403)
    assert snapshot(session, "center", center) == before


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("PATCH", "/v1/firms/{firm}", {"name": "X"}),
        ("PATCH", "/v1/centers/{center}", {"name": "X"}),
        ("POST", "/v1/talents", {"id_number": "X", "name": "X", "education": "master"}),
        ("PATCH", "/v1/employments/{spell}", {"position": "X"}),
        (
            "POST",
            "/v1/employments/{spell}/departure",
            {"departed_on": "2024-06-30", "reason": "other"},
        ),
    ],
)
def test_firm_token_narrowed_to_reading_cannot_write(
    client: TestClient, world: World, method: str, path: str, body: dict[str, object]
) -> None:
    principal = Principal(
        "user:78", Role.firm, firm_id=world.a.id, scopes=frozenset({SCOPE_REGISTRY_READ})
    )
    url = path.format(firm=world.a.id, center=world.center_a.id, spell=world.spell_a_home.id)
    response = client.request(method, url, json=body, headers=bearer(principal))
    assert_problem(response, 403)
