"""Bad input on talent: ``POST /v1/talents`` and ``PATCH /v1/talents/{talent_id}``."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from talent_service.core import clock
from talent_service.models import Talent
from talent_service.reference.identifiers import synthetic_foreign_permanent_id
from tests.errors import CONTROL_CHARS, HUGE_ID, LONG_TEXT, assert_problem, counts, snapshot
from tests.factories import SHANTOU, Factory

_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))


def with_check(body17: str) -> str:
    """GB 11643 MOD 11-2: the 18-character number for a 17-digit body."""
    check = (12 - sum(int(d) * w for d, w in zip(body17, _WEIGHTS, strict=True)) % 11) % 11
    return body17 + ("X" if check == 10 else str(check))


def with_wrong_check(number: str) -> str:
    digits = "0123456789X"
    return number[:-1] + digits[(digits.index(number[-1]) + 1) % len(digits)]


def talent_body(make: Factory, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id_number": make.resident_id(),
        "name": "李四",
        "education": "master",
        "title_level": "intermediate",
        "title_field": "机械工程",
        "hukou_city_code": SHANTOU,
    }
    return body | overrides


@pytest.fixture
def firm_headers(make: Factory) -> dict[str, str]:
    return make.firm_user(make.firm(SHANTOU))


def test_the_valid_body_is_accepted(
    client: TestClient, make: Factory, firm_headers: dict[str, str]
) -> None:
    r = client.post("/v1/talents", json=talent_body(make), headers=firm_headers)
    assert r.status_code == 201, r.text


# --- identity documents --------------------------------------------------------------------


def test_a_resident_id_with_a_wrong_check_digit_is_refused(
    client: TestClient, make: Factory, session: Session, firm_headers: dict[str, str]
) -> None:
    before = counts(session)
    body = talent_body(make, id_number=with_wrong_check(make.resident_id()))
    r = client.post("/v1/talents", json=body, headers=firm_headers)
    body = assert_problem(r, 422, slug="rule-violation", field="body.id_number")
    assert "check" in body["detail"]
    assert counts(session) == before


def test_a_resident_id_born_in_the_future_is_refused(
    client: TestClient, make: Factory, session: Session, firm_headers: dict[str, str]
) -> None:
    future = clock.today() + timedelta(days=400)
    number = with_check(f"440511{future:%Y%m%d}123")
    before = counts(session)
    r = client.post("/v1/talents", json=talent_body(make, id_number=number), headers=firm_headers)
    body = assert_problem(r, 422, slug="rule-violation", field="body.id_number")
    assert "future" in body["detail"]
    assert counts(session) == before


def test_a_resident_id_with_an_impossible_body_is_refused(
    client: TestClient, make: Factory, session: Session, firm_headers: dict[str, str]
) -> None:
    before = counts(session)
    for body17 in (
        "44051119900230123",  # 30 February
        "44051118991231123",  # born before 1900
        "99051119900517123",  # 9...: a foreign permanent resident ID, not a resident ID
        "00051119900517123",  # no such province
    ):
        body = talent_body(make, id_number=with_check(body17))
        r = client.post("/v1/talents", json=body, headers=firm_headers)
        assert_problem(r, 422, slug="rule-violation", field="body.id_number")
    assert counts(session) == before


def test_a_malformed_resident_id_is_refused(
    client: TestClient, make: Factory, session: Session, firm_headers: dict[str, str]
) -> None:
    before = counts(session)
    for number in (
        "44051119900517123",
        "4405111990051712345",
        "44051119900517123Y",
        "ABCDEFGHIJKLMNOPQR",
        "",
        440511199005171234,
        None,
    ):
        body = talent_body(make, id_number=number)
        r = client.post("/v1/talents", json=body, headers=firm_headers)
        assert_problem(r, 422, field="body.id_number")
    assert counts(session) == before


def test_a_foreign_permanent_id_with_a_wrong_check_digit_is_refused(
    client: TestClient, make: Factory, session: Session, firm_headers: dict[str, str]
) -> None:
    number = with_wrong_check(synthetic_foreign_permanent_id(random.Random(3)))
    before = counts(session)
    body = talent_body(make, id_kind="foreign_permanent_id", id_number=number, nationality="USA")
    r = client.post("/v1/talents", json=body, headers=firm_headers)
    assert_problem(r, 422, slug="rule-violation", field="body.id_number")
    assert counts(session) == before


def test_a_passport_needs_a_foreign_nationality(
    client: TestClient, make: Factory, session: Session, firm_headers: dict[str, str]
) -> None:
    before = counts(session)
    for nationality in (None, "CHN", "HKG", "XXX", "usa1"):
        body = talent_body(make, id_kind="passport", id_number="E12345678", nationality=nationality)
        r = client.post("/v1/talents", json=body, headers=firm_headers)
        assert_problem(r, 422, field="body.nationality")
    assert counts(session) == before


def test_an_unknown_id_kind_is_refused(
    client: TestClient, make: Factory, session: Session, firm_headers: dict[str, str]
) -> None:
    before = counts(session)
    r = client.post("/v1/talents", json=talent_body(make, id_kind="driver"), headers=firm_headers)
    assert_problem(r, 422, slug="validation", field="body.id_kind")
    assert counts(session) == before


# --- cities, firms, enums --------------------------------------------------------------------


def test_an_unknown_hukou_city_is_refused(
    client: TestClient, make: Factory, session: Session, firm_headers: dict[str, str]
) -> None:
    before = counts(session)
    for city in ("110000", "440000"):
        body = talent_body(make, hukou_city_code=city)
        r = client.post("/v1/talents", json=body, headers=firm_headers)
        assert_problem(r, 422, slug="rule-violation", field="body.hukou_city_code")
    r = client.post(
        "/v1/talents", json=talent_body(make, hukou_city_code="4405"), headers=firm_headers
    )
    assert_problem(r, 422, slug="validation", field="body.hukou_city_code")
    assert counts(session) == before


def test_the_province_must_name_an_existing_firm(
    client: TestClient, make: Factory, session: Session
) -> None:
    before = counts(session)
    r = client.post("/v1/talents", json=talent_body(make), headers=make.province())
    assert_problem(r, 422, slug="rule-violation", field="body.firm_id")
    r = client.post(
        "/v1/talents", json=talent_body(make, firm_id=2**31 - 1), headers=make.province()
    )
    assert_problem(r, 422, slug="rule-violation", field="body.firm_id")
    r = client.post("/v1/talents", json=talent_body(make, firm_id=HUGE_ID), headers=make.province())
    assert_problem(r, 422, slug="validation", field="body.firm_id")
    assert counts(session) == before


def test_a_firm_cannot_register_talent_for_another_firm(
    client: TestClient, make: Factory, session: Session, firm_headers: dict[str, str]
) -> None:
    other = make.firm(SHANTOU)
    before = counts(session)
    r = client.post("/v1/talents", json=talent_body(make, firm_id=other.id), headers=firm_headers)
    assert_problem(r, 422, slug="rule-violation", field="body.firm_id")
    assert counts(session) == before


def test_unknown_enum_values_are_refused(
    client: TestClient, make: Factory, session: Session, firm_headers: dict[str, str]
) -> None:
    before = counts(session)
    for name, value in [("education", "phd"), ("title_level", "expert"), ("education", None)]:
        body = talent_body(make, **{name: value})
        r = client.post("/v1/talents", json=body, headers=firm_headers)
        assert_problem(r, 422, slug="validation", field=f"body.{name}")
    assert counts(session) == before


# --- text fields ---------------------------------------------------------------------------


def test_oversized_text_is_refused(
    client: TestClient, make: Factory, session: Session, firm_headers: dict[str, str]
) -> None:
    before = counts(session)
    for name in ("name", "title_field", "id_number", "nationality"):
        body = talent_body(make, **{name: LONG_TEXT})
        r = client.post("/v1/talents", json=body, headers=firm_headers)
        assert_problem(r, 422, slug="validation", field=f"body.{name}")
    assert counts(session) == before


@pytest.mark.parametrize("name", ["name", "title_field"])
def test_control_characters_or_empty_text_are_refused(
    client: TestClient,
    make: Factory,
    session: Session,
    firm_headers: dict[str, str],
    name: str,
) -> None:
    before = counts(session)
    for value in ["", *(f"李{char}四" for char in CONTROL_CHARS)]:
        body = talent_body(make, **{name: value})
        r = client.post("/v1/talents", json=body, headers=firm_headers)
        assert_problem(r, 422, slug="validation", field=f"body.{name}")
    assert counts(session) == before


# Identifiers are compacted first (spaces and hyphens people paste are dropped), and U+0085 is a
# space to Python; what is stored is the clean number, so only non-space controls are refused.
NON_SPACE_CONTROLS = tuple(c for c in CONTROL_CHARS if not c.isspace())


def test_control_characters_in_identity_fields_are_refused(
    client: TestClient, make: Factory, session: Session, firm_headers: dict[str, str]
) -> None:
    number = make.resident_id()
    before = counts(session)
    for char in NON_SPACE_CONTROLS:
        body = talent_body(make, id_number=number[:9] + char + number[9:])
        r = client.post("/v1/talents", json=body, headers=firm_headers)
        assert_problem(r, 422, field="body.id_number")
        body = talent_body(make, id_kind="passport", id_number="E1234567", nationality=f"U{char}A")
        r = client.post("/v1/talents", json=body, headers=firm_headers)
        assert_problem(r, 422, field="body.nationality")
        body = talent_body(make, id_kind="passport", id_number=f"E123{char}4567", nationality="USA")
        r = client.post("/v1/talents", json=body, headers=firm_headers)
        assert_problem(r, 422, field="body.id_number")
    assert counts(session) == before


# --- extra fields --------------------------------------------------------------------------


def test_extra_fields_on_create_are_refused(
    client: TestClient, make: Factory, session: Session, firm_headers: dict[str, str]
) -> None:
    before = counts(session)
    for name, value in [
        ("id", 3),
        ("birth_date", "1990-05-17"),
        ("sex", "male"),
        ("id_lookup", "x"),
        ("version", 2),
    ]:
        body = talent_body(make, **{name: value})
        r = client.post("/v1/talents", json=body, headers=firm_headers)
        assert_problem(r, 422, slug="validation", field=f"body.{name}")
    assert counts(session) == before


# --- PATCH ---------------------------------------------------------------------------------


@pytest.fixture
def talent(make: Factory) -> tuple[Talent, dict[str, str]]:
    firm = make.firm(SHANTOU)
    return make.talent(firm), make.firm_user(firm)


def test_identity_fields_cannot_be_patched(
    client: TestClient, make: Factory, session: Session, talent: tuple[Talent, dict[str, str]]
) -> None:
    person, headers = talent
    assert person.id is not None
    stored = snapshot(session, Talent, person.id)
    for name, value in [
        ("id_number", "440511199005171234"),
        ("id_kind", "passport"),
        ("nationality", "USA"),
        ("birth_date", "1980-01-01"),
        ("sex", "male"),
        ("firm_id", 1),
        ("version", 7),
    ]:
        for caller in (headers, make.province()):
            r = client.patch(f"/v1/talents/{person.id}", json={name: value}, headers=caller)
            assert_problem(r, 422, slug="validation", field=f"body.{name}")
    assert snapshot(session, Talent, person.id) == stored


def test_null_for_a_required_field_on_patch_is_refused(
    client: TestClient, session: Session, talent: tuple[Talent, dict[str, str]]
) -> None:
    person, headers = talent
    assert person.id is not None
    stored = snapshot(session, Talent, person.id)
    for name in ("name", "education", "title_level"):
        r = client.patch(f"/v1/talents/{person.id}", json={name: None}, headers=headers)
        body = assert_problem(r, 422, slug="validation")
        assert name in body["detail"] + str(body["errors"])
    assert snapshot(session, Talent, person.id) == stored


def test_patch_checks_the_hukou_city_and_text(
    client: TestClient, session: Session, talent: tuple[Talent, dict[str, str]]
) -> None:
    person, headers = talent
    assert person.id is not None
    stored = snapshot(session, Talent, person.id)
    r = client.patch(
        f"/v1/talents/{person.id}", json={"hukou_city_code": "110000"}, headers=headers
    )
    assert_problem(r, 422, slug="rule-violation", field="body.hukou_city_code")
    r = client.patch(f"/v1/talents/{person.id}", json={"name": "a\x00b"}, headers=headers)
    assert_problem(r, 422, slug="validation", field="body.name")
    r = client.patch(f"/v1/talents/{person.id}", json={"title_field": LONG_TEXT}, headers=headers)
    assert_problem(r, 422, slug="validation", field="body.title_field")
    assert snapshot(session, Talent, person.id) == stored


def test_a_stale_if_match_is_refused_and_the_row_is_unchanged(
    client: TestClient, session: Session, talent: tuple[Talent, dict[str, str]]
) -> None:
    person, headers = talent
    assert person.id is not None
    stored = snapshot(session, Talent, person.id)
    r = client.patch(
        f"/v1/talents/{person.id}",
        json={"education": "doctor"},
        headers=headers | {"If-Match": f'"{person.version + 3}"'},
    )
    assert_problem(r, 412, slug="precondition-failed")
    assert snapshot(session, Talent, person.id) == stored
    r = client.patch(
        f"/v1/talents/{person.id}",
        json={"education": "doctor"},
        headers=headers | {"If-Match": "x"},
    )
    assert_problem(r, 422, slug="validation", field="header.If-Match")
    assert snapshot(session, Talent, person.id) == stored


def test_a_huge_talent_id_in_the_path_is_refused(client: TestClient, make: Factory) -> None:
    for path in (f"/v1/talents/{HUGE_ID}", f"/v1/talents/{HUGE_ID}/identity"):
        assert_problem(client.get(path, headers=make.province()), 422, field="path.talent_id")
    r = client.patch(f"/v1/talents/{HUGE_ID}", json={"name": "x"}, headers=make.province())
    assert_problem(r, 422, field="path.talent_id")
