"""Machine clients: scopes decide what they may call, their city what they may see; they get
masked names and never a whole ID number."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from talent_service.auth.principal import ALL_SCOPES, Principal
from talent_service.core.security import decrypt_field
from talent_service.reference.enums import Role
from talent_service.reference.identifiers import mask_name
from tests.access.world import (
    ID_ROUTES,
    MISSING,
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

KINDS = ("firm", "center", "talent", "employment")


def _registry_reads(world: World) -> list[str]:
    return [
        "/v1/cities",
        f"/v1/cities/{SHENZHEN}",
        "/v1/enclaves",
        f"/v1/enclaves/{world.enclave_sz.id}",
        "/v1/firms",
        f"/v1/firms/{world.a.id}",
        "/v1/centers",
        f"/v1/centers/{world.center_a.id}",
        "/v1/talents",
        f"/v1/talents/{world.talent_a_center.id}",
        f"/v1/talents/{world.talent_a_center.id}/identity",
        "/v1/employments",
        f"/v1/employments/{world.spell_a_center.id}",
    ]


@pytest.mark.parametrize("city", [None, SHENZHEN])
def test_client_with_only_the_verify_scope_cannot_read_the_registry(
    client: TestClient, world: World, city: str | None
) -> None:
    verifier = world.make.client("eligibility:verify", city=city)
    for url in _registry_reads(world):
        problem = assert_problem(client.get(url, headers=verifier), 403)
        assert problem["type"].endswith("/forbidden"), url


def test_reading_client_bound_to_a_city_sees_what_that_citys_bureau_sees(
    client: TestClient, world: World
) -> None:
    reader, bureau = world.headers("client_shenzhen"), world.headers("bureau_shenzhen")
    for _, url, _ in list_queries(world):
        assert list_ids(client, url, reader) == list_ids(client, url, bureau), url
    for kind in KINDS:
        for key in world.all_of(kind):
            got = client.get(f"/v1/{kind}s/{key}", headers=reader).status_code
            assert got == client.get(f"/v1/{kind}s/{key}", headers=bureau).status_code
            assert got == (200 if key in world.visible("client_shenzhen", kind) else 404)


@pytest.mark.parametrize("caller", ["client_shenzhen", "client_province"])
def test_reading_client_lists_hold_only_what_its_city_allows(
    client: TestClient, world: World, caller: str
) -> None:
    check_lists(client, world, caller)


def test_reading_client_gets_404_like_a_missing_id_outside_its_city(
    client: TestClient, world: World
) -> None:
    reader = world.headers("client_shenzhen")
    for kind, key in (
        ("firm", world.b.id),
        ("center", world.center_b.id),
        ("talent", world.talent_a_home.id),
        ("employment", world.spell_a_home.id),
    ):
        refused = client.get(f"/v1/{kind}s/{key}", headers=reader)
        missing = client.get(f"/v1/{kind}s/{MISSING}", headers=reader)
        assert_problem(refused, 404)
        assert_like_missing(refused, missing, key)


@pytest.mark.parametrize("caller", ["client_shenzhen", "client_province"])
def test_talent_names_come_back_masked_for_clients(
    client: TestClient, world: World, caller: str
) -> None:
    headers = world.headers(caller)
    person = world.talent_a_center
    one = client.get(f"/v1/talents/{person.id}", headers=headers)
    assert one.status_code == 200, one.text
    assert one.json()["name"] == mask_name(person.name) == "陈*"
    listed = client.get("/v1/talents", headers=headers).json()["items"]
    assert listed
    names = {world.talent_a_center.id: "陈一", world.talent_a_home.id: "陈二"}
    names |= {world.talent_b.id: "李三", world.talent_b_left.id: "李四"}
    for item in listed:
        assert item["name"] == mask_name(names[item["id"]])
        assert item["name"] != names[item["id"]]
    for name in names.values():
        assert name not in one.text
    # Control: a bureau reads the name whole.
    bureau = client.get(f"/v1/talents/{person.id}", headers=world.headers("bureau_shenzhen"))
    assert bureau.json()["name"] == "陈一"


# --- the whole ID number ---------------------------------------------------------------------


def test_whole_id_number_is_refused_to_firms_and_clients(client: TestClient, world: World) -> None:
    person = world.talent_a_center
    url = f"/v1/talents/{person.id}/identity"
    every_scope = bearer(Principal("client:all", Role.client, scopes=ALL_SCOPES))
    for headers in (
        world.headers("firm_a"),  # the person's own employer
        world.headers("client_shenzhen"),
        world.headers("client_province"),
        every_scope,
    ):
        response = client.get(url, headers=headers)
        assert_problem(response, 403)
        assert decrypt_field(person.id_ciphertext) not in response.text


@pytest.mark.parametrize(
    ("caller", "person"),
    [
        ("province", "talent_a_home"),
        ("province", "talent_b"),
        ("bureau_shenzhen", "talent_a_center"),  # works at a center hosted in Shenzhen
        ("bureau_shantou", "talent_a_center"),  # registered by a Shantou firm
        ("bureau_shantou", "talent_a_home"),
        ("bureau_guangzhou", "talent_b"),
        ("bureau_meizhou", "talent_b_left"),
    ],
)
def test_whole_id_number_is_disclosed_to_province_and_the_right_bureau(
    client: TestClient, world: World, caller: str, person: str
) -> None:
    talent = getattr(world, person)
    response = client.get(f"/v1/talents/{talent.id}/identity", headers=world.headers(caller))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["id"] == talent.id
    assert body["id_number"] == decrypt_field(talent.id_ciphertext)
    assert "*" not in body["id_number"] and len(body["id_number"]) == 18


@pytest.mark.parametrize(
    ("caller", "person"),
    [
        ("bureau_shenzhen", "talent_a_home"),  # A's home site only: nothing to do with Shenzhen
        ("bureau_shenzhen", "talent_b"),
        ("bureau_guangzhou", "talent_a_center"),
        ("bureau_dongguan", "talent_a_center"),
        ("bureau_meizhou", "talent_a_home"),
    ],
)
def test_whole_id_number_is_not_found_for_a_wrong_city_bureau(
    client: TestClient, world: World, caller: str, person: str
) -> None:
    talent = getattr(world, person)
    headers = world.headers(caller)
    refused = client.get(f"/v1/talents/{talent.id}/identity", headers=headers)
    missing = client.get(f"/v1/talents/{MISSING}/identity", headers=headers)
    assert_problem(refused, 404)
    assert_like_missing(refused, missing, talent.id)
    assert talent.id_masked not in refused.text


# --- clients never write ------------------------------------------------------------------------


@pytest.mark.parametrize("route", [r for r in ID_ROUTES if r.is_write], ids=str)
def test_client_cannot_write_even_with_every_scope(
    client: TestClient, session: Session, world: World, route: IdRoute
) -> None:
    set_center_status(session, world.center_a, route.center_status)
    target = {
        "firm": world.a,
        "center": world.center_a,
        "talent": world.talent_a_center,
        "employment": world.spell_a_center,
    }[route.kind].id
    before = snapshot(session, route.kind, target)
    every_scope = bearer(
        Principal("client:all", Role.client, city_code=SHENZHEN, scopes=ALL_SCOPES)
    )
    assert_problem(call(client, route, target, every_scope), 403)
    assert snapshot(session, route.kind, target) == before


def test_client_cannot_register_anything_even_with_every_scope(
    client: TestClient, session: Session, world: World
) -> None:
    every_scope = bearer(Principal("client:all", Role.client, scopes=ALL_SCOPES))
    before = row_counts(session)
    for url, body in (
        (
            "/v1/talents",
            {
                "firm_id": world.a.id,
                "id_number": world.make.resident_id(),
                "name": "X",
                "education": "master",
            },
        ),
        (
            "/v1/employments",
            {
                "firm_id": world.a.id,
                "talent_id": world.talent_a_home.id,
                "position": "X",
                "hired_on": "2024-01-01",
                "si_city_code": SHENZHEN,
            },
        ),
        (
            "/v1/centers",
            {
                "firm_id": world.a.id,
                "kind": "rnd",
                "host_city_code": SHENZHEN,
                "name": "X",
                "address": "X",
                "floor_area_m2": 10,
                "opened_on": "2024-01-01",
            },
        ),
    ):
        assert_problem(client.post(url, json=body, headers=every_scope), 403)
    assert row_counts(session) == before
