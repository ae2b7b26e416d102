"""Every route declares who may call it; nothing protected answers without a valid token."""

from __future__ import annotations

import random
import re
import time
from collections.abc import AsyncIterator, Iterator
from datetime import date, timedelta
from typing import Any

import jwt
import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient

from talent_service.auth.access import Access, Public
from talent_service.auth.principal import ALL_SCOPES, ROLE_SCOPES, Principal
from talent_service.core import clock
from talent_service.core.config import get_settings
from talent_service.core.security import issue_token
from talent_service.core.unit_of_work import get_session
from talent_service.main import create_app
from talent_service.reference.enums import Role, Sex
from talent_service.reference.identifiers import (
    known_region_codes_for,
    synthetic_resident_id,
    synthetic_uscc,
)
from tests.access.world import ENCLAVE_ROUTES, FIRM_TIER_ROUTES, ID_ROUTES, assert_problem
from tests.factories import Factory

# Routes anyone may call without a token. A new public route fails the test below until it is
# added here, knowingly.
EXPECTED_PUBLIC = {
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("POST", "/v1/auth/token"),
    ("POST", "/v1/auth/revoke"),  # RFC 7009: holding the token is the authority to revoke it
    ("POST", "/v1/registrations"),
    ("GET", "/.well-known/jwks.json"),  # public keys that verify signed decisions
}
# Plain Starlette routes FastAPI adds for the documentation: public, and nothing else may be.
EXPECTED_DOC_ROUTES = {"/openapi.json", "/docs", "/docs/oauth2-redirect"}

_RESIDENT_ID = synthetic_resident_id(
    random.Random(1), known_region_codes_for("4405", 1990)[0], date(1990, 5, 17), Sex.female
)

_DECISION_ID = "00000000-0000-4000-8000-000000000001"

# A minimal valid request for every protected route, so that a 401 cannot hide behind a 422.
VALID_REQUESTS: dict[tuple[str, str], tuple[str, dict[str, Any] | None]] = {
    ("GET", "/v1/cities"): ("/v1/cities", None),
    ("GET", "/v1/cities/{city_code}"): ("/v1/cities/440300", None),
    ("POST", "/v1/firms"): (
        "/v1/firms",
        {
            "uscc": synthetic_uscc(random.Random(1), "440500"),
            "name": "Shantou Test Ltd",
            "home_city_code": "440500",
        },
    ),
    ("GET", "/v1/firms"): ("/v1/firms", None),
    ("GET", "/v1/firms/{firm_id}"): ("/v1/firms/1", None),
    ("PATCH", "/v1/firms/{firm_id}"): ("/v1/firms/1", {"name": "Renamed Ltd"}),
    ("GET", "/v1/firms/{firm_id}/tiers"): ("/v1/firms/1/tiers", None),
    ("POST", "/v1/firms/{firm_id}/tiers"): (
        "/v1/firms/1/tiers",
        {
            "tier": "little_giant",
            "certificate_no": "GD-XJR-2026-0001",
            "valid_from": "2026-01-01",
            "valid_to": "2028-12-31",
        },
    ),
    ("POST", "/v1/firms/{firm_id}/tiers/{period_id}/approve"): ("/v1/firms/1/tiers/1/approve", {}),
    ("POST", "/v1/firms/{firm_id}/tiers/{period_id}/reject"): (
        "/v1/firms/1/tiers/1/reject",
        {"note": "certificate not found"},
    ),
    ("GET", "/v1/firms/{firm_id}/history"): ("/v1/firms/1/history", None),
    ("GET", "/v1/firm-tiers"): ("/v1/firm-tiers?state=submitted", None),
    ("POST", "/v1/enclaves"): (
        "/v1/enclaves",
        {
            "name": "Space",
            "host_city_code": "440300",
            "district": "Nanshan",
            "operator": "Operator Ltd",
            "total_floor_area_m2": 1000,
            "partner_city_codes": ["440500"],
        },
    ),
    ("GET", "/v1/enclaves"): ("/v1/enclaves", None),
    ("GET", "/v1/enclaves/{enclave_id}"): ("/v1/enclaves/1", None),
    ("PATCH", "/v1/enclaves/{enclave_id}"): ("/v1/enclaves/1", {"name": "Renamed"}),
    ("POST", "/v1/centers"): (
        "/v1/centers",
        {
            "kind": "rnd",
            "host_city_code": "440300",
            "name": "Center",
            "address": "1 Road",
            "floor_area_m2": 100,
            "opened_on": "2022-01-01",
        },
    ),
    ("GET", "/v1/centers"): ("/v1/centers", None),
    ("GET", "/v1/centers/{center_id}"): ("/v1/centers/1", None),
    ("GET", "/v1/centers/{center_id}/history"): ("/v1/centers/1/history", None),
    ("PATCH", "/v1/centers/{center_id}"): ("/v1/centers/1", {"name": "Renamed"}),
    ("POST", "/v1/centers/{center_id}/accreditation"): (
        "/v1/centers/1/accreditation",
        {"decision": "accredited"},
    ),
    ("POST", "/v1/centers/{center_id}/suspension"): ("/v1/centers/1/suspension", {}),
    ("POST", "/v1/centers/{center_id}/reinstatement"): ("/v1/centers/1/reinstatement", {}),
    ("POST", "/v1/centers/{center_id}/closure"): (
        "/v1/centers/1/closure",
        {"closed_on": "2024-01-01"},
    ),
    ("POST", "/v1/talents"): (
        "/v1/talents",
        {"id_number": _RESIDENT_ID, "name": "张三", "education": "master"},
    ),
    ("GET", "/v1/talents"): ("/v1/talents", None),
    ("GET", "/v1/talents/{talent_id}"): ("/v1/talents/1", None),
    ("GET", "/v1/talents/{talent_id}/identity"): ("/v1/talents/1/identity", None),
    ("PATCH", "/v1/talents/{talent_id}"): ("/v1/talents/1", {"name": "李四"}),
    ("POST", "/v1/employments"): (
        "/v1/employments",
        {
            "talent_id": 1,
            "position": "Engineer",
            "hired_on": "2023-01-01",
            "si_city_code": "440300",
        },
    ),
    ("GET", "/v1/employments"): ("/v1/employments", None),
    ("GET", "/v1/employments/{employment_id}"): ("/v1/employments/1", None),
    ("PATCH", "/v1/employments/{employment_id}"): ("/v1/employments/1", {"position": "Lead"}),
    ("POST", "/v1/employments/{employment_id}/departure"): (
        "/v1/employments/1/departure",
        {"departed_on": "2024-01-01", "reason": "resigned"},
    ),
    ("POST", "/v1/eligibility/checks"): ("/v1/eligibility/checks", {"talent_id": 1}),
    ("GET", "/v1/eligibility/decisions/{decision_id}"): (
        f"/v1/eligibility/decisions/{_DECISION_ID}",
        None,
    ),
    ("GET", "/v1/eligibility/decisions/{decision_id}/attestation"): (
        f"/v1/eligibility/decisions/{_DECISION_ID}/attestation",
        None,
    ),
    ("GET", "/v1/eligibility/decisions/{decision_id}/document"): (
        f"/v1/eligibility/decisions/{_DECISION_ID}/document",
        None,
    ),
    ("POST", "/v1/eligibility/verify"): (
        "/v1/eligibility/verify",
        {"id_number": _RESIDENT_ID, "benefit": "hukou", "city_code": "440300"},
    ),
    ("GET", "/v1/eligibility/facts"): ("/v1/eligibility/facts", None),
    ("GET", "/v1/sign-ups"): ("/v1/sign-ups?state=pending", None),
    ("GET", "/v1/sign-ups/{firm_id}"): ("/v1/sign-ups/1", None),
    ("POST", "/v1/sign-ups/{firm_id}/approve"): ("/v1/sign-ups/1/approve", {}),
    ("POST", "/v1/sign-ups/{firm_id}/reject"): (
        "/v1/sign-ups/1/reject",
        {"reason": "not a firm of the programme"},
    ),
    ("GET", "/v1/account"): ("/v1/account", None),
}


def _api_routes(app: FastAPI) -> list[APIRoute]:
    """Every APIRoute with its effective path and the dependencies its routers added."""
    routes = [
        context
        for context in iter_route_contexts(app.routes)
        if isinstance(context.original_route, APIRoute)
    ]
    # Guard against an enumeration that silently finds nothing (FastAPI changed how included
    # routers appear in app.routes before; a vacuous pass would hide every missing rule).
    assert len(routes) >= len(VALID_REQUESTS) + len(EXPECTED_PUBLIC)
    return routes  # type: ignore[return-value]


def _other_routes(app: FastAPI) -> set[str]:
    return {
        str(context.path)
        for context in iter_route_contexts(app.routes)
        if not isinstance(context.original_route, APIRoute)
    }


def _calls(dependant: Dependant) -> Iterator[Any]:
    for dependency in dependant.dependencies:
        yield dependency.call
        yield from _calls(dependency)


def _keys(route: APIRoute) -> list[tuple[str, str]]:
    return [(method, route.path_format) for method in sorted(route.methods - {"HEAD"})]


@pytest.fixture(scope="module")
def routes() -> list[APIRoute]:
    return _api_routes(create_app())


def _protected(routes: list[APIRoute]) -> set[tuple[str, str]]:
    return {
        key
        for route in routes
        if not any(isinstance(c, Public) for c in _calls(route.dependant))
        for key in _keys(route)
    }


def test_every_route_declares_an_access_rule(routes: list[APIRoute]) -> None:
    offenders = [
        f"{'/'.join(sorted(route.methods))} {route.path_format}"
        for route in routes
        if not any(isinstance(call, Access | Public) for call in _calls(route.dependant))
    ]
    assert not offenders, f"routes without an Access or Public rule: {offenders}"


def test_every_access_rule_names_a_known_scope_and_some_role(routes: list[APIRoute]) -> None:
    rules = [c for route in routes for c in _calls(route.dependant) if isinstance(c, Access)]
    assert rules
    for rule in rules:
        assert rule.roles and rule.scope in ALL_SCOPES, rule


def test_no_route_is_both_public_and_restricted(routes: list[APIRoute]) -> None:
    confused = [
        route.path_format
        for route in routes
        if any(isinstance(c, Public) for c in _calls(route.dependant))
        and any(isinstance(c, Access) for c in _calls(route.dependant))
    ]
    assert not confused


def test_the_access_rule_runs_before_anything_else_the_route_depends_on(
    routes: list[APIRoute],
) -> None:
    # FastAPI resolves a route's dependencies in the order of its parameters; the rule comes
    # first, so an unauthenticated or unauthorised caller is refused before a session is opened
    # or a body, page or If-Match header is looked at (the 401 tests below check the effect).
    offenders = [
        f"{'/'.join(sorted(route.methods))} {route.path_format}"
        for route in routes
        if not route.dependant.dependencies
        or not isinstance(route.dependant.dependencies[0].call, Access | Public)
    ]
    assert not offenders, f"routes whose first dependency is not their rule: {offenders}"


def test_public_routes_are_exactly_the_known_few(routes: list[APIRoute]) -> None:
    public = {
        key
        for route in routes
        if any(isinstance(c, Public) for c in _calls(route.dependant))
        for key in _keys(route)
    }
    assert public == EXPECTED_PUBLIC


def test_only_the_documentation_is_served_outside_fastapi_routes() -> None:
    # A Starlette route or mount would bypass both the Access check and authentication.
    assert _other_routes(create_app()) == EXPECTED_DOC_ROUTES


def test_sample_requests_name_existing_protected_routes(routes: list[APIRoute]) -> None:
    assert set(VALID_REQUESTS) <= _protected(routes)


# The registry's resources, whose visibility these tests own (decisions and policies are tested
# beside their own domain).
REGISTRY = ("/v1/firms/", "/v1/enclaves/", "/v1/centers/", "/v1/talents/", "/v1/employments/")
# Registry paths whose visibility is tested beside their own domain, each refusal from the caller's
# side (a firm's view of declarations is narrower than its view of the person).
TESTED_BESIDE_THEIR_DOMAIN = {
    "GET /v1/talents/{talent_id}/declarations",  # tests/declarations/test_visibility.py
    "POST /v1/talents/{talent_id}/declarations",  # tests/declarations/test_declare_api.py
    "GET /v1/talents/{talent_id}/history",  # tests/declarations/test_visibility.py
    "GET /v1/talents/{talent_id}/household",  # tests/household/test_household_api.py
    "POST /v1/talents/{talent_id}/household",  # tests/household/test_household_api.py
}


def test_every_registry_route_taking_an_id_is_in_the_visibility_tables(
    routes: list[APIRoute],
) -> None:
    with_id = {
        f"{method} {path}"
        for method, path in _protected(routes)
        if "_id}" in path and path.startswith(REGISTRY)
    }
    covered = {f"{r.method} {r.template}" for r in [*ID_ROUTES, *ENCLAVE_ROUTES, *FIRM_TIER_ROUTES]}
    assert with_id - TESTED_BESIDE_THEIR_DOMAIN == covered


# --- no token, no data ---------------------------------------------------------------------


def _token(claims: dict[str, Any], **kw: Any) -> str:
    return issue_token(claims, **kw)[0]


def _province_claims() -> dict[str, Any]:
    return Principal("user:1", Role.province, scopes=ROLE_SCOPES[Role.province]).claims()


def _bad_authorizations() -> dict[str, dict[str, str]]:
    claims = _province_claims()
    expired = _token(claims, lifetime=timedelta(seconds=-30))
    foreign_key = jwt.encode(
        {
            **claims,
            "iss": "talent-service",
            "iat": int(clock.timestamp()),
            "exp": int(clock.timestamp()) + 600,
        },
        "not-the-service-signing-key-but-long-enough-for-hs256",
        algorithm="HS256",
    )
    unsigned = jwt.encode(
        {
            **claims,
            "iss": "talent-service",
            "iat": int(clock.timestamp()),
            "exp": int(clock.timestamp()) + 600,
        },
        None,
        algorithm="none",
    )
    unknown_role = _token({**claims, "role": "superuser"})
    key = get_settings().secret_key.get_secret_value()
    now = int(clock.timestamp())
    wrong_issuer = jwt.encode(
        {**claims, "iss": "someone-else", "iat": now, "exp": now + 600}, key, algorithm="HS256"
    )
    no_subject = jwt.encode(
        {
            "role": "province",
            "scope": claims["scope"],
            "iss": "talent-service",
            "iat": now,
            "exp": now + 600,
        },
        key,
        algorithm="HS256",
    )
    return {
        "no header": {},
        "empty bearer": {"Authorization": "Bearer "},
        "garbage": {"Authorization": "Bearer not-a-token"},
        "basic scheme": {"Authorization": "Basic dXNlcjpwYXNz"},
        "expired": {"Authorization": f"Bearer {expired}"},
        "signed with another key": {"Authorization": f"Bearer {foreign_key}"},
        "alg none": {"Authorization": f"Bearer {unsigned}"},
        "unknown role": {"Authorization": f"Bearer {unknown_role}"},
        "token without bearer scheme": {"Authorization": _token(claims)},
        "wrong issuer": {"Authorization": f"Bearer {wrong_issuer}"},
        "no subject": {"Authorization": f"Bearer {no_subject}"},
    }


BAD_AUTHORIZATIONS = _bad_authorizations()


async def _no_database() -> AsyncIterator[None]:
    raise AssertionError("a request without a valid token reached the database")
    yield  # pragma: no cover


@pytest.fixture(scope="module")
def anonymous() -> Iterator[TestClient]:
    """One app for the refusals below: they must be decided before any database work, so the
    session dependency fails loudly (as a 500) if a request ever gets that far."""
    app = create_app()
    app.dependency_overrides[get_session] = _no_database
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


_PATH_VALUES = {"city_code": "440300", "decision_id": _DECISION_ID}


def _request_for(key: tuple[str, str]) -> tuple[str, dict[str, Any] | None]:
    """The sample request, or for a route without one: ids of 1 and an empty body (a stronger
    check: authentication must refuse before the body is even looked at)."""
    if key in VALID_REQUESTS:
        return VALID_REQUESTS[key]
    url = re.sub(r"\{(\w+)\}", lambda m: _PATH_VALUES.get(m[1], "1"), key[1])
    return url, ({} if key[0] in ("POST", "PUT", "PATCH") else None)


# Every protected route of the app as it is now, including routes added after these tests.
PROTECTED = sorted(_protected(_api_routes(create_app())))


@pytest.mark.parametrize("how", sorted(BAD_AUTHORIZATIONS))
@pytest.mark.parametrize("key", PROTECTED, ids=" ".join)
def test_protected_route_refuses_a_request_without_a_valid_token(
    anonymous: TestClient, key: tuple[str, str], how: str
) -> None:
    url, body = _request_for(key)
    response = anonymous.request(key[0], url, json=body, headers=BAD_AUTHORIZATIONS[how])
    problem = assert_problem(response, 401)
    assert problem["type"].endswith("/unauthenticated")
    assert response.headers["www-authenticate"] == "Bearer"


def test_valid_requests_pass_validation_with_a_valid_token(
    client: TestClient, make: Factory
) -> None:
    # The control for the 401 checks: with a token, these requests are well-formed (any refusal
    # is the app's decision about the data, not a schema error) and are not refused as 401.
    wrong = {}
    for (method, _), (url, body) in sorted(VALID_REQUESTS.items()):
        response = client.request(method, url, json=body, headers=make.province())
        problem_type = response.json().get("type", "") if response.status_code >= 400 else ""
        if response.status_code == 401 or problem_type.endswith("/validation"):
            wrong[f"{method} {url}"] = response.text
    assert not wrong


@pytest.mark.parametrize("key", PROTECTED, ids=" ".join)
def test_protected_route_answers_401_even_to_an_invalid_request(
    anonymous: TestClient, key: tuple[str, str]
) -> None:
    # Invalid path ids and bodies: authentication runs first, so the caller learns nothing about
    # the request's shape either (a 422 would be tolerable, but this is what the app does).
    url, body = _request_for(key)
    url = url.replace("/1", "/0").replace("/440300", "/x")
    bad_body = None if body is None else {"unexpected": "\x00" * 3}
    response = anonymous.request(key[0], url, json=bad_body, params={"limit": "0"})
    assert_problem(response, 401)


def test_malformed_json_without_a_token_gets_no_data(anonymous: TestClient) -> None:
    response = anonymous.post(
        "/v1/centers", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code in (401, 422)
    assert response.headers["content-type"].startswith("application/problem+json")


def test_cached_token_is_refused_once_it_expires(client: TestClient, make: Factory) -> None:
    firm = make.firm()
    principal = Principal("user:5", Role.firm, firm_id=firm.id, scopes=ROLE_SCOPES[Role.firm])
    # "exp" is whole seconds, rounded down: a 1-second token issued at x.999 s would be valid
    # for a millisecond (this test used to fail now and then); 2 seconds leave at least one.
    token, _ = issue_token(principal.claims(), lifetime=timedelta(seconds=2))
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get(f"/v1/firms/{firm.id}", headers=headers).status_code == 200
    expires = jwt.decode(token, options={"verify_signature": False})["exp"]
    time.sleep(max(0.0, expires - clock.timestamp()) + 0.05)
    assert_problem(client.get(f"/v1/firms/{firm.id}", headers=headers), 401)
