"""Who reads a center's history and who acts on it: the center's own visibility, and for acts
the host city's bureau or the province (a closure: the firm too). A refusal writes no event."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlmodel import Session

from talent_service.centers.queries import events_of
from talent_service.centers.timeline import Event
from talent_service.reference.enums import CenterStatus
from tests.access.world import MISSING, World, assert_like_missing, build_world, snapshot
from tests.centers.conftest import TODAY
from tests.centers.helpers import event_count
from tests.errors import assert_problem
from tests.factories import SHENZHEN, Factory

ACTS: list[tuple[str, dict[str, Any], CenterStatus]] = [
    (
        "accreditation",
        {"decision": "accredited", "effective_on": TODAY.isoformat()},
        CenterStatus.pending,
    ),
    (
        "accreditation",
        {"decision": "rejected", "effective_on": TODAY.isoformat()},
        CenterStatus.pending,
    ),
    ("suspension", {"effective_on": TODAY.isoformat()}, CenterStatus.accredited),
    ("reinstatement", {"effective_on": TODAY.isoformat()}, CenterStatus.suspended),
    ("closure", {"closed_on": TODAY.isoformat()}, CenterStatus.accredited),
]
ACT_IDS = ["accredit", "reject", "suspend", "reinstate", "close"]


@pytest.fixture
def world(make: Factory) -> World:
    return build_world(make)


def _center_a(world: World) -> int:
    assert world.center_a.id is not None
    return world.center_a.id


def _set_status(session: Session, world: World, status: CenterStatus) -> None:
    center = world.center_a
    if center.status is not status:
        center.status = status
        session.add(center)
        world.make.status_event(center, status, center.opened_on)
        session.flush()


# --- history ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "caller", ["province", "firm_a", "bureau_shenzhen", "bureau_shantou", "client_shenzhen"]
)
def test_whoever_may_see_the_center_reads_its_history(
    client: TestClient, world: World, caller: str
) -> None:
    r = client.get(f"/v1/centers/{world.center_a.id}/history", headers=world.headers(caller))
    assert r.status_code == 200, r.text
    assert r.json()["center_id"] == world.center_a.id
    assert [e["status"] for e in r.json()["events"]] == ["pending", "accredited"]


@pytest.mark.parametrize("caller", ["firm_b", "bureau_guangzhou", "bureau_dongguan"])
def test_another_firm_or_city_gets_404_for_the_history_as_if_absent(
    client: TestClient, world: World, caller: str
) -> None:
    headers = world.headers(caller)
    refused = client.get(f"/v1/centers/{world.center_a.id}/history", headers=headers)
    missing = client.get(f"/v1/centers/{MISSING}/history", headers=headers)
    assert_problem(refused, 404)
    assert_like_missing(refused, missing, _center_a(world))
    assert "甲公司" not in refused.text


def test_history_needs_a_token_and_a_valid_id(client: TestClient, world: World) -> None:
    assert_problem(client.get(f"/v1/centers/{world.center_a.id}/history"), 401)
    r = client.get("/v1/centers/0/history", headers=world.headers("province"))
    assert_problem(r, 422, field="path.center_id")


# --- acts -------------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "body", "status"), ACTS, ids=ACT_IDS)
def test_a_bureau_of_another_city_gets_404_on_each_act_and_nothing_is_written(
    client: TestClient,
    session: Session,
    world: World,
    path: str,
    body: dict[str, Any],
    status: CenterStatus,
) -> None:
    _set_status(session, world, status)
    center = _center_a(world)
    before, events = snapshot(session, "center", center), event_count(session, center)
    guangzhou = world.headers("bureau_guangzhou")
    refused = client.post(f"/v1/centers/{center}/{path}", json=body, headers=guangzhou)
    missing = client.post(f"/v1/centers/{MISSING}/{path}", json=body, headers=guangzhou)
    assert_problem(refused, 404)
    assert_like_missing(refused, missing, center)
    assert snapshot(session, "center", center) == before
    assert event_count(session, center) == events


@pytest.mark.parametrize(("path", "body", "status"), ACTS, ids=ACT_IDS)
def test_the_home_city_bureau_sees_the_center_but_gets_403_on_each_act(
    client: TestClient,
    session: Session,
    world: World,
    path: str,
    body: dict[str, Any],
    status: CenterStatus,
) -> None:
    _set_status(session, world, status)
    center = _center_a(world)
    before, events = snapshot(session, "center", center), event_count(session, center)
    r = client.post(
        f"/v1/centers/{center}/{path}", json=body, headers=world.headers("bureau_shantou")
    )
    assert_problem(r, 403)
    assert snapshot(session, "center", center) == before
    assert event_count(session, center) == events


@pytest.mark.parametrize(("path", "body", "status"), ACTS, ids=ACT_IDS)
def test_another_firm_is_refused_each_act_and_nothing_is_written(
    client: TestClient,
    session: Session,
    world: World,
    path: str,
    body: dict[str, Any],
    status: CenterStatus,
) -> None:
    _set_status(session, world, status)
    center = _center_a(world)
    before, events = snapshot(session, "center", center), event_count(session, center)
    firm_b = world.headers("firm_b")
    refused = client.post(f"/v1/centers/{center}/{path}", json=body, headers=firm_b)
    if path == "closure":  # a firm may close its own centers: another's is absent to it
        missing = client.post(f"/v1/centers/{MISSING}/{path}", json=body, headers=firm_b)
        assert_problem(refused, 404)
        assert_like_missing(refused, missing, center)
    else:  # a firm does not decide on centers at all
        assert_problem(refused, 403)
    assert snapshot(session, "center", center) == before
    assert event_count(session, center) == events


@pytest.mark.parametrize(("path", "body", "status"), ACTS, ids=ACT_IDS)
def test_the_host_city_bureau_acts_and_its_event_is_in_the_history(
    client: TestClient,
    session: Session,
    world: World,
    path: str,
    body: dict[str, Any],
    status: CenterStatus,
) -> None:
    _set_status(session, world, status)
    center = _center_a(world)
    shenzhen = world.headers("bureau_shenzhen")
    r = client.post(f"/v1/centers/{center}/{path}", json=body, headers=shenzhen)
    assert r.status_code == 200, r.text
    assert r.json()["status_since"] == TODAY.isoformat()
    last = client.get(f"/v1/centers/{center}/history", headers=shenzhen).json()["events"][-1]
    assert (last["status"], last["effective_on"]) == (r.json()["status"], TODAY.isoformat())
    assert (last["source"], last["authority"]) == ("bureau", SHENZHEN)


def test_the_firm_closes_its_own_center_and_the_event_is_the_firm_s(
    client: TestClient, world: World
) -> None:
    center = _center_a(world)
    r = client.post(
        f"/v1/centers/{center}/closure",
        json={"closed_on": TODAY.isoformat()},
        headers=world.headers("firm_a"),
    )
    assert r.status_code == 200, r.text
    last = client.get(f"/v1/centers/{center}/history", headers=world.headers("bureau_shantou"))
    event_ = last.json()["events"][-1]
    assert (event_["status"], event_["source"], event_["authority"]) == (
        "closed",
        "firm",
        f"firm:{world.a.id}",
    )


# --- lists: status_since in one statement per page ----------------------------------------


def _statements(connection: Connection, run: Any) -> list[str]:
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    event.listen(connection, "before_cursor_execute", record)
    try:
        run()
    finally:
        event.remove(connection, "before_cursor_execute", record)
    # Only the page's own reads: the token revocation snapshot refreshes on its own 5 s beat.
    return [s for s in seen if s.lstrip().upper().startswith("SELECT") and "FROM center" in s]


def test_a_list_page_carries_status_since_in_one_select_whatever_its_size(
    client: TestClient, connection: Connection, world: World, make: Factory
) -> None:
    headers = world.headers("province")
    small = _statements(connection, lambda: client.get("/v1/centers", headers=headers))
    for _ in range(5):
        make.center(world.a, SHENZHEN)
    answers: list[Any] = []
    large = _statements(
        connection, lambda: answers.append(client.get("/v1/centers", headers=headers))
    )
    assert len(answers[0].json()["items"]) == 7
    assert len(small) == len(large) == 1, large
    assert {item["status_since"] for item in answers[0].json()["items"]} == {"2021-01-01"}


def test_status_since_follows_the_latest_event_in_lists_and_reads(
    client: TestClient, world: World
) -> None:
    shenzhen = world.headers("bureau_shenzhen")
    center = _center_a(world)
    r = client.post(
        f"/v1/centers/{center}/suspension", json={"effective_on": "2026-06-01"}, headers=shenzhen
    )
    assert r.status_code == 200, r.text
    listed = client.get(f"/v1/centers?host_city_code={SHENZHEN}", headers=shenzhen).json()["items"]
    assert [(c["id"], c["status"], c["status_since"]) for c in listed] == [
        (center, "suspended", "2026-06-01")
    ]
    read = client.get(f"/v1/centers/{center}", headers=world.headers("firm_a")).json()
    assert read["status_since"] == "2026-06-01"
    patched = client.patch(
        f"/v1/centers/{center}", json={"name": "新名"}, headers=world.headers("firm_a")
    )
    assert patched.json()["status_since"] == "2026-06-01"


# --- the events of many centers at once (for eligibility) ---------------------------------


def test_events_of_many_centers_come_in_one_select_in_timeline_order(
    session: Session, connection: Connection, world: World, make: Factory
) -> None:
    a, b = world.center_a.id, world.center_b.id
    assert a is not None and b is not None
    make.status_event(world.center_b, CenterStatus.suspended, TODAY)
    found: list[dict[int, list[Event]]] = []
    statements = _statements(connection, lambda: found.append(events_of(session, [a, b])))
    assert len(statements) == 1
    by_center = found[0]
    assert [e.status for e in by_center[a]] == [CenterStatus.pending, CenterStatus.accredited]
    assert [(e.status, e.effective_on) for e in by_center[b]] == [
        (CenterStatus.pending, world.center_b.opened_on),
        (CenterStatus.accredited, world.center_b.opened_on),
        (CenterStatus.suspended, TODAY),
    ]
    assert events_of(session, []) == {}
    assert set(events_of(session)) >= {a, b}  # None: every center
