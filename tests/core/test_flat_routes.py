"""Routes copied onto the app (core/flat_routes.py) are the routes ``include_router`` makes."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute, iter_route_contexts

from talent_service.api import include_routes
from talent_service.main import create_app


def _nested(
    app: FastAPI,
    router: APIRouter,
    *,
    prefix: str = "",
    responses: dict[int | str, dict[str, Any]] | None = None,
) -> None:
    app.include_router(router, prefix=prefix, responses=responses)


def _apps() -> tuple[FastAPI, FastAPI]:
    flat, nested = FastAPI(), FastAPI()
    include_routes(flat)
    include_routes(nested, include=_nested)
    return flat, nested


def _operations(app: FastAPI) -> list[tuple[str, frozenset[str], Any, type, int | None]]:
    """Each operation as requests meet it: path, methods, handler, route class, status."""
    found = []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if not isinstance(route, APIRoute):  # the documentation's own routes
            continue
        found.append(
            (
                str(context.path),
                frozenset(route.methods),
                route.endpoint,
                type(route),
                route.status_code,
            )
        )
    return found


def test_the_flat_app_documents_exactly_what_included_routers_document() -> None:
    flat, nested = _apps()
    documents = [
        get_openapi(title="talent-service", version="test", routes=app.routes)
        for app in (flat, nested)
    ]
    assert len(documents[0]["paths"]) >= 40  # not two empty documents
    assert documents[0] == documents[1]


def test_the_flat_app_has_the_same_operations_in_the_same_order() -> None:
    flat, nested = _apps()
    operations = _operations(flat)
    assert operations == _operations(nested)
    # The order requests try them: health first, the talent read before the rest of the API.
    paths = [path for path, *_ in operations]
    assert paths[0] == "/healthz"
    assert paths.index("/v1/talents/{talent_id}") < paths.index("/v1/firms")


def test_the_served_app_matches_each_request_against_plain_routes() -> None:
    routes = create_app().routes
    operations = [r for r in routes if isinstance(r, APIRoute)]
    others = {getattr(r, "path", repr(r)) for r in routes if not isinstance(r, APIRoute)}
    assert len(operations) >= 40
    # No router left inside the app: beside the operations, only the documentation's routes.
    assert others <= {"/openapi.json", "/docs", "/docs/oauth2-redirect"}, others
