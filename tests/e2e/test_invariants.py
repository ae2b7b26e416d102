"""Invariants that span rows hold when 16 clients write at the same moment, round after round.

Each round releases WRITERS threads together (a barrier) at the live server (2 workers on
PostgreSQL); a round's answers must be only the expected ones, never a 5xx, and the stored state
must satisfy the invariant. The mechanisms are named where they are checked (README, services).
"""

from __future__ import annotations

import itertools
from collections import Counter
from functools import partial
from typing import Any

import pytest

from talent_service.core import clock
from tests.e2e.api import World, at_once, hire_body, months_rule, registration, uscc

ROUNDS = 20
WRITERS = 16


def _send(world: World, method: str, url: str, headers: dict[str, str], body: Any) -> Any:
    return world.client.request(method, url, json=body, headers=headers)


def _statuses(responses: list[Any]) -> Counter[int]:
    return Counter(r.status_code for r in responses)


def test_an_enclave_space_is_never_filled_beyond_its_floor_area(world: World) -> None:
    firms = [world.firm() for _ in range(WRITERS)]
    violations = 0
    for _ in range(ROUNDS):
        space = world.enclave(area=1000)
        answers = at_once(partial(world.center, enclave_id=space, area=200), firms)
        statuses = _statuses(answers)
        used = world.client.get(f"/v1/enclaves/{space}", headers=world.province).json()
        assert set(statuses) <= {201, 422}, statuses
        violations += statuses[201] != 5 or used["used_floor_area_m2"] > 1000
    print(f"floor area: {ROUNDS} rounds × {WRITERS} writers, {violations} violations")
    assert violations == 0


def _take_or_shrink(world: World, space: int, job: tuple[str, Any]) -> Any:
    kind, who = job
    if kind == "center":
        return world.center(who, enclave_id=space, area=200)
    url = f"/v1/enclaves/{space}"
    return world.client.patch(url, json={"total_floor_area_m2": 900}, headers=world.province)


def test_a_space_shrinking_while_centers_move_in_never_holds_more_than_its_area(
    world: World,
) -> None:
    firms = [world.firm() for _ in range(WRITERS // 2)]
    violations = 0
    for _ in range(ROUNDS):
        space = world.enclave(area=1000)
        for firm in firms[:3]:  # 600 m² in use before the race
            assert world.center(firm, enclave_id=space, area=200).status_code == 201
        jobs = [("center", f) for f in firms] + [("shrink", None)] * (WRITERS // 2)
        answers = at_once(partial(_take_or_shrink, world, space), jobs)
        assert {r.status_code for r in answers} <= {200, 201, 422}, _statuses(answers)
        after = world.client.get(f"/v1/enclaves/{space}", headers=world.province).json()
        violations += after["used_floor_area_m2"] > after["total_floor_area_m2"]
    print(f"shrink vs move-in: {ROUNDS} rounds × {WRITERS} writers, {violations} violations")
    assert violations == 0


def test_one_talent_gets_one_open_spell_at_a_firm_however_many_hire_at_once(
    world: World,
) -> None:
    firm = world.firm()
    violations = 0
    for _ in range(ROUNDS):
        talent = world.talent(firm)
        hire = partial(_send, world, "POST", "/v1/employments", firm.headers)
        answers = at_once(hire, [hire_body(talent)] * WRITERS)
        statuses = _statuses(answers)
        assert set(statuses) <= {201, 422}, statuses
        spells = world.client.get(
            "/v1/employments", params={"talent_id": talent}, headers=firm.headers
        ).json()["items"]
        violations += statuses[201] != 1 or len(spells) != 1
    print(f"overlapping spells: {ROUNDS} rounds × {WRITERS} writers, {violations} violations")
    assert violations == 0


@pytest.mark.parametrize("key", ["uscc", "username"])
def test_a_unique_key_signed_up_at_once_has_one_winner_and_tells_no_one(
    world: World, key: str
) -> None:
    # Every sign-up answers the same 202 (a collision, a lost race included, reveals nothing):
    # the database shows that exactly one of them was kept.
    names = itertools.count()
    violations = 0
    for _ in range(ROUNDS):
        code, username = uscc(), f"race-{key}-{next(names)}"

        # Everything else differs: only the contested key is shared.
        bodies = [
            registration(f"race-{next(names)}", code=code)
            if key == "uscc"
            else registration(username)
            for _ in range(WRITERS)
        ]
        answers = at_once(partial(_send, world, "POST", "/v1/registrations", {}), bodies)
        statuses = _statuses(answers)
        assert set(statuses) == {202}, statuses
        assert len({a.content for a in answers}) == 1  # byte-identical
        # The values are our own (a generated code, a fixed name), not input.
        kept = world.server.database.scalar(
            f"SELECT count(*) FROM firm WHERE uscc = '{code}'"  # noqa: S608
            if key == "uscc"
            else f"SELECT count(*) FROM user_account WHERE username = '{username}'"  # noqa: S608
        )
        violations += kept != 1
    print(f"unique {key}: {ROUNDS} rounds × {WRITERS} writers, {violations} violations")
    assert violations == 0


def test_two_updates_with_one_if_match_have_one_winner_and_412s(world: World) -> None:
    firm = world.firm()
    url = f"/v1/firms/{firm.id}"
    violations = 0
    for round_ in range(ROUNDS):
        version = world.client.get(url, headers=firm.headers).json()["version"]
        patch = partial(_send, world, "PATCH", url, firm.headers | {"If-Match": f'"{version}"'})
        answers = at_once(patch, [{"name": f"Renamed {round_}-{i}"} for i in range(WRITERS)])
        statuses = _statuses(answers)
        assert set(statuses) <= {200, 412}, statuses
        after = world.client.get(url, headers=firm.headers).json()
        violations += statuses[200] != 1 or after["version"] != version + 1
    print(f"If-Match: {ROUNDS} rounds × {WRITERS} writers, {violations} violations")
    assert violations == 0


def _act(world: World, url: str, action: tuple[str, dict[str, Any]]) -> Any:
    name, body = action
    return world.client.post(f"{url}/{name}", json=body, headers=world.province)


def test_concurrent_suspensions_and_closures_of_a_center_apply_one_after_another(
    world: World,
) -> None:
    firm = world.firm()
    violations = 0
    for _ in range(ROUNDS):
        created = world.center(firm)
        assert created.status_code == 201, created.text
        url = f"/v1/centers/{created.json()['id']}"
        accredited = world.client.post(
            f"{url}/accreditation", json={"decision": "accredited"}, headers=world.province
        )
        assert accredited.status_code == 200, accredited.text
        # Today: a closure takes effect no earlier than the accreditation (effective today).
        actions = [("suspension", {})] * (WRITERS // 2) + [
            ("closure", {"closed_on": clock.today().isoformat()})
        ] * (WRITERS // 2)
        act = partial(_act, world, url)
        answers = at_once(act, actions)
        statuses = Counter((a, r.status_code) for (a, _), r in zip(actions, answers, strict=True))
        assert {s for _, s in statuses} <= {200, 409}, statuses
        final = world.client.get(url, headers=world.province).json()["status"]
        # Closed exactly once; suspended at most once, and only before the closure.
        violations += (
            statuses[("closure", 200)] != 1
            or statuses[("suspension", 200)] > 1
            or final != "closed"
        )
    print(f"center status: {ROUNDS} rounds × {WRITERS} writers, {violations} violations")
    assert violations == 0


_PLACES = [
    (city, benefit)
    for city in ("440300", "440100", "440600", "441900", "442000")
    for benefit in ("hukou", "social_insurance", "education", "title")
]


def test_overlapping_drafts_published_at_once_leave_one_published_version(world: World) -> None:
    violations = 0
    for city, benefit in _PLACES[:ROUNDS]:
        created = world.client.post(
            "/v1/policies", json={"city_code": city, "benefit": benefit}, headers=world.province
        )
        assert created.status_code == 201, created.text
        policy = created.json()["id"]
        draft = {
            "rule": months_rule(6),
            "effective_from": "2024-01-01",
            "document_ref": "E2E〔2024〕1号",
            "description_zh": "并发发布测试",
            "description_en": "concurrent publishing test",
        }
        versions = []
        for _ in range(WRITERS):
            made = world.client.post(
                f"/v1/policies/{policy}/versions", json=draft, headers=world.province
            )
            assert made.status_code == 201, made.text
            versions.append(made.json()["version"])
        answers = at_once(
            partial(world.client.post, headers=world.province),
            [f"/v1/policies/{policy}/versions/{v}/publish" for v in versions],
        )
        statuses = _statuses(answers)
        assert set(statuses) <= {200, 422}, statuses
        detail = world.client.get(f"/v1/policies/{policy}", headers=world.province).json()
        published = [v for v in detail["versions"] if v["status"] == "published"]
        violations += statuses[200] != 1 or len(published) != 1
    print(f"policy publishing: {ROUNDS} rounds × {WRITERS} writers, {violations} violations")
    assert violations == 0
