"""Bad input on firms: ``POST /v1/firms`` (province), ``POST /v1/registrations`` (self-registration)
and ``PATCH /v1/firms/{firm_id}``."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlmodel import Session

from talent_service.core import clock
from talent_service.models import Firm, FirmTierPeriod
from talent_service.reference.identifiers import synthetic_uscc
from tests.errors import (
    CONTROL_CHARS,
    HUGE_ID,
    LONG_TEXT,
    assert_problem,
    counts,
    snapshot,
)
from tests.factories import SHANTOU, SHENZHEN, Factory

_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def valid_uscc(seed: int = 11) -> str:
    return synthetic_uscc(random.Random(seed), SHANTOU)


def with_wrong_check(uscc: str) -> str:
    """The same code with another character of the GB 32100 alphabet in the check position."""
    wrong = _USCC_ALPHABET[(_USCC_ALPHABET.index(uscc[-1]) + 1) % len(_USCC_ALPHABET)]
    return uscc[:-1] + wrong


def firm_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "uscc": valid_uscc(),
        "name": "汕头市某精密制造有限公司",
        "home_city_code": SHANTOU,
        "tier": "provincial_specialized",
        "tier_certificate_no": "GD-ZJTX-2024-0001",
        "tier_expires_on": "2027-12-31",
    }
    return body | overrides


def registration_body(**firm_overrides: Any) -> dict[str, Any]:
    return {
        "firm": firm_body(**firm_overrides),
        "username": "hr.clerk",
        "password": "correct horse battery",
    }


def tier_counts(session: Session) -> dict[str, int]:
    """Rows per registry table, and the tier periods beside them."""
    table = FirmTierPeriod.__table__  # type: ignore[attr-defined]
    periods = session.connection().execute(select(func.count()).select_from(table)).scalar_one()
    return counts(session) | {"firm_tier_period": periods}


def post_firm(client: TestClient, make: Factory, body: dict[str, Any]) -> Any:
    return client.post("/v1/firms", json=body, headers=make.province())


def test_the_valid_bodies_are_accepted(client: TestClient, make: Factory) -> None:
    # The bodies the other tests spoil are themselves fine (else every refusal below is hollow).
    assert post_firm(client, make, firm_body()).status_code == 201
    r = client.post("/v1/registrations", json=registration_body(uscc=valid_uscc(12)))
    assert r.status_code == 202, r.text


# --- unified social credit code ------------------------------------------------------------


def test_uscc_with_a_wrong_check_character_is_refused(
    client: TestClient, make: Factory, session: Session
) -> None:
    before = tier_counts(session)
    r = post_firm(client, make, firm_body(uscc=with_wrong_check(valid_uscc())))
    assert_problem(r, 422, slug="validation", field="body.uscc")
    assert tier_counts(session) == before


def test_registration_with_a_wrong_uscc_check_character_is_refused(
    client: TestClient, session: Session
) -> None:
    before = tier_counts(session)
    r = client.post(
        "/v1/registrations", json=registration_body(uscc=with_wrong_check(valid_uscc()))
    )
    assert_problem(r, 422, slug="validation", field="body.firm.uscc")
    assert tier_counts(session) == before


def test_malformed_uscc_is_refused(client: TestClient, make: Factory, session: Session) -> None:
    before = tier_counts(session)
    good = valid_uscc()
    for uscc in ["", "91440500", good + "0", good.replace("9", "I", 1), 91440500123456789, None]:
        assert_problem(post_firm(client, make, firm_body(uscc=uscc)), 422, field="body.uscc")
    assert tier_counts(session) == before


def test_a_registered_uscc_is_refused_again(
    client: TestClient, make: Factory, session: Session
) -> None:
    firm = make.firm(SHANTOU)
    before = tier_counts(session)
    r = post_firm(client, make, firm_body(uscc=firm.uscc))
    assert_problem(r, 409, slug="conflict", field="body.uscc")
    # A self-registration is answered as if it were new (tests/signups): nothing is written.
    r = client.post("/v1/registrations", json=registration_body(uscc=firm.uscc))
    assert r.status_code == 202, r.text
    assert tier_counts(session) == before


def test_a_taken_username_is_refused_and_nothing_written(
    client: TestClient, session: Session
) -> None:
    r = client.post("/v1/registrations", json=registration_body())
    assert r.status_code == 202, r.text
    before = tier_counts(session)
    r = client.post("/v1/registrations", json=registration_body(uscc=valid_uscc(13)))
    assert r.status_code == 202, r.text  # told nothing, as a new sign-up is
    assert tier_counts(session) == before  # not even the firm


def test_a_registration_colliding_on_its_uscc_names_no_field(
    client: TestClient, make: Factory
) -> None:
    firm = make.firm(SHANTOU)
    r = client.post("/v1/registrations", json=registration_body(uscc=firm.uscc))
    assert r.status_code == 202 and "uscc" not in r.text, r.text


# --- home city -----------------------------------------------------------------------------


def test_a_prd_home_city_is_refused(client: TestClient, make: Factory, session: Session) -> None:
    before = tier_counts(session)
    for city in (SHENZHEN, "440100", "441900"):  # Shenzhen, Guangzhou, Dongguan
        r = post_firm(client, make, firm_body(home_city_code=city))
        body = assert_problem(r, 422, slug="rule-violation", field="body.home_city_code")
        assert "Pearl River Delta" in body["detail"]
    assert tier_counts(session) == before


def test_an_unknown_home_city_is_refused(
    client: TestClient, make: Factory, session: Session
) -> None:
    before = tier_counts(session)
    for city in ("110000", "440000", "000000", "449900"):  # Beijing, the province, nothing
        r = post_firm(client, make, firm_body(home_city_code=city))
        assert_problem(r, 422, slug="rule-violation", field="body.home_city_code")
    assert tier_counts(session) == before


def test_a_malformed_home_city_is_refused(
    client: TestClient, make: Factory, session: Session
) -> None:
    before = tier_counts(session)
    for city in ("4405", "4405000", "44O500", "４４０５００", " 440500", 440500, None):
        r = post_firm(client, make, firm_body(home_city_code=city))
        # Full-width digits pass the schema's \d and are then refused as an unknown city.
        assert_problem(r, 422, field="body.home_city_code")
    assert tier_counts(session) == before


def test_registration_with_a_prd_home_city_is_refused(client: TestClient, session: Session) -> None:
    before = tier_counts(session)
    r = client.post("/v1/registrations", json=registration_body(home_city_code=SHENZHEN))
    assert_problem(r, 422, slug="rule-violation")
    assert tier_counts(session) == before  # neither the firm nor its account


def test_registration_with_a_prd_home_city_names_the_nested_field(
    client: TestClient, session: Session
) -> None:
    r = client.post("/v1/registrations", json=registration_body(home_city_code=SHENZHEN))
    assert_problem(r, 422, slug="rule-violation", field="body.firm.home_city_code")


def test_registration_with_an_unknown_home_city_is_refused(
    client: TestClient, session: Session
) -> None:
    before = tier_counts(session)
    r = client.post("/v1/registrations", json=registration_body(home_city_code="110000"))
    assert_problem(r, 422, slug="rule-violation")
    assert tier_counts(session) == before


# --- tier ----------------------------------------------------------------------------------


def test_an_unknown_tier_is_refused(client: TestClient, make: Factory, session: Session) -> None:
    before = tier_counts(session)
    assert_problem(post_firm(client, make, firm_body(tier="giant")), 422, field="body.tier")
    assert tier_counts(session) == before


def test_an_impossible_tier_expiry_is_refused(
    client: TestClient, make: Factory, session: Session
) -> None:
    before = tier_counts(session)
    for expires in ("1999-12-31", "2100-01-02", "31/12/2027", "2027-02-30"):
        r = post_firm(client, make, firm_body(tier_expires_on=expires))
        assert_problem(r, 422, slug="validation", field="body.tier_expires_on")
    assert tier_counts(session) == before


def test_a_tier_without_its_certificate_is_refused(
    client: TestClient, make: Factory, session: Session
) -> None:
    before = tier_counts(session)
    r = post_firm(client, make, firm_body(tier_certificate_no=None))
    assert_problem(r, 422, slug="validation")
    assert tier_counts(session) == before


def test_a_tier_without_its_certificate_names_the_missing_field(
    client: TestClient, make: Factory
) -> None:
    r = post_firm(client, make, firm_body(tier_certificate_no=None))
    assert_problem(r, 422, slug="validation", field="body.tier_certificate_no")
    r = post_firm(client, make, firm_body(tier_certificate_no=None, tier_expires_on=None))
    body = assert_problem(r, 422, slug="validation", field="body.tier_expires_on")
    assert "body.tier_certificate_no" in [e["field"] for e in body["errors"]]


def test_a_tier_without_its_certificate_names_the_field_wherever_it_is_sent(
    client: TestClient, make: Factory, session: Session
) -> None:
    firm = make.firm(SHANTOU)
    assert firm.id is not None
    before, stored = tier_counts(session), snapshot(session, Firm, firm.id)
    body = registration_body(tier_certificate_no=None)
    r = client.post("/v1/registrations", json=body)
    assert_problem(r, 422, slug="validation", field="body.firm.tier_certificate_no")
    submission = {"tier": "little_giant", "valid_from": "2026-01-01", "valid_to": "2027-12-31"}
    r = client.post(f"/v1/firms/{firm.id}/tiers", json=submission, headers=make.province())
    assert_problem(r, 422, slug="validation", field="body.certificate_no")
    assert tier_counts(session) == before
    assert snapshot(session, Firm, firm.id) == stored


def test_a_certificate_without_its_tier_is_refused_naming_the_tier(
    client: TestClient, make: Factory, session: Session
) -> None:
    before = tier_counts(session)
    for missing_tier in ({"tier": None}, {"tier": None, "tier_expires_on": None}):
        r = post_firm(client, make, firm_body(**missing_tier))
        assert_problem(r, 422, slug="validation", field="body.tier")
    r = client.post("/v1/registrations", json=registration_body(tier=None))
    assert_problem(r, 422, slug="validation", field="body.firm.tier")
    assert tier_counts(session) == before


def test_a_tier_valid_from_after_its_expiry_is_refused(
    client: TestClient, make: Factory, session: Session
) -> None:
    before = tier_counts(session)
    r = post_firm(client, make, firm_body(tier_valid_from="2028-01-01"))
    assert_problem(r, 422, slug="validation", field="body.tier_valid_from")
    for start in ("1999-12-31", "2100-01-02", "2026-02-30"):
        r = post_firm(client, make, firm_body(tier_valid_from=start))
        assert_problem(r, 422, slug="validation", field="body.tier_valid_from")
    assert tier_counts(session) == before


def test_an_expired_certificate_without_its_start_is_refused(
    client: TestClient, make: Factory, session: Session
) -> None:
    # Without tier_valid_from a certificate counts from the day it is recorded, which an expired
    # one cannot: its start is needed to record it.
    before = tier_counts(session)
    expired = (clock.today() - timedelta(days=1)).isoformat()
    r = post_firm(client, make, firm_body(tier_expires_on=expired))
    assert_problem(r, 422, slug="rule-violation", field="body.tier_valid_from")
    r = client.post("/v1/registrations", json=registration_body(tier_expires_on=expired))
    assert_problem(r, 422, slug="rule-violation", field="body.firm.tier_valid_from")
    assert tier_counts(session) == before
    r = post_firm(client, make, firm_body(tier_expires_on=expired, tier_valid_from="2020-01-01"))
    assert r.status_code == 201, r.text
    assert r.json()["tier"] is None  # recorded, and not today's tier


# --- text fields ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["name", "tier_certificate_no"])
def test_oversized_empty_or_control_character_text_is_refused(
    client: TestClient, make: Factory, session: Session, name: str
) -> None:
    before = tier_counts(session)
    for value in [LONG_TEXT, "", "   ", *(f"Firm{char}Ltd" for char in CONTROL_CHARS)]:
        r = post_firm(client, make, firm_body(**{name: value}))
        assert_problem(r, 422, slug="validation", field=f"body.{name}")
    assert tier_counts(session) == before


def test_a_certificate_number_longer_than_its_column_is_refused(
    client: TestClient, make: Factory, session: Session
) -> None:
    # The column holds 64 characters: PostgreSQL would refuse 65 with a 500.
    before = tier_counts(session)
    r = post_firm(client, make, firm_body(tier_certificate_no="9" * 65))
    assert_problem(r, 422, slug="validation", field="body.tier_certificate_no")
    assert tier_counts(session) == before
    assert post_firm(client, make, firm_body(tier_certificate_no="9" * 64)).status_code == 201


def test_invisible_and_bidi_control_characters_are_refused(
    client: TestClient, make: Factory, session: Session
) -> None:
    before = tier_counts(session)
    for value in (
        "\u200b",  # a zero-width space, and nothing else
        "\ufeff",  # a byte-order mark
        "汕头\u202e司公限有",  # a right-to-left override
        "汕头\u2028公司",  # a line separator
        "a\u2029b",  # a paragraph separator
    ):
        r = post_firm(client, make, firm_body(name=value))
        assert_problem(r, 422, slug="validation", field="body.name")
    assert tier_counts(session) == before


def test_rare_ideographs_in_a_name_are_accepted(client: TestClient, make: Factory) -> None:
    # U+31350 (CJK Extension H) is newer than some Python's Unicode tables, where it is still
    # "unassigned"; a person's or firm's name may need it all the same. Legacy systems put rare
    # characters in the private-use area (U+E000…), so those are names too.
    for k, name in enumerate(("汕头𠀀公司", "汕头\U00031350公司", "汕头\ue815公司", "\ue000")):
        r = post_firm(client, make, firm_body(name=name, uscc=valid_uscc(40 + k)))
        assert r.status_code == 201, r.text
        assert r.json()["name"] == name


def test_control_characters_in_a_registration_are_refused(
    client: TestClient, session: Session
) -> None:
    before = tier_counts(session)
    for char in CONTROL_CHARS:
        body = registration_body(name=f"Firm{char}Ltd")
        assert_problem(client.post("/v1/registrations", json=body), 422, field="body.firm.name")
        body = registration_body() | {"username": f"hr{char}clerk"}
        assert_problem(client.post("/v1/registrations", json=body), 422, field="body.username")
    assert tier_counts(session) == before


def test_an_oversized_registration_password_is_refused(
    client: TestClient, session: Session
) -> None:
    before = tier_counts(session)
    body = registration_body() | {"password": "p" * 10_000}
    assert_problem(client.post("/v1/registrations", json=body), 422, field="body.password")
    assert tier_counts(session) == before


# --- extra and forbidden fields --------------------------------------------------------------


def test_extra_fields_on_create_are_refused(
    client: TestClient, make: Factory, session: Session
) -> None:
    before = tier_counts(session)
    for name, value in [
        ("id", 7),
        ("version", 9),
        ("created_at", "2020-01-01T00:00:00Z"),
        ("firm_id", 1),
    ]:
        r = post_firm(client, make, firm_body(**{name: value}))
        assert_problem(r, 422, slug="validation", field=f"body.{name}")
    assert tier_counts(session) == before


def test_a_registration_cannot_smuggle_a_role_or_an_id(
    client: TestClient, session: Session
) -> None:
    before = tier_counts(session)
    for extra, field in [
        ({"role": "province"}, "body.role"),
        ({"city_code": SHENZHEN}, "body.city_code"),
        ({"firm_id": 1}, "body.firm_id"),
    ]:
        body = registration_body() | extra
        assert_problem(client.post("/v1/registrations", json=body), 422, field=field)
    body = registration_body()
    body["firm"]["id"] = 1
    assert_problem(client.post("/v1/registrations", json=body), 422, field="body.firm.id")
    assert tier_counts(session) == before


# --- PATCH ---------------------------------------------------------------------------------


def test_identity_fields_cannot_be_patched(
    client: TestClient, make: Factory, session: Session
) -> None:
    firm = make.firm(SHANTOU)
    assert firm.id is not None
    stored = snapshot(session, Firm, firm.id)
    for name, value in [
        ("uscc", valid_uscc(99)),
        ("home_city_code", "441500"),
        ("id", 5),
        ("version", 1),
    ]:
        for headers in (make.province(), make.firm_user(firm)):
            r = client.patch(f"/v1/firms/{firm.id}", json={name: value}, headers=headers)
            assert_problem(r, 422, slug="validation", field=f"body.{name}")
    assert snapshot(session, Firm, firm.id) == stored


def test_null_for_a_required_field_on_patch_is_refused(
    client: TestClient, make: Factory, session: Session
) -> None:
    firm = make.firm(SHANTOU)
    assert firm.id is not None
    stored = snapshot(session, Firm, firm.id)
    r = client.patch(f"/v1/firms/{firm.id}", json={"name": None}, headers=make.province())
    assert_problem(r, 422, slug="validation")
    assert snapshot(session, Firm, firm.id) == stored


def test_null_on_patch_names_the_field(client: TestClient, make: Factory) -> None:
    firm = make.firm(SHANTOU)
    r = client.patch(f"/v1/firms/{firm.id}", json={"name": None}, headers=make.province())
    assert_problem(r, 422, slug="validation", field="body.name")


def test_bad_text_on_patch_is_refused(client: TestClient, make: Factory, session: Session) -> None:
    firm = make.firm(SHANTOU)
    assert firm.id is not None
    stored = snapshot(session, Firm, firm.id)
    headers = make.firm_user(firm)
    for value in [LONG_TEXT, "", *(f"a{char}b" for char in CONTROL_CHARS)]:
        r = client.patch(f"/v1/firms/{firm.id}", json={"name": value}, headers=headers)
        assert_problem(r, 422, slug="validation", field="body.name")
    assert snapshot(session, Firm, firm.id) == stored


@pytest.mark.parametrize(
    "field",
    ["tier", "tier_certificate_no", "tier_expires_on", "tier_valid_from"],
)
def test_tier_fields_cannot_be_patched_by_anyone(
    client: TestClient, make: Factory, session: Session, field: str
) -> None:
    # A tier is submitted to /v1/firms/{id}/tiers and approved by the province, never set.
    firm = make.firm(SHANTOU)
    assert firm.id is not None
    before, stored = tier_counts(session), snapshot(session, Firm, firm.id)
    value = {"tier": "single_champion", "tier_certificate_no": "GD-1"}.get(field, "2099-12-31")
    for headers in (make.firm_user(firm), make.province()):
        r = client.patch(f"/v1/firms/{firm.id}", json={field: value}, headers=headers)
        assert_problem(r, 422, slug="validation", field=f"body.{field}")
        r = client.patch(f"/v1/firms/{firm.id}", json={field: None}, headers=headers)
        assert_problem(r, 422, slug="validation", field=f"body.{field}")
    assert tier_counts(session) == before
    assert snapshot(session, Firm, firm.id) == stored


def test_a_stale_if_match_is_refused_and_the_row_is_unchanged(
    client: TestClient, make: Factory, session: Session
) -> None:
    firm = make.firm(SHANTOU)
    assert firm.id is not None
    stored = snapshot(session, Firm, firm.id)
    headers = make.province() | {"If-Match": f'"{firm.version + 1}"'}
    r = client.patch(f"/v1/firms/{firm.id}", json={"name": "New name"}, headers=headers)
    assert_problem(r, 412, slug="precondition-failed")
    assert snapshot(session, Firm, firm.id) == stored
    # The version read is the one that works.
    headers = make.province() | {"If-Match": f'"{firm.version}"'}
    r = client.patch(f"/v1/firms/{firm.id}", json={"name": "New name"}, headers=headers)
    assert r.status_code == 200, r.text


def test_a_malformed_if_match_is_refused(
    client: TestClient, make: Factory, session: Session
) -> None:
    firm = make.firm(SHANTOU)
    assert firm.id is not None
    stored = snapshot(session, Firm, firm.id)
    for value in ["abc", '"-1"', '"1.5"', '"v3"', "9" * 40, ""]:
        headers = make.province() | {"If-Match": value}
        r = client.patch(f"/v1/firms/{firm.id}", json={"name": "New name"}, headers=headers)
        assert_problem(r, 422, slug="validation", field="header.If-Match")
    assert snapshot(session, Firm, firm.id) == stored


def test_a_huge_firm_id_in_the_path_is_refused(client: TestClient, make: Factory) -> None:
    for method in ("GET", "PATCH"):
        r = client.request(
            method, f"/v1/firms/{HUGE_ID}", json={"name": "x"}, headers=make.province()
        )
        assert_problem(r, 422, slug="validation", field="path.firm_id")
