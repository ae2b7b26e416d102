"""A router's routes copied onto the app itself: one level of routing, not one per router.

FastAPI 0.165's ``include_router`` keeps the router as one more route (``_IncludedRouter``) that is
matched twice per request, once to pick the router and again to pick its route, each time walking
the routers before it. py-spy on the served process put about a tenth of the talent read's CPU
there. ``include_flat`` adds each route to the app the way ``include_router`` documents it, with
the include's prefix and responses, so a request is matched once against plain routes; the app's
dependency overrides apply as before. ``tests/core/test_flat_routes.py`` checks that the OpenAPI
document is the one ``include_router`` gives.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute


def include_flat(
    app: FastAPI,
    router: APIRouter,
    *,
    prefix: str = "",
    responses: dict[int | str, dict[str, Any]] | None = None,
) -> None:
    """Every route of ``router`` onto ``app`` under ``prefix``, in order."""
    for route in router.routes:
        if not isinstance(route, APIRoute):  # our routers hold path operations only
            raise TypeError(f"{route!r} is not a path operation; include its router instead")
        app.router.add_api_route(
            prefix + route.path,
            route.endpoint,
            response_model=route.response_model,
            status_code=route.status_code,
            tags=list(route.tags),
            dependencies=list(route.dependencies),
            summary=route.summary,
            description=route.description,
            response_description=route.response_description,
            responses={**(responses or {}), **route.responses},  # the route's own win
            deprecated=route.deprecated,
            methods=route.methods,
            operation_id=route.operation_id,
            response_model_include=route.response_model_include,
            response_model_exclude=route.response_model_exclude,
            response_model_by_alias=route.response_model_by_alias,
            response_model_exclude_unset=route.response_model_exclude_unset,
            response_model_exclude_defaults=route.response_model_exclude_defaults,
            response_model_exclude_none=route.response_model_exclude_none,
            include_in_schema=route.include_in_schema,
            response_class=route.response_class,
            name=route.name,
            route_class_override=type(route),  # the unit of work's route class stays
            callbacks=route.callbacks,
            openapi_extra=route.openapi_extra,
            generate_unique_id_function=route.generate_unique_id_function,
            strict_content_type=route.strict_content_type,
            max_body_size=route.max_body_size,
            form_limits=route.form_limits,
        )
