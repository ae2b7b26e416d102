"""A center's acts take effect on the date the authority gives, within bounds; each one is an
event in the center's history, written with the status change or not at all."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from talent_service.core.config import get_settings
from talent_service.models import Center, CenterStatusEvent
from talent_service.reference.enums import CenterStatus, Source
from tests.centers.conftest import TODAY
from tests.centers.helpers import World, event_count, world_of
from tests.errors import assert_problem
from tests.factories import SHENZHEN, Factory

OPENED = date(2026, 1, 10)
LIMIT = get_settings().backdate_limit_days
EARLIEST = TODAY - timedelta(days=LIMIT)  # 2026-03-17 with the default 90 days


@pytest.fixture
def w(make: Factory, client: TestClient, session: Session) -> World:
    return world_of(make, client, session)


def events(session: Session, center_id: int | None) -> list[CenterStatusEvent]:
    session.expire_all()
    return list(
        session.exec(
            select(CenterStatusEvent)
            .where(CenterStatusEvent.center_id == center_id)
            .order_by(col(CenterStatusEvent.effective_on), col(CenterStatusEvent.id))
        ).all()
    )


# --- registration ------------------------------------------------------------------------


def test_registering_a_center_records_it_pending_from_its_opening_by_the_firm(w: World) -> None:
    center = w.center(OPENED)
    [event] = events(w.session, center.id)
    assert (event.status, event.effective_on) == (CenterStatus.pending, OPENED)
    assert (event.source, event.authority) == (Source.firm, f"firm:{w.firm.id}")
    assert event.recorded_by == "user:900003"
    r = w.client.get(f"/v1/centers/{center.id}", headers=w.firm_headers())
    assert r.json()["status_since"] == OPENED.isoformat()


def test_a_center_the_province_registers_is_recorded_as_the_province_s(w: World) -> None:
    body = {
        "firm_id": w.firm.id,
        "kind": "rnd",
        "host_city_code": SHENZHEN,
        "name": "Center",
        "address": "1 Road",
        "floor_area_m2": 100,
        "opened_on": OPENED.isoformat(),
    }
    r = w.client.post("/v1/centers", json=body, headers=w.make.province())
    assert r.status_code == 201, r.text
    assert r.json()["status_since"] == OPENED.isoformat()
    [event] = events(w.session, r.json()["id"])
    assert (event.source, event.authority, event.recorded_by) == (
        Source.province,
        "province",
        "user:900001",
    )


# --- accreditation with a date -----------------------------------------------------------


def test_accrediting_from_a_past_date_within_the_limit_records_that_date(w: World) -> None:
    center = w.center(OPENED)
    r = w.act(center, "accredit", {"effective_on": "2026-04-01", "note": "材料齐全"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["status"], body["status_since"]) == ("accredited", "2026-04-01")
    assert body["decided_by"] == "user:900002"
    pending, accredited = events(w.session, center.id)
    assert pending.status is CenterStatus.pending
    assert (accredited.status, accredited.effective_on) == (
        CenterStatus.accredited,
        date(2026, 4, 1),
    )
    assert (accredited.source, accredited.authority) == (Source.bureau, SHENZHEN)
    assert (accredited.recorded_by, accredited.note) == ("user:900002", "材料齐全")
    # The record says when it was learned, beside the date it took effect.
    assert accredited.recorded_at.astimezone().date() >= TODAY - timedelta(days=1)


def test_accrediting_on_the_oldest_day_the_limit_allows_is_accepted(w: World) -> None:
    center = w.center(OPENED)
    r = w.act(center, "accredit", {"effective_on": EARLIEST.isoformat()})
    assert r.status_code == 200, r.text
    assert r.json()["status_since"] == EARLIEST.isoformat()


def test_without_a_date_an_act_takes_effect_today_in_guangdong(w: World) -> None:
    center = w.center(OPENED)
    # 16:30 UTC on the 15th is 00:30 on the 16th in Asia/Shanghai.
    with time_machine.travel("2026-06-15T16:30:00+00:00", tick=False):
        r = w.act(center, "accredit", {})
    assert r.status_code == 200, r.text
    assert r.json()["status_since"] == "2026-06-16"
    assert events(w.session, center.id)[-1].effective_on == date(2026, 6, 16)


def test_rejecting_a_center_is_recorded_from_its_date(w: World) -> None:
    center = w.center(OPENED)
    r = w.act(center, "reject", {"effective_on": "2026-05-20", "note": "不符合条件"})
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["status_since"]) == ("rejected", "2026-05-20")
    assert [e.status for e in events(w.session, center.id)] == [
        CenterStatus.pending,
        CenterStatus.rejected,
    ]


# --- refused dates: 422 naming body.effective_on, nothing written --------------------------


def _refused(w: World, action: str, body: dict[str, object], center_opened: date = OPENED) -> str:
    center = w.center(center_opened)
    if action != "accredit":
        assert w.act(center, "accredit", {"effective_on": "2026-04-01"}).status_code == 200
    before = w.stored(center)
    r = w.act(center, action, body)
    problem = assert_problem(r, 422, slug="rule-violation", field="body.effective_on")
    assert w.stored(center) == before
    return str(problem["detail"])


def test_an_effective_date_in_the_future_is_refused(w: World) -> None:
    tomorrow = (TODAY + timedelta(days=1)).isoformat()
    assert "in the future" in _refused(w, "accredit", {"effective_on": tomorrow})


def test_an_effective_date_before_the_center_opened_is_refused(w: World) -> None:
    detail = _refused(w, "accredit", {"effective_on": "2026-04-30"}, center_opened=date(2026, 5, 1))
    assert "the center opened" in detail and "2026-05-01" in detail


def test_an_effective_date_further_back_than_the_limit_is_refused(w: World) -> None:
    too_old = (EARLIEST - timedelta(days=1)).isoformat()
    assert "TALENT_BACKDATE_LIMIT_DAYS" in _refused(w, "accredit", {"effective_on": too_old})


def test_a_suspension_before_the_latest_status_change_is_refused(w: World) -> None:
    # Accredited from 2026-04-01: a suspension cannot reach back before it.
    detail = _refused(w, "suspend", {"effective_on": "2026-03-31"})
    assert "latest status change (accredited)" in detail and "2026-04-01" in detail


def test_a_reinstatement_before_the_suspension_is_refused(w: World) -> None:
    center = w.center(OPENED)
    assert w.act(center, "accredit", {"effective_on": "2026-04-01"}).status_code == 200
    assert w.act(center, "suspend", {"effective_on": "2026-05-01"}).status_code == 200
    before = w.stored(center)
    r = w.act(center, "reinstate", {"effective_on": "2026-04-30"})
    body = assert_problem(r, 422, slug="rule-violation", field="body.effective_on")
    assert "latest status change (suspended)" in body["detail"]
    assert w.stored(center) == before


def test_an_act_may_take_effect_the_same_day_as_the_latest_change(w: World) -> None:
    center = w.center(OPENED)
    assert w.act(center, "accredit", {"effective_on": "2026-04-01"}).status_code == 200
    r = w.act(center, "suspend", {"effective_on": "2026-04-01"})
    assert r.status_code == 200, r.text
    # Accredited and suspended on one day: the suspension (recorded later) holds from it.
    periods = w.history(center).json()["periods"]
    assert periods == [
        {"status": "pending", "from_on": "2026-01-10", "to_on": "2026-03-31"},
        {"status": "suspended", "from_on": "2026-04-01", "to_on": None},
    ]


@pytest.mark.parametrize("value", ["2026-13-01", "yesterday", "1989-12-31", "2100-01-02", 20260401])
def test_a_malformed_effective_date_is_refused(w: World, value: object) -> None:
    center = w.center(OPENED)
    before = w.stored(center)
    for action in ("accredit", "reject"):
        r = w.act(center, action, {"effective_on": value})
        assert_problem(r, 422, slug="validation", field="body.effective_on")
    assert w.stored(center) == before
    assert w.act(center, "accredit", {"effective_on": "2026-04-01"}).status_code == 200
    before = w.stored(center)
    for action in ("suspend", "reinstate"):
        r = w.act(center, action, {"effective_on": value})
        assert_problem(r, 422, slug="validation", field="body.effective_on")
    assert w.stored(center) == before


def test_a_conflicting_act_is_409_whatever_its_date(w: World) -> None:
    center = w.center(OPENED)
    before = w.stored(center)
    # A pending center cannot be suspended: the state is the problem, not the date.
    r = w.act(center, "suspend", {"effective_on": "2026-04-01"})
    assert_problem(r, 409, slug="conflict")
    assert w.stored(center) == before


# --- suspension and reinstatement: the history -------------------------------------------


def test_suspending_then_reinstating_leaves_four_events_and_their_periods(w: World) -> None:
    center = w.center(OPENED)
    for action, day in (
        ("accredit", "2026-04-01"),
        ("suspend", "2026-05-01"),
        ("reinstate", "2026-06-01"),
    ):
        r = w.act(center, action, {"effective_on": day, "note": action})
        assert r.status_code == 200, r.text
    assert r.json()["status_since"] == "2026-06-01"

    r = w.history(center)
    assert r.status_code == 200, r.text
    history = r.json()
    assert (history["center_id"], history["status"]) == (center.id, "accredited")
    assert history["status_since"] == "2026-06-01"
    assert [(e["status"], e["effective_on"]) for e in history["events"]] == [
        ("pending", "2026-01-10"),
        ("accredited", "2026-04-01"),
        ("suspended", "2026-05-01"),
        ("accredited", "2026-06-01"),
    ]
    first, *acts = history["events"]
    assert (first["source"], first["authority"], first["note"]) == (
        "firm",
        f"firm:{w.firm.id}",
        None,
    )
    for event in acts:
        assert (event["source"], event["authority"], event["recorded_by"]) == (
            "bureau",
            SHENZHEN,
            "user:900002",
        )
        assert event["recorded_at"].startswith("2026-06-1")
    assert [e["note"] for e in acts] == ["accredit", "suspend", "reinstate"]
    assert history["periods"] == [
        {"status": "pending", "from_on": "2026-01-10", "to_on": "2026-03-31"},
        {"status": "accredited", "from_on": "2026-04-01", "to_on": "2026-04-30"},
        {"status": "suspended", "from_on": "2026-05-01", "to_on": "2026-05-31"},
        {"status": "accredited", "from_on": "2026-06-01", "to_on": None},
    ]
    # The row's current state agrees with its latest event.
    read = w.client.get(f"/v1/centers/{center.id}", headers=w.firm_headers()).json()
    assert (read["status"], read["status_since"]) == ("accredited", "2026-06-01")


def test_a_migrated_center_s_history_is_its_factory_events(w: World, make: Factory) -> None:
    center = make.center(w.firm, status_since=date(2021, 3, 1))
    history = w.history(center).json()
    assert [(e["status"], e["effective_on"]) for e in history["events"]] == [
        ("pending", "2021-01-01"),
        ("accredited", "2021-03-01"),
    ]
    assert history["periods"][-1] == {
        "status": "accredited",
        "from_on": "2021-03-01",
        "to_on": None,
    }


# --- closure: its date is the closure's effective date ------------------------------------


def _accredited_center_with_a_hire(w: World, hired_on: date) -> Center:
    center = w.center(OPENED)
    assert w.act(center, "accredit", {"effective_on": "2026-04-01"}).status_code == 200
    talent = w.make.talent(w.firm)
    w.make.employment(talent, w.firm, center, hired_on=hired_on)
    return center


@pytest.mark.parametrize(
    ("hired_on", "closed_on", "reason"),
    [
        (date(2026, 5, 10), (TODAY + timedelta(days=1)).isoformat(), "in the future"),
        (date(2026, 3, 20), "2026-03-31", "latest status change (accredited)"),
        (date(2026, 5, 10), "2026-05-09", "latest hire (2026-05-10)"),
        (date(2026, 5, 10), "2026-01-09", "latest hire (2026-05-10)"),
    ],
)
def test_impossible_closure_dates_are_refused_and_nothing_is_written(
    w: World, hired_on: date, closed_on: str, reason: str
) -> None:
    center = _accredited_center_with_a_hire(w, hired_on)
    before = w.stored(center)
    r = w.act(center, "close", {"closed_on": closed_on}, headers=w.firm_headers())
    body = assert_problem(r, 422, slug="rule-violation", field="body.closed_on")
    assert reason in body["detail"]
    assert w.stored(center) == before


def test_a_closure_further_back_than_the_limit_is_refused(w: World, make: Factory) -> None:
    center = make.center(w.firm)  # accredited since 2021
    before = w.stored(center)
    too_old = (EARLIEST - timedelta(days=1)).isoformat()
    r = w.act(center, "close", {"closed_on": too_old}, headers=w.firm_headers())
    body = assert_problem(r, 422, slug="rule-violation", field="body.closed_on")
    assert "TALENT_BACKDATE_LIMIT_DAYS" in body["detail"]
    assert w.stored(center) == before


def test_closing_records_the_closure_from_its_date(w: World) -> None:
    center = _accredited_center_with_a_hire(w, date(2026, 5, 10))
    r = w.act(
        center, "close", {"closed_on": "2026-05-10", "note": "搬迁"}, headers=w.firm_headers()
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["status"], body["closed_on"], body["status_since"]) == (
        "closed",
        "2026-05-10",
        "2026-05-10",
    )
    closed = events(w.session, center.id)[-1]
    assert (closed.status, closed.effective_on, closed.note) == (
        CenterStatus.closed,
        date(2026, 5, 10),
        "搬迁",
    )
    assert (closed.source, closed.authority) == (Source.firm, f"firm:{w.firm.id}")
    periods = w.history(center).json()["periods"]
    assert periods[-2:] == [
        {"status": "accredited", "from_on": "2026-04-01", "to_on": "2026-05-09"},
        {"status": "closed", "from_on": "2026-05-10", "to_on": None},
    ]


def test_refusals_write_no_event_anywhere(w: World) -> None:
    center = w.center(OPENED)
    total = event_count(w.session)
    for body in ({"effective_on": "2026-06-16"}, {"effective_on": "2025-12-31"}):
        assert w.act(center, "accredit", body).status_code == 422
    assert w.act(center, "reinstate", {}).status_code == 409
    assert event_count(w.session) == total
