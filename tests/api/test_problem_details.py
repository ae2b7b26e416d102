"""Every error is an RFC 9457 problem (``application/problem+json``) with the documented fields;
a 500 leaks nothing; the OpenAPI documents the problems each operation answers with."""

from __future__ import annotations

import functools
import json
from datetime import datetime
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from talent_service import health
from talent_service.core.errors import PROBLEM_TYPES
from talent_service.main import create_app
from tests.errors import PROBLEM_BASE, PROBLEM_MEDIA_TYPE, assert_problem
from tests.factories import SHANTOU, SHENZHEN, Factory

PROBLEM_FIELDS = {"type", "title", "status", "detail", "instance", "errors"}
PUBLIC_PATHS = (
    "/healthz",
    "/readyz",
    "/.well-known/",
    "/v1/auth/token",
    "/v1/auth/revoke",
    "/v1/registrations",
)
SECRET = "secret detail"


def problem(response: Any, status: int, slug: str) -> dict[str, Any]:
    body = assert_problem(response, status, slug=slug)
    assert set(body) == PROBLEM_FIELDS, body
    assert body["instance"] == response.request.url.path
    return body


# --- 404, 405, 401, 403 ----------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/nowhere", "/v1/nowhere", "/v1/firms/1/nothing", "/v2/firms"])
def test_an_unknown_path_is_a_404_problem(client: TestClient, make: Factory, path: str) -> None:
    for headers in ({}, make.province()):
        problem(client.get(path, headers=headers), 404, "not-found")


def test_an_unknown_id_is_a_404_problem(client: TestClient, make: Factory) -> None:
    for path in (
        "/v1/firms/2147483647",
        "/v1/centers/2147483647",
        "/v1/enclaves/2147483647",
        "/v1/talents/2147483647",
        "/v1/employments/2147483647",
        "/v1/cities/110000",
    ):
        body = problem(client.get(path, headers=make.province()), 404, "not-found")
        assert body["errors"] == []


def test_another_firm_s_object_is_the_same_404(client: TestClient, make: Factory) -> None:
    mine, theirs = make.firm(SHANTOU), make.firm(SHANTOU)
    missing = client.get("/v1/firms/2147483647", headers=make.firm_user(mine)).json()
    hidden = client.get(f"/v1/firms/{theirs.id}", headers=make.firm_user(mine))
    body = problem(hidden, 404, "not-found")
    assert body["detail"] == missing["detail"].replace("2147483647", str(theirs.id))


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("DELETE", "/v1/firms/1"),
        ("PUT", "/v1/centers/1"),
        ("DELETE", "/v1/cities/440300"),
        ("PATCH", "/v1/firms"),
        ("GET", "/v1/auth/token"),
        ("POST", "/healthz"),
    ],
)
def test_a_wrong_method_is_a_405_problem(
    client: TestClient, make: Factory, method: str, path: str
) -> None:
    response = client.request(method, path, headers=make.province())
    problem(response, 405, "method-not-allowed")
    assert response.headers.get("allow"), response.headers


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        "Bearer not-a-token",
        "Basic dXNlcjpwYXNz",
        "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ1c2VyOjEiLCJyb2xlIjoicHJvdmluY2UifQ.",
    ],
    ids=["absent", "empty", "no-token", "blank-token", "garbage", "basic", "alg-none"],
)
def test_no_valid_token_is_a_401_problem(client: TestClient, authorization: str | None) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    for path in ("/v1/firms", "/v1/talents/1", "/v1/cities"):
        response = client.get(path, headers=headers)
        problem(response, 401, "unauthenticated")
        assert response.headers.get("www-authenticate", "").startswith("Bearer")


def test_a_token_signed_with_another_key_is_a_401_problem(client: TestClient) -> None:
    import jwt

    token = jwt.encode(
        {"sub": "user:1", "role": "province", "scope": "registry:read", "exp": 4102444800},
        "another-key-of-sufficient-length-0123456789",
        algorithm="HS256",
    )
    response = client.get("/v1/firms", headers={"Authorization": f"Bearer {token}"})
    problem(response, 401, "unauthenticated")


def test_a_caller_without_the_scope_is_a_403_problem(client: TestClient, make: Factory) -> None:
    firm = make.firm(SHANTOU)
    body = {"uscc": "x", "name": "x", "home_city_code": SHANTOU}
    problem(client.post("/v1/firms", json=body, headers=make.firm_user(firm)), 403, "forbidden")
    problem(client.get("/v1/firms", headers=make.client("eligibility:verify")), 403, "forbidden")


# --- 500 and other exceptions leak nothing -------------------------------------------------------


@pytest.fixture
def exploding_app() -> FastAPI:
    app = create_app()

    @app.get("/v1/boom")
    def boom() -> None:
        raise RuntimeError(SECRET)

    @app.post("/v1/boom")
    async def boom_async() -> None:
        raise KeyError(SECRET)

    @app.get("/v1/integrity")
    def integrity() -> None:
        raise IntegrityError(
            f"INSERT INTO firm ... {SECRET}", {"uscc": SECRET}, Exception(f"uq_firm_uscc {SECRET}")
        )

    @app.get("/v1/stale")
    def stale() -> None:
        raise StaleDataError(f"UPDATE firm ... {SECRET}")

    return app


def _no_leak(response: Any) -> None:
    text = response.text
    for leak in (SECRET, "Traceback", "RuntimeError", "KeyError", 'File "', "uq_firm", "INSERT"):
        assert leak not in text, text
    for value in response.headers.values():
        assert SECRET not in value


def test_a_500_is_a_problem_that_leaks_nothing(exploding_app: FastAPI) -> None:
    with TestClient(exploding_app, raise_server_exceptions=False) as client:
        for method in ("GET", "POST"):
            response = client.request(method, "/v1/boom")
            body = problem(response, 500, "internal")
            assert body["errors"] == []
            _no_leak(response)


def test_database_conflicts_are_problems_that_leak_nothing(exploding_app: FastAPI) -> None:
    # A unique race is a 409; an UPDATE that lost to another (version moved) is a 412.
    with TestClient(exploding_app, raise_server_exceptions=False) as client:
        for path, status, slug in (
            ("/v1/integrity", 409, "conflict"),
            ("/v1/stale", 412, "precondition-failed"),
        ):
            response = client.get(path)
            problem(response, status, slug)
            _no_leak(response)


def test_validation_problems_do_not_echo_secrets(client: TestClient, make: Factory) -> None:
    # A password that is too long, and an ID number with a wrong check digit: the problem names
    # the field but never repeats what was sent.
    password = "S3cret-" + "x" * 200
    body = {
        "firm": {"uscc": "x", "name": "x", "home_city_code": SHANTOU},
        "username": "someone",
        "password": password,
    }
    response = client.post("/v1/registrations", json=body)
    assert_problem(response, 422, field="body.password")
    assert password not in response.text and "S3cret" not in response.text
    firm = make.firm(SHANTOU)
    number = make.resident_id()
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    response = client.post(
        "/v1/talents",
        json={"id_number": wrong, "name": "x", "education": "master"},
        headers=make.firm_user(firm),
    )
    assert_problem(response, 422, field="body.id_number")
    assert wrong not in response.text and wrong[6:14] not in response.text


def test_readyz_answers_a_503_problem_when_the_database_is_unreachable(
    app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unreachable(_engine: object) -> tuple[str, str]:
        raise OSError(f"connection refused {SECRET}")

    monkeypatch.setattr(health, "current_and_head", unreachable)
    monkeypatch.setattr(health, "get_read_engine", lambda: None)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/readyz")
    # (health.py leaves "instance" empty, which RFC 9457 allows.)
    body = assert_problem(response, 503, slug="unavailable")
    assert set(body) == PROBLEM_FIELDS
    _no_leak(response)


# --- the problem types -------------------------------------------------------------------------


def test_problem_types_are_stable_uris() -> None:
    for slug, problem_type in PROBLEM_TYPES.items():
        assert problem_type.uri == PROBLEM_BASE + slug
        assert 400 <= problem_type.status <= 599
        assert problem_type.title


# --- the OpenAPI document ------------------------------------------------------------------


@functools.cache
def _openapi() -> dict[str, Any]:
    # Every app the factory builds serves the same document; building it costs about a second.
    return create_app().openapi()


def _operations() -> list[tuple[str, str, dict[str, Any]]]:
    paths = _openapi()["paths"]
    return [
        (method.upper(), path, operation)
        for path, item in paths.items()
        for method, operation in item.items()
    ]


def _documents_problem(response: dict[str, Any]) -> bool:
    content = response.get("content", {})
    schema = content.get(PROBLEM_MEDIA_TYPE, {}).get("schema", {})
    return schema.get("$ref") == "#/components/schemas/Problem"


def test_the_problem_schema_is_documented(client: TestClient) -> None:
    assert client.get("/openapi.json").json() == _openapi()
    schema = _openapi()["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "detail"} <= set(schema["required"])
    assert set(schema["properties"]) == PROBLEM_FIELDS
    errors = _openapi()["components"]["schemas"]["ProblemFieldError"]
    assert set(errors["required"]) == {"field", "reason"}


def test_operations_document_their_problem_responses() -> None:
    missing = []
    for method, path, operation in _operations():
        if not path.startswith("/v1/"):
            continue
        responses = operation["responses"]
        expected = {"500"} if path.startswith(PUBLIC_PATHS) else {"401", "403", "500"}
        for status in expected:
            if status not in responses or not _documents_problem(responses[status]):
                missing.append((method, path, status))
        if not any(s.startswith("4") and _documents_problem(r) for s, r in responses.items()):
            missing.append((method, path, "any 4xx"))
    assert missing == []


def test_every_documented_error_is_a_problem() -> None:
    wrong = [
        (method, path, status)
        for method, path, operation in _operations()
        for status, response in operation["responses"].items()
        if status[0] in "45" and not _documents_problem(response)
    ]
    assert wrong == []


def test_unreadable_bodies_answer_a_documented_status(client: TestClient, make: Factory) -> None:
    undocumented = []
    for method, path, operation in _operations():
        if "requestBody" not in operation:
            continue
        url = path.replace("{", "").replace("}", "")  # ids do not matter: the body fails first
        url = "/".join(
            "1" if part.endswith("_id") or part == "version" else part for part in url.split("/")
        )
        response = client.request(
            method,
            url,
            content=b"\xff#",
            headers=make.province() | {"Content-Type": "application/json"},
        )
        assert_problem(response, response.status_code)
        if str(response.status_code) not in operation["responses"]:
            undocumented.append((method, path, response.status_code))
    assert undocumented == []


def test_invalid_cursors_answer_a_documented_status(client: TestClient, make: Factory) -> None:
    undocumented = []
    for method, path, operation in _operations():
        if not any(p.get("name") == "cursor" for p in operation.get("parameters", [])):
            continue
        # Webhook subscriptions are machine clients' own: the province may not list them.
        caller = make.client("registry:read") if path.startswith("/v1/webhooks") else None
        response = client.get(path, params={"cursor": "!!!"}, headers=caller or make.province())
        assert_problem(response, response.status_code, field="query.cursor")
        if str(response.status_code) not in operation["responses"]:
            undocumented.append((method, path, response.status_code))
    assert undocumented == []


def test_unknown_path_ids_answer_a_documented_404() -> None:
    # p.get: a parameter may be a $ref (the Idempotency-Key header), with no "in" of its own.
    undocumented = [
        (method, path)
        for method, path, operation in _operations()
        if any(p.get("in") == "path" for p in operation.get("parameters", []))
        and "404" not in operation["responses"]
    ]
    assert undocumented == []


def test_readyz_documents_its_503() -> None:
    responses = _openapi()["paths"]["/readyz"]["get"]["responses"]
    assert "503" in responses and _documents_problem(responses["503"])


def test_timestamps_carry_their_offset(client: TestClient, make: Factory) -> None:
    firm = make.firm(SHANTOU)
    center = make.center(firm, SHENZHEN)
    for path in (f"/v1/firms/{firm.id}", f"/v1/centers/{center.id}"):
        created_at = client.get(path, headers=make.province()).json()["created_at"]
        assert datetime.fromisoformat(created_at).utcoffset() is not None, created_at


def test_documented_problem_statuses_are_known_problem_types() -> None:
    known = {str(p.status) for p in PROBLEM_TYPES.values()}
    statuses = {
        status
        for _, _, operation in _operations()
        for status in operation["responses"]
        if status[0] in "45"
    }
    assert statuses <= known, statuses - known


def test_a_problem_is_valid_json_with_the_problem_media_type(client: TestClient) -> None:
    response = client.get("/v1/firms")
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert json.loads(response.content)["type"].startswith(PROBLEM_BASE)


def test_the_helper_tokens_are_accepted(client: TestClient, make: Factory) -> None:
    # Guards the tests above: a 401 there is about the token sent, not about the helper.
    assert client.get("/v1/cities", headers=make.province()).status_code == 200
