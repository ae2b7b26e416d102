"""A city's bureau sees what touches its city: centers hosted there, firms based there (or hosting
a center there), the spells at those, and their talent. Nothing else, not even by id."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from talent_service.reference.enums import CenterStatus
from tests.access.world import (
    ENCLAVE_ROUTES,
    GUANGZHOU,
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
    row_counts,
    set_center_status,
    snapshot,
)
from tests.factories import SHANTOU, SHENZHEN

BUREAUS = [
    "bureau_shantou",
    "bureau_shenzhen",
    "bureau_guangzhou",
    "bureau_meizhou",
    "bureau_dongguan",
]
KINDS = ("firm", "center", "talent", "employment")


@pytest.mark.parametrize("caller", BUREAUS)
def test_bureau_reads_exactly_what_touches_its_city(
    client: TestClient, world: World, caller: str
) -> None:
    headers = world.headers(caller)
    for kind in KINDS:
        for key in world.all_of(kind):
            response = client.get(f"/v1/{kind}s/{key}", headers=headers)
            if key in world.visible(caller, kind):
                assert response.status_code == 200, (caller, kind, key, response.text)
            else:
                missing = client.get(f"/v1/{kind}s/{MISSING}", headers=headers)
                assert_problem(response, 404)
                assert_like_missing(response, missing, key)


@pytest.mark.parametrize("caller", BUREAUS)
def test_bureau_lists_hold_only_what_touches_its_city_whatever_the_filter(
    client: TestClient, world: World, caller: str
) -> None:
    check_lists(client, world, caller)


def _refusals() -> list[tuple[str, str, IdRoute]]:
    """(bureau, whose object, route): every id route against objects not touching the city."""
    cases = []
    for route in ID_ROUTES:
        cases += [
            ("bureau_shantou", "b", route),
            ("bureau_shenzhen", "b", route),
            ("bureau_guangzhou", "a", route),
            ("bureau_dongguan", "a", route),
        ]
        if route.kind in ("talent", "employment"):
            cases.append(("bureau_shenzhen", "a_home", route))
    return cases


def _target(world: World, whose: str, kind: str) -> int:
    objects = {
        "a": {
            "firm": world.a,
            "center": world.center_a,
            "talent": world.talent_a_center,
            "employment": world.spell_a_center,
        },
        "b": {
            "firm": world.b,
            "center": world.center_b,
            "talent": world.talent_b,
            "employment": world.spell_b,
        },
        # A's people and spells at its home site: nothing to do with Shenzhen.
        "a_home": {"talent": world.talent_a_home, "employment": world.spell_a_home},
    }
    return objects[whose][kind].id


@pytest.mark.parametrize(
    ("caller", "whose", "route"),
    _refusals(),
    ids=[f"{c}-{w}-{r}" for c, w, r in _refusals()],
)
def test_bureau_cannot_reach_objects_outside_its_city(
    client: TestClient, session: Session, world: World, caller: str, whose: str, route: IdRoute
) -> None:
    center = world.center_a if whose == "a" else world.center_b
    set_center_status(session, center, route.center_status)
    target = _target(world, whose, route.kind)
    before = snapshot(session, route.kind, target)
    headers = world.headers(caller)

    refused = call(client, route, target, headers)
    missing = call(client, route, MISSING, headers)

    assert_problem(refused, 403 if str(route) in ROLE_REFUSED["bureau"] else 404)
    assert_like_missing(refused, missing, target)
    assert snapshot(session, route.kind, target) == before


# --- the two sides of one center ---------------------------------------------------------------


def test_home_city_bureau_sees_its_firms_center_hosted_elsewhere_and_who_works_there(
    client: TestClient, world: World
) -> None:
    shantou = world.headers("bureau_shantou")
    for path in (
        f"/v1/firms/{world.a.id}",
        f"/v1/centers/{world.center_a.id}",
        f"/v1/talents/{world.talent_a_center.id}",
        f"/v1/talents/{world.talent_a_home.id}",
        f"/v1/employments/{world.spell_a_center.id}",
        f"/v1/employments/{world.spell_a_home.id}",
        f"/v1/employments/{world.spell_a_earlier.id}",
    ):
        assert client.get(path, headers=shantou).status_code == 200, path
    hosted = list_ids(client, f"/v1/centers?host_city_code={SHENZHEN}", shantou)
    assert hosted == {world.center_a.id}


def test_host_city_bureau_sees_center_firm_and_its_spells_but_not_the_home_site(
    client: TestClient, world: World
) -> None:
    shenzhen = world.headers("bureau_shenzhen")
    for path in (
        f"/v1/firms/{world.a.id}",
        f"/v1/centers/{world.center_a.id}",
        f"/v1/talents/{world.talent_a_center.id}",
        f"/v1/employments/{world.spell_a_center.id}",
    ):
        assert client.get(path, headers=shenzhen).status_code == 200, path
    for path in (
        f"/v1/talents/{world.talent_a_home.id}",
        f"/v1/employments/{world.spell_a_home.id}",
        f"/v1/employments/{world.spell_a_earlier.id}",
    ):
        assert_problem(client.get(path, headers=shenzhen), 404)
    assert list_ids(client, f"/v1/employments?firm_id={world.a.id}", shenzhen) == {
        world.spell_a_center.id
    }
    assert list_ids(client, f"/v1/talents?firm_id={world.a.id}", shenzhen) == {
        world.talent_a_center.id
    }
    assert list_ids(client, "/v1/employments?at_home_site=true", shenzhen) == set()


def test_host_city_bureau_cannot_learn_of_home_site_spells_through_filters(
    client: TestClient, world: World
) -> None:
    # The person is visible (they work at the Shenzhen center), but their earlier spell at the
    # Shantou home site is not: no filter may select the person by it.
    shenzhen = world.headers("bureau_shenzhen")
    person = world.talent_a_center.id
    for url in (
        "/v1/talents?hire_year=2020",
        f"/v1/talents?firm_id={world.a.id}&hire_year=2020",
        f"/v1/talents?home_city_code={SHANTOU}&hire_year=2020",
    ):
        assert person not in list_ids(client, url, shenzhen), url
    assert person in list_ids(client, "/v1/talents?hire_year=2020", world.headers("firm_a"))
    spells = list_ids(client, f"/v1/employments?talent_id={person}", shenzhen)
    assert spells == {world.spell_a_center.id}


# --- who decides on a center -----------------------------------------------------------------


DECISIONS = [r for r in ID_ROUTES if r.center_status is not None]


@pytest.mark.parametrize("route", DECISIONS, ids=str)
def test_host_city_bureau_decides_on_a_center_in_its_city(
    client: TestClient, session: Session, world: World, route: IdRoute
) -> None:
    set_center_status(session, world.center_a, route.center_status)
    response = call(client, route, world.center_a.id, world.headers("bureau_shenzhen"))
    assert response.status_code == 200, response.text
    assert response.json()["status"] != route.center_status


@pytest.mark.parametrize("route", DECISIONS, ids=str)
def test_home_city_bureau_sees_but_cannot_decide_on_a_center_hosted_elsewhere(
    client: TestClient, session: Session, world: World, route: IdRoute
) -> None:
    set_center_status(session, world.center_a, route.center_status)
    center = world.center_a.id
    before = snapshot(session, "center", center)
    shantou = world.headers("bureau_shantou")
    assert client.get(f"/v1/centers/{center}", headers=shantou).status_code == 200
    assert_problem(call(client, route, center, shantou), 403)
    assert snapshot(session, "center", center) == before


def test_pending_center_is_accredited_by_its_host_city_only(
    client: TestClient, session: Session, world: World
) -> None:
    set_center_status(session, world.center_a, CenterStatus.pending)
    accredit = DECISIONS[0]
    assert accredit.path.endswith("/accreditation")
    for caller, status in (
        ("bureau_guangzhou", 404),
        ("bureau_shantou", 403),
        ("firm_a", 403),
        ("client_shenzhen", 403),
    ):
        assert_problem(call(client, accredit, world.center_a.id, world.headers(caller)), status)
        assert snapshot(session, "center", world.center_a.id)["status"] is CenterStatus.pending
    response = call(client, accredit, world.center_a.id, world.headers("bureau_shenzhen"))
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "accredited"
    session.expire_all()
    assert snapshot(session, "center", world.center_a.id)["status"] is CenterStatus.accredited


# --- enclave spaces: read by all, changed by the host city ----------------------------------


@pytest.mark.parametrize("caller", BUREAUS)
def test_every_bureau_reads_every_enclave_space(
    client: TestClient, world: World, caller: str
) -> None:
    spaces = {world.enclave_sz.id, world.enclave_gz.id}
    assert list_ids(client, "/v1/enclaves", world.headers(caller)) == spaces


@pytest.mark.parametrize("caller", ["bureau_guangzhou", "bureau_shantou"])
def test_bureau_cannot_change_another_citys_enclave_space(
    client: TestClient, session: Session, world: World, caller: str
) -> None:
    patch = ENCLAVE_ROUTES[1]
    space = world.enclave_sz.id
    before = snapshot(session, "enclave", space)
    body = {"name": "Taken over", "partner_city_codes": ["441400"]}
    response = client.patch(f"/v1/enclaves/{space}", json=body, headers=world.headers(caller))
    assert_problem(response, 403)
    assert snapshot(session, "enclave", space) == before
    # Control: the host city's bureau may.
    assert call(client, patch, space, world.headers("bureau_shenzhen")).status_code == 200


def test_bureau_cannot_register_an_enclave_space_in_another_city(
    client: TestClient, session: Session, world: World
) -> None:
    body = {
        "name": "Space",
        "host_city_code": SHENZHEN,
        "district": "Futian",
        "operator": "Operator Ltd",
        "total_floor_area_m2": 500,
        "partner_city_codes": ["441400"],
    }
    before = row_counts(session)
    response = client.post("/v1/enclaves", json=body, headers=world.headers("bureau_guangzhou"))
    assert_problem(response, 403)
    assert row_counts(session) == before
    body["host_city_code"] = GUANGZHOU
    created = client.post("/v1/enclaves", json=body, headers=world.headers("bureau_guangzhou"))
    assert created.status_code == 201, created.text


def test_person_working_for_two_firms_is_seen_by_each_city_through_its_own_spells_only(
    client: TestClient, session: Session, world: World
) -> None:
    # A's home-site engineer is also registered by B and works at B's Guangzhou center.
    person = world.talent_a_home
    world.make.registration(world.b, person)
    spell_b = world.make.employment(person, world.b, world.center_b, hired_on=date(2024, 1, 1))
    spell_a = world.spell_a_home

    expected = {
        # caller: (sees the person, sees A's home-site spell, sees B's Guangzhou spell)
        "bureau_shantou": (True, True, False),
        "bureau_meizhou": (True, False, True),
        "bureau_guangzhou": (True, False, True),
        "bureau_shenzhen": (False, False, False),
        "firm_a": (True, True, False),
        "firm_b": (True, False, True),
    }
    for caller, (person_seen, a_seen, b_seen) in expected.items():
        headers = world.headers(caller)
        for url, seen in (
            (f"/v1/talents/{person.id}", person_seen),
            (f"/v1/employments/{spell_a.id}", a_seen),
            (f"/v1/employments/{spell_b.id}", b_seen),
        ):
            assert client.get(url, headers=headers).status_code == (200 if seen else 404), (
                caller,
                url,
            )
        spells = list_ids(client, f"/v1/employments?talent_id={person.id}", headers)
        assert spells == {s.id for s, seen in ((spell_a, a_seen), (spell_b, b_seen)) if seen}
