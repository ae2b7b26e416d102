"""Bad input on employment spells: ``POST /v1/employments``, ``PATCH /v1/employments/{id}`` and
``POST /v1/employments/{id}/departure``."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from talent_service.core import clock
from talent_service.models import Center, Employment, Firm, Talent
from talent_service.reference.enums import CenterStatus, DepartureReason
from tests.errors import CONTROL_CHARS, HUGE_ID, LONG_TEXT, assert_problem, counts, snapshot
from tests.factories import DONGGUAN, SHANTOU, SHENZHEN, Factory


class World:
    """A Shantou firm with a Shenzhen center opened 2021-01-01 and one registered talent."""

    def __init__(self, make: Factory) -> None:
        self.make = make
        self.firm: Firm = make.firm(SHANTOU)
        self.center: Center = make.center(self.firm, SHENZHEN, opened_on=date(2021, 1, 1))
        self.talent: Talent = make.talent(self.firm)
        self.headers = make.firm_user(self.firm)

    def body(self, **overrides: Any) -> dict[str, Any]:
        body: dict[str, Any] = {
            "talent_id": self.talent.id,
            "center_id": self.center.id,
            "position": "高级工程师",
            "key_post": True,
            "recruited_via_program": True,
            "hired_on": "2022-03-01",
            "si_city_code": SHENZHEN,
        }
        return body | overrides

    def spell(self, **kw: Any) -> Employment:
        return self.make.employment(self.talent, self.firm, self.center, **kw)


@pytest.fixture
def world(make: Factory) -> World:
    return World(make)


def post(client: TestClient, world: World, body: dict[str, Any]) -> Any:
    return client.post("/v1/employments", json=body, headers=world.headers)


def test_the_valid_body_is_accepted(client: TestClient, world: World) -> None:
    r = post(client, world, world.body())
    assert r.status_code == 201, r.text
    r = client.post(
        f"/v1/employments/{r.json()['id']}/departure",
        json={"departed_on": "2022-03-01", "reason": "resigned"},  # the day of hire is fine
        headers=world.headers,
    )
    assert r.status_code == 200, r.text


# --- departures ----------------------------------------------------------------------------


def test_a_departure_before_the_hire_is_refused(
    client: TestClient, world: World, session: Session
) -> None:
    spell = world.spell(hired_on=date(2022, 3, 1))
    assert spell.id is not None
    stored = snapshot(session, Employment, spell.id)
    r = client.post(
        f"/v1/employments/{spell.id}/departure",
        json={"departed_on": "2022-02-28", "reason": "resigned"},
        headers=world.headers,
    )
    body = assert_problem(r, 422, slug="rule-violation", field="body.departed_on")
    assert "2022-03-01" in body["detail"]
    assert snapshot(session, Employment, spell.id) == stored


def test_a_departure_in_the_future_is_refused(
    client: TestClient, world: World, session: Session
) -> None:
    spell = world.spell()
    assert spell.id is not None
    stored = snapshot(session, Employment, spell.id)
    tomorrow = (clock.today() + timedelta(days=1)).isoformat()
    r = client.post(
        f"/v1/employments/{spell.id}/departure",
        json={"departed_on": tomorrow, "reason": "resigned"},
        headers=world.headers,
    )
    assert_problem(r, 422, slug="rule-violation", field="body.departed_on")
    assert snapshot(session, Employment, spell.id) == stored


def test_a_malformed_departure_is_refused(
    client: TestClient, world: World, session: Session
) -> None:
    spell = world.spell()
    assert spell.id is not None
    stored = snapshot(session, Employment, spell.id)
    for body, field in [
        ({"departed_on": "2023-01-01", "reason": "fled"}, "body.reason"),
        ({"departed_on": "2023-01-01"}, "body.reason"),
        ({"reason": "resigned"}, "body.departed_on"),
        ({"departed_on": "2023-02-29", "reason": "resigned"}, "body.departed_on"),
        ({"departed_on": "1989-12-31", "reason": "resigned"}, "body.departed_on"),
        ({"departed_on": None, "reason": "resigned"}, "body.departed_on"),
        ({"departed_on": "2023-01-01", "reason": "resigned", "note": "x"}, "body.note"),
        ({"departed_on": "2023-01-01", "reason": "resigned", "firm_id": 2}, "body.firm_id"),
    ]:
        r = client.post(f"/v1/employments/{spell.id}/departure", json=body, headers=world.headers)
        assert_problem(r, 422, slug="validation", field=field)
    assert snapshot(session, Employment, spell.id) == stored


def test_a_second_departure_is_a_conflict(
    client: TestClient, world: World, session: Session
) -> None:
    spell = world.spell(departed_on=date(2023, 5, 31), departure_reason=DepartureReason.resigned)
    assert spell.id is not None
    stored = snapshot(session, Employment, spell.id)
    r = client.post(
        f"/v1/employments/{spell.id}/departure",
        json={"departed_on": "2023-06-30", "reason": "dismissed"},
        headers=world.headers,
    )
    body = assert_problem(r, 409, slug="conflict")
    assert "2023-05-31" in body["detail"]
    assert snapshot(session, Employment, spell.id) == stored


def test_a_stale_if_match_on_departure_is_refused(
    client: TestClient, world: World, session: Session
) -> None:
    spell = world.spell()
    assert spell.id is not None
    stored = snapshot(session, Employment, spell.id)
    r = client.post(
        f"/v1/employments/{spell.id}/departure",
        json={"departed_on": "2023-06-30", "reason": "resigned"},
        headers=world.headers | {"If-Match": f'"{spell.version + 1}"'},
    )
    assert_problem(r, 412, slug="precondition-failed")
    assert snapshot(session, Employment, spell.id) == stored


# --- overlapping spells of one talent at one firm ----------------------------------------------


def test_a_hire_overlapping_an_open_spell_is_refused(
    client: TestClient, world: World, session: Session
) -> None:
    world.spell(hired_on=date(2022, 3, 1))
    before = counts(session)
    for hired_on in ("2023-01-01", "2022-03-01", clock.today().isoformat()):
        r = post(client, world, world.body(hired_on=hired_on))
        body = assert_problem(r, 422, slug="rule-violation", field="body.hired_on")
        assert "overlaps" in body["detail"]
    assert counts(session) == before


def test_a_hire_overlapping_a_closed_spell_is_refused(
    client: TestClient, world: World, session: Session
) -> None:
    world.spell(
        hired_on=date(2021, 1, 1),
        departed_on=date(2021, 12, 31),
        departure_reason=DepartureReason.contract_ended,
    )
    before = counts(session)
    for hired_on in (
        "2021-06-01",  # inside it
        "2021-12-31",  # on the day of departure
        "2021-01-01",  # the same start
        "2020-01-01",  # before it, and open: it would run through it
    ):
        # At the firm's home site, so that the center's opening date does not answer first.
        body = world.body(hired_on=hired_on, center_id=None, si_city_code=SHANTOU)
        r = post(client, world, body)
        problem = assert_problem(r, 422, slug="rule-violation", field="body.hired_on")
        assert "overlaps" in problem["detail"]
    assert counts(session) == before
    # The day after the departure is a new spell.
    assert post(client, world, world.body(hired_on="2022-01-01")).status_code == 201


def test_an_open_spell_at_another_firm_is_no_overlap(
    client: TestClient, world: World, make: Factory
) -> None:
    other = make.firm(SHANTOU)
    make.employment(world.talent, other, hired_on=date(2022, 1, 1))
    assert post(client, world, world.body()).status_code == 201


# --- the center ------------------------------------------------------------------------------


def test_a_hire_before_the_center_opened_is_refused(
    client: TestClient, world: World, session: Session
) -> None:
    before = counts(session)
    r = post(client, world, world.body(hired_on="2020-12-31"))
    body = assert_problem(r, 422, slug="rule-violation", field="body.hired_on")
    assert "2021-01-01" in body["detail"]
    assert counts(session) == before


def test_a_hire_after_the_center_closed_is_refused(
    client: TestClient, world: World, make: Factory, session: Session
) -> None:
    closed = make.center(
        world.firm, DONGGUAN, status=CenterStatus.closed, closed_on=date(2023, 6, 30)
    )
    before = counts(session)
    r = post(client, world, world.body(center_id=closed.id, hired_on="2023-07-01"))
    body = assert_problem(r, 422, slug="rule-violation", field="body.hired_on")
    assert "2023-06-30" in body["detail"]
    assert counts(session) == before


def test_a_center_of_another_firm_or_a_rejected_one_is_refused(
    client: TestClient, world: World, make: Factory, session: Session
) -> None:
    foreign = make.center(make.firm(SHANTOU), SHENZHEN)
    rejected = make.center(world.firm, SHENZHEN, status=CenterStatus.rejected)
    before = counts(session)
    for center_id in (foreign.id, rejected.id, 2**31 - 1):
        r = post(client, world, world.body(center_id=center_id))
        assert_problem(r, 422, slug="rule-violation", field="body.center_id")
    r = post(client, world, world.body(center_id=HUGE_ID))
    assert_problem(r, 422, slug="validation", field="body.center_id")
    assert counts(session) == before


# --- talent, dates, cities -------------------------------------------------------------------


def test_a_talent_the_firm_did_not_register_is_refused(
    client: TestClient, world: World, make: Factory, session: Session
) -> None:
    stranger = make.talent(make.firm(SHANTOU))
    before = counts(session)
    for talent_id in (stranger.id, 2**31 - 1):
        r = post(client, world, world.body(talent_id=talent_id))
        assert_problem(r, 422, slug="rule-violation", field="body.talent_id")
    for talent_id in (HUGE_ID, 0, None, "1; DROP TABLE talent"):
        r = post(client, world, world.body(talent_id=talent_id))
        assert_problem(r, 422, slug="validation", field="body.talent_id")
    assert counts(session) == before


def test_impossible_hire_dates_are_refused(
    client: TestClient, world: World, session: Session
) -> None:
    before = counts(session)
    for hired_on, slug in [
        ((clock.today() + timedelta(days=200)).isoformat(), "rule-violation"),  # too far ahead
        ("1989-12-31", "validation"),
        ("2100-01-02", "validation"),
        ("2022-02-29", "validation"),
        ("2022-03-01T08:00:00", "validation"),
        (None, "validation"),
    ]:
        r = post(client, world, world.body(hired_on=hired_on))
        assert_problem(r, 422, slug=slug, field="body.hired_on")
    assert counts(session) == before


def test_an_unknown_social_insurance_city_is_refused(
    client: TestClient, world: World, session: Session
) -> None:
    before = counts(session)
    for city, slug in [
        ("110000", "rule-violation"),
        ("440000", "rule-violation"),
        ("4403", "validation"),
    ]:
        r = post(client, world, world.body(si_city_code=city))
        assert_problem(r, 422, slug=slug, field="body.si_city_code")
    assert counts(session) == before


def test_a_bad_position_is_refused(client: TestClient, world: World, session: Session) -> None:
    before = counts(session)
    for position in [LONG_TEXT, "", None, *(f"工程{c}师" for c in CONTROL_CHARS)]:
        r = post(client, world, world.body(position=position))
        assert_problem(r, 422, slug="validation", field="body.position")
    assert counts(session) == before


def test_extra_fields_on_create_are_refused(
    client: TestClient, world: World, session: Session
) -> None:
    before = counts(session)
    for name, value in [
        ("id", 1),
        ("departed_on", "2023-01-01"),
        ("departure_reason", "resigned"),
        ("version", 4),
        ("status", "open"),
    ]:
        r = post(client, world, world.body(**{name: value}))
        assert_problem(r, 422, slug="validation", field=f"body.{name}")
    assert counts(session) == before


def test_flags_must_be_booleans(client: TestClient, world: World, session: Session) -> None:
    before = counts(session)
    # pydantic's lax mode takes "yes"/"on"/1 for true; these it cannot read as a boolean at all.
    for value in ("maybe", 2, "null", [True]):
        r = post(client, world, world.body(key_post=value))
        assert_problem(r, 422, slug="validation", field="body.key_post")
    assert counts(session) == before


# --- PATCH ---------------------------------------------------------------------------------


PATCHES: list[tuple[dict[str, Any], str, str | None]] = [
    ({"talent_id": 1}, "validation", "body.talent_id"),
    ({"firm_id": 1}, "validation", "body.firm_id"),
    ({"center_id": None}, "validation", "body.center_id"),
    ({"hired_on": "2021-01-01"}, "validation", "body.hired_on"),
    ({"departed_on": "2023-01-01"}, "validation", "body.departed_on"),
    ({"departure_reason": "resigned"}, "validation", "body.departure_reason"),
    ({"version": 3}, "validation", "body.version"),
    ({"si_city_code": "110000"}, "rule-violation", "body.si_city_code"),
    ({"position": "a\x00b"}, "validation", "body.position"),
    ({"position": LONG_TEXT}, "validation", "body.position"),
    ({"position": None}, "validation", None),
    ({"key_post": None}, "validation", None),
    ({"si_city_code": None}, "validation", None),
]


def test_patch_is_checked_and_the_row_is_unchanged(
    client: TestClient, world: World, session: Session
) -> None:
    spell = world.spell()
    assert spell.id is not None
    stored = snapshot(session, Employment, spell.id)
    for patch, slug, field in PATCHES:
        r = client.patch(f"/v1/employments/{spell.id}", json=patch, headers=world.headers)
        assert_problem(r, 422, slug=slug, field=field)
    assert snapshot(session, Employment, spell.id) == stored


def test_a_stale_if_match_on_patch_is_refused(
    client: TestClient, world: World, session: Session
) -> None:
    spell = world.spell()
    assert spell.id is not None
    stored = snapshot(session, Employment, spell.id)
    for value, status in ((f'"{spell.version + 1}"', 412), ("version-1", 422)):
        r = client.patch(
            f"/v1/employments/{spell.id}",
            json={"position": "Manager"},
            headers=world.headers | {"If-Match": value},
        )
        assert_problem(r, status)
    assert snapshot(session, Employment, spell.id) == stored


def test_huge_ids_in_path_and_query_are_refused(client: TestClient, make: Factory) -> None:
    headers = make.province()
    assert_problem(
        client.get(f"/v1/employments/{HUGE_ID}", headers=headers), 422, field="path.employment_id"
    )
    r = client.post(
        f"/v1/employments/{HUGE_ID}/departure",
        json={"departed_on": "2023-01-01", "reason": "resigned"},
        headers=headers,
    )
    assert_problem(r, 422, field="path.employment_id")
    for name in ("talent_id", "firm_id", "center_id", "hire_year"):
        r = client.get("/v1/employments", params={name: HUGE_ID}, headers=headers)
        assert_problem(r, 422, slug="validation", field=f"query.{name}")
