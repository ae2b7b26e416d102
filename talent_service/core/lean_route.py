"""A lean request handler for the routes that need nothing of FastAPI's but its checks.

FastAPI's request handler is general: it reads a body, solves a tree of dependencies (with a
cache key, an override look-up and four kinds of parameters at every node), extracts an
endpoint context and runs telemetry hooks, then serialises the result. On the hot talent read,
which has none of a body, a query, a generator or a model to serialise, py-spy and cProfile put
about a third of the app's time per request there, more than the read's own statement.

A route qualifies when its endpoint is ``async``, is annotated to return a ``Response`` (it has
already taken its serialisation into its own hands), takes only path parameters and the
``Request``, and each of its dependencies is an ``async`` callable of the ``Request`` alone, with
no dependencies of its own (the access rules of ``auth/access.py``). For such a route the lean
handler does what FastAPI would, in the same order, with FastAPI's own pieces:

1. each dependency is awaited with the request (an ``Access`` rule: 401 or 403 as before);
2. the path parameters are validated by ``request_params_to_args``, FastAPI's own function, so a
   bad value raises the same ``RequestValidationError`` (the same 422 problem);
3. the endpoint is awaited with the values and its response returned.

Routing, middleware, exception handlers, the unit of work and the OpenAPI document are
FastAPI's as before. Every other route, and every route while the app has dependency overrides
(tests), takes FastAPI's own handler. ``tests/core/test_lean_route.py`` checks which routes
qualify and that each answers exactly as FastAPI's handler does, errors included.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Coroutine
from typing import Any, get_type_hints

from fastapi import Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import request_params_to_args
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute

Handler = Callable[[Request], Coroutine[Any, Any, Response]]


def _plain_dependency(dependant: Dependant) -> bool:
    """An async callable of the request alone, without dependencies or parameters of its own."""
    call = dependant.call
    coroutine = inspect.iscoroutinefunction(call) or inspect.iscoroutinefunction(
        getattr(call, "__call__", None)  # noqa: B004 - an instance such as Access
    )
    return (
        coroutine
        and not inspect.isasyncgenfunction(call)
        and not dependant.dependencies
        and _only_request(dependant)
        and not dependant.path_params
    )


def _only_request(dependant: Dependant) -> bool:
    return not (
        dependant.query_params
        or dependant.header_params
        or dependant.cookie_params
        or dependant.body_params
        or dependant.websocket_param_name
        or dependant.http_connection_param_name
        or dependant.response_param_name
        or dependant.background_tasks_param_name
        or dependant.security_scopes_param_name
        or dependant.own_oauth_scopes
    )


def _returns_response(call: Callable[..., Any]) -> bool:
    returned = get_type_hints(call).get("return")
    return isinstance(returned, type) and issubclass(returned, Response)


def qualifies(route: APIRoute) -> bool:
    """Whether ``route`` may run on the lean handler (see the module's docstring)."""
    dependant = route.dependant
    calls = [d.call for d in dependant.dependencies]
    return (
        inspect.iscoroutinefunction(dependant.call)
        and _returns_response(route.endpoint)
        and _only_request(dependant)
        and len(set(map(id, calls))) == len(calls)  # FastAPI would call a repeated one once
        and all(_plain_dependency(d) for d in dependant.dependencies)
    )


def lean_handler(route: APIRoute, fallback: Handler) -> Handler:
    dependant = route.dependant
    endpoint = route.endpoint
    dependencies = [(d.name, d.call) for d in dependant.dependencies]
    path_params = dependant.path_params
    request_name = dependant.request_param_name
    overrides = route.dependency_overrides_provider

    async def app(request: Request) -> Response:
        if overrides is not None and getattr(overrides, "dependency_overrides", None):
            return await fallback(request)  # an override (a test) is FastAPI's to resolve
        values: dict[str, Any] = {}
        for name, call in dependencies:
            solved = await call(request)  # type: ignore[misc]
            if name is not None:
                values[name] = solved
        if path_params:
            found, errors = request_params_to_args(path_params, request.path_params)
            if errors:
                raise RequestValidationError(errors)
            values.update(found)
        if request_name is not None:
            values[request_name] = request
        response: Response = await endpoint(**values)
        return response

    return app


class LeanRoute(APIRoute):
    """An ``APIRoute`` that runs on the lean handler when it qualifies."""

    def get_route_handler(self) -> Handler:
        handler = super().get_route_handler()
        return lean_handler(self, handler) if qualifies(self) else handler
