"""The lean handler (core/lean_route.py) serves only the routes that qualify, and each of them
answers exactly as FastAPI's own handler does: the same status, headers and body, errors too."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Annotated

import pytest
from fastapi import APIRouter, Depends, FastAPI, Request, Response
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from talent_service.auth.principal import SCOPE_RETENTION_READ
from talent_service.core.errors import DomainError
from talent_service.core.lean_route import LeanRoute, lean_handler, qualifies
from talent_service.main import create_app
from tests.factories import GUANGZHOU, MEIZHOU, SHANTOU, SHENZHEN, Factory


def _served_lean(app: FastAPI) -> set[tuple[str, str]]:
    return {
        (method, route.path)
        for route in app.routes
        if isinstance(route, LeanRoute) and qualifies(route)
        for method in route.methods or ()
    }


def test_only_the_hot_talent_read_runs_on_the_lean_handler() -> None:
    assert _served_lean(create_app()) == {("GET", "/v1/talents/{talent_id}")}


async def _rule(request: Request) -> str:
    return request.headers.get("x-who", "")


async def _nested_rule(who: Annotated[str, Depends(_rule)]) -> str:
    return who


def _declined() -> list[Callable[..., object]]:
    async def with_query(who: Annotated[str, Depends(_rule)], limit: int = 10) -> Response:
        return Response()

    async def returns_a_model(who: Annotated[str, Depends(_rule)]) -> dict[str, str]:
        return {}

    def synchronous(who: Annotated[str, Depends(_rule)]) -> Response:
        return Response()

    async def nested(who: Annotated[str, Depends(_nested_rule)]) -> Response:
        return Response()

    return [with_query, returns_a_model, synchronous, nested]


@pytest.mark.parametrize("endpoint", _declined(), ids=lambda e: e.__name__)
def test_a_route_with_more_than_path_parameters_and_plain_rules_keeps_fastapis_handler(
    endpoint: Callable[..., object],
) -> None:
    router = APIRouter(route_class=LeanRoute)
    router.add_api_route("/x/{n}", endpoint)
    (route,) = router.routes
    assert isinstance(route, APIRoute) and not qualifies(route)


def test_a_route_with_path_parameters_and_plain_rules_qualifies() -> None:
    async def plain(n: int, who: Annotated[str, Depends(_rule)], request: Request) -> Response:
        return Response(f"{n}:{who}")

    router = APIRouter(route_class=LeanRoute)
    router.add_api_route("/x/{n}", plain)
    (route,) = router.routes
    assert isinstance(route, APIRoute) and qualifies(route)


def _unused() -> None:
    """Overridden only to make the app take FastAPI's handler: an override is its to resolve."""


def _answer(
    client: TestClient, path: str, headers: dict[str, str]
) -> tuple[int, dict[str, str], bytes]:
    response = client.get(path, headers=headers)
    return response.status_code, dict(response.headers), response.content


def test_the_talent_read_answers_as_fastapis_handler_does(
    app: FastAPI, client: TestClient, make: Factory
) -> None:
    firm, other_firm = make.firm(MEIZHOU), make.firm(SHANTOU)
    center = make.center(firm, host=SHENZHEN)
    person = make.talent(firm)
    make.employment(person, firm, center)
    path = f"/v1/talents/{person.id}"
    cases = {
        "host bureau": (path, make.bureau(SHENZHEN)),
        "the firm": (path, make.firm_user(firm)),
        "another firm (404)": (path, make.firm_user(other_firm)),
        "another city's bureau (404)": (path, make.bureau(GUANGZHOU)),
        "a client without the scope (403)": (path, make.client(SCOPE_RETENTION_READ)),
        "no token (401)": (path, {}),
        "a forged token (401)": (path, {"Authorization": "Bearer not.a.token"}),
        "not a number (422)": ("/v1/talents/abc", make.bureau(SHENZHEN)),
        "zero (422)": ("/v1/talents/0", make.bureau(SHENZHEN)),
        "no such person (404)": ("/v1/talents/999999999", make.bureau(SHENZHEN)),
    }
    lean = {name: _answer(client, p, h) for name, (p, h) in cases.items()}
    app.dependency_overrides[_unused] = _unused
    fastapis = {name: _answer(client, p, h) for name, (p, h) in cases.items()}

    assert lean == fastapis
    statuses = {name: answer[0] for name, answer in lean.items()}
    assert statuses == {
        "host bureau": 200,
        "the firm": 200,
        "another firm (404)": 404,
        "another city's bureau (404)": 404,
        "a client without the scope (403)": 403,
        "no token (401)": 401,
        "a forged token (401)": 401,
        "not a number (422)": 422,
        "zero (422)": 422,
        "no such person (404)": 404,
    }
    assert b"talent_id" in lean["zero (422)"][2]  # the problem names the field


def test_while_the_app_has_overrides_the_lean_handler_hands_the_request_to_fastapis(
    app: FastAPI,
) -> None:
    """What the comparison above rests on: with an override set, FastAPI's handler answers."""
    (route,) = [r for r in app.routes if isinstance(r, LeanRoute) and qualifies(r)]
    assert route.dependency_overrides_provider is app
    handed: list[Request] = []

    async def fastapis(request: Request) -> Response:
        handed.append(request)
        return Response(b"fastapi's")

    handler = lean_handler(route, fastapis)
    request = Request({"type": "http", "method": "GET", "headers": [], "path_params": {}})
    app.dependency_overrides[_unused] = _unused
    assert asyncio.run(handler(request)).body == b"fastapi's" and handed == [request]
    app.dependency_overrides.clear()  # without one, the lean handler runs the access rule
    with pytest.raises(DomainError):
        asyncio.run(handler(request))
