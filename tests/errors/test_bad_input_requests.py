"""Bad requests, whatever the resource: malformed JSON, wrong content type, bad pagination and
filters, ids too large for the database, unknown paths of reference data."""

from __future__ import annotations

import base64
import json
import random
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from talent_service.reference.identifiers import synthetic_uscc
from tests.errors import HUGE_ID, assert_problem, counts, fields_of
from tests.factories import SHANTOU, SHENZHEN, Factory

JSON = {"Content-Type": "application/json"}
LISTS = ["/v1/firms", "/v1/enclaves", "/v1/centers", "/v1/talents", "/v1/employments"]
READS = [
    ("/v1/firms/{}", "firm_id"),
    ("/v1/enclaves/{}", "enclave_id"),
    ("/v1/centers/{}", "center_id"),
    ("/v1/talents/{}", "talent_id"),
    ("/v1/talents/{}/identity", "talent_id"),
    ("/v1/employments/{}", "employment_id"),
]


def cursor_of(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def creations(make: Factory) -> list[tuple[str, dict[str, Any], dict[str, str]]]:
    """One valid create per resource, with the headers of a caller allowed to make it."""
    firm = make.firm(SHANTOU)
    enclave = make.enclave(SHENZHEN, partners=(SHANTOU,))
    talent = make.talent(firm)
    firm_h = make.firm_user(firm)
    return [
        (
            "/v1/firms",
            {
                "uscc": synthetic_uscc(random.Random(5), SHANTOU),
                "name": "x",
                "home_city_code": SHANTOU,
            },
            make.province(),
        ),
        (
            "/v1/enclaves",
            {
                "name": "x",
                "host_city_code": SHENZHEN,
                "district": "x",
                "operator": "x",
                "total_floor_area_m2": 10,
                "partner_city_codes": [SHANTOU],
            },
            make.province(),
        ),
        (
            "/v1/centers",
            {
                "kind": "rnd",
                "enclave_id": enclave.id,
                "name": "x",
                "address": "x",
                "floor_area_m2": 10,
                "opened_on": "2022-01-01",
            },
            firm_h,
        ),
        (
            "/v1/talents",
            {"id_number": make.resident_id(), "name": "x", "education": "master"},
            firm_h,
        ),
        (
            "/v1/employments",
            {
                "talent_id": talent.id,
                "position": "x",
                "hired_on": "2022-01-01",
                "si_city_code": SHANTOU,
            },
            firm_h,
        ),
        (
            "/v1/registrations",
            {
                "firm": {
                    "uscc": synthetic_uscc(random.Random(6), SHANTOU),
                    "name": "x",
                    "home_city_code": SHANTOU,
                },
                "username": "someone",
                "password": "long enough password",
            },
            {},
        ),
    ]


MALFORMED_JSON = [
    b'{"name": ',
    b"{'name': 'x'}",
    b'{"name": "x",}',
    b"\xff\xfe{}",
    b"[1, 2",
    b"nul",
]


def test_malformed_json_is_refused_and_nothing_written(
    client: TestClient, make: Factory, session: Session
) -> None:
    targets = creations(make)
    before = counts(session)
    for raw in MALFORMED_JSON:
        for path, _, headers in targets:
            r = client.post(
                path, content=raw, headers=headers | {"Content-Type": "application/json"}
            )
            body = assert_problem(r, r.status_code)
            assert r.status_code in (400, 422), (path, r.text)
            assert body["type"].endswith(("/bad-request", "/validation")), body
            assert all(f.startswith("body") for f in fields_of(r)), body
    assert counts(session) == before


def test_a_body_that_is_not_an_object_is_refused(
    client: TestClient, make: Factory, session: Session
) -> None:
    targets = creations(make)
    before = counts(session)
    for raw in (b"[]", b'"text"', b"42", b"null", b"true", b"[{}]"):
        for path, _, headers in targets:
            r = client.post(
                path, content=raw, headers=headers | {"Content-Type": "application/json"}
            )
            assert_problem(r, 422, slug="validation")
    assert counts(session) == before


def test_a_wrong_content_type_is_refused_and_nothing_written(
    client: TestClient, make: Factory, session: Session
) -> None:
    targets = creations(make)
    before = counts(session)
    for content_type in (
        "text/plain",
        "application/x-www-form-urlencoded",
        "application/xml",
        "multipart/form-data; boundary=x",
    ):
        for path, body, headers in targets:
            # A perfectly good JSON document, labelled as something else.
            r = client.post(
                path,
                content=json.dumps(body).encode(),
                headers=headers | {"Content-Type": content_type},
            )
            problem = assert_problem(r, r.status_code)
            assert r.status_code in (415, 422), (path, r.text)
            assert problem["type"].endswith(("/unsupported-media-type", "/validation")), problem
    assert counts(session) == before
    # The same documents, labelled as JSON, are accepted: the label alone was refused.
    for path, body, headers in targets:
        r = client.post(path, content=json.dumps(body).encode(), headers=headers | JSON)
        # A sign-up is accepted with 202 (it awaits its bureau); the others are created.
        assert r.status_code == (202 if path == "/v1/registrations" else 201), (path, r.text)


def test_an_empty_body_is_refused(client: TestClient, make: Factory, session: Session) -> None:
    targets = creations(make)
    before = counts(session)
    for path, _, headers in targets:
        r = client.post(path, headers=headers)
        assert_problem(r, 422, slug="validation", field="body")
    assert counts(session) == before


# --- pagination and filters --------------------------------------------------------------------


CURSORS = [
    "!!!",
    cursor_of("not a number"),
    cursor_of("-5"),
    cursor_of(str(HUGE_ID)),
    "%00",
    "\x00",
    "é",
]


@pytest.mark.parametrize("path", LISTS)
def test_an_invalid_cursor_is_refused(client: TestClient, make: Factory, path: str) -> None:
    for cursor in CURSORS:
        r = client.get(path, params={"cursor": cursor}, headers=make.province())
        body = assert_problem(r, r.status_code, field="query.cursor")
        assert r.status_code in (400, 422), r.text
        assert body["type"].endswith(("/bad-request", "/validation"))
    r = client.get(path, params={"cursor": "A" * 10_000}, headers=make.province())
    assert_problem(r, 422, slug="validation", field="query.cursor")


@pytest.mark.parametrize("path", LISTS)
def test_a_limit_outside_the_cap_is_refused(client: TestClient, make: Factory, path: str) -> None:
    for limit in ("201", "0", "-1", str(HUGE_ID), "ten", "1.5", "1e3", ""):
        r = client.get(path, params={"limit": limit}, headers=make.province())
        assert_problem(r, 422, slug="validation", field="query.limit")
    # The cap itself is fine.
    assert client.get(path, params={"limit": 200}, headers=make.province()).status_code == 200


MALFORMED_FILTERS = [
    ("/v1/firms", "home_city_code", "4405"),
    ("/v1/firms", "home_city_code", "4" * 5_000),
    ("/v1/firms", "tier", "giant"),
    ("/v1/enclaves", "host_city_code", "shenzhen"),
    ("/v1/enclaves", "partner_city_code", "44150\x00"),
    ("/v1/centers", "status", "open"),
    ("/v1/centers", "kind", "lab"),
    ("/v1/centers", "firm_id", str(HUGE_ID)),
    ("/v1/centers", "enclave_id", "0"),
    ("/v1/talents", "education", "phd"),
    ("/v1/talents", "hire_year", "1989"),
    ("/v1/talents", "hire_year", str(HUGE_ID)),
    ("/v1/talents", "still_employed", "perhaps"),
    ("/v1/talents", "center_id", str(HUGE_ID)),
    ("/v1/employments", "hire_year", "2101"),
    ("/v1/employments", "at_home_site", "2"),
    ("/v1/employments", "talent_id", str(HUGE_ID)),
    ("/v1/employments", "host_city_code", "44030"),
    ("/v1/cities", "region", "south"),
]


def test_a_malformed_filter_is_refused(client: TestClient, make: Factory) -> None:
    for path, name, value in MALFORMED_FILTERS:
        r = client.get(path, params={name: value}, headers=make.province())
        assert_problem(r, 422, slug="validation", field=f"query.{name}")


def test_an_unknown_but_well_formed_city_filter_finds_nothing(
    client: TestClient, make: Factory
) -> None:
    make.firm(SHANTOU)
    make.enclave(SHENZHEN)
    for path in LISTS:
        name = "host_city_code" if path == "/v1/enclaves" else "home_city_code"
        r = client.get(path, params={name: "110000"}, headers=make.province())
        assert r.status_code == 200, r.text
        assert r.json()["items"] == []


# --- ids in paths ----------------------------------------------------------------------------


@pytest.mark.parametrize(("template", "name"), READS)
def test_an_impossible_id_in_the_path_is_refused(
    client: TestClient, make: Factory, template: str, name: str
) -> None:
    for value in (str(HUGE_ID), str(2**31), "0", "-1", "1.5", "abc", "1e3", "%00"):
        r = client.get(template.format(value), headers=make.province())
        assert_problem(r, 422, slug="validation", field=f"path.{name}")
    # The largest id the database can hold is simply not found.
    r = client.get(template.format(2**31 - 1), headers=make.province())
    assert_problem(r, 404, slug="not-found")


def test_an_unknown_or_malformed_city_code(client: TestClient, make: Factory) -> None:
    for code in ("110000", "440000", "000000"):
        r = client.get(f"/v1/cities/{code}", headers=make.province())
        assert_problem(r, 404, slug="not-found")
    for code in ("4403", "4403000", "shenzh", "44030%00", "4" * 10_000):
        r = client.get(f"/v1/cities/{code}", headers=make.province())
        assert_problem(r, 422, slug="validation", field="path.city_code")
