"""RFC 9457 problem details: the one place errors become HTTP responses."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException as StarletteHTTPException

from talent_service.core import errors as e
from talent_service.core.db_errors import as_domain_error

log = logging.getLogger("talent_service.errors")
PROBLEM_MEDIA_TYPE = "application/problem+json"

_BY_STATUS = {p.status: p for p in reversed(list(e.PROBLEM_TYPES.values()))}


class ProblemFieldError(BaseModel):
    field: str = Field(description="Dotted location of the failing input, e.g. body.home_city_code")
    reason: str


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[ProblemFieldError] = Field(default_factory=list)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the problems an operation may answer with."""
    return {
        status: {
            "model": Problem,
            "description": _BY_STATUS.get(status, e.INTERNAL).title,
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for status in statuses
    }


def problem_response(
    problem: e.ProblemType,
    detail: str,
    *,
    instance: str | None = None,
    errors: list[e.FieldError] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = {
        "type": problem.uri,
        "title": problem.title,
        "status": problem.status,
        "detail": detail,
        "instance": instance,
        "errors": [err.as_dict() for err in errors or []],
    }
    return JSONResponse(body, problem.status, headers=headers, media_type=PROBLEM_MEDIA_TYPE)


def _field_name(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc) or "body"


async def _validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        e.FieldError(_field_name(tuple(item.get("loc", ()))), str(item.get("msg", "invalid")))
        for item in exc.errors()
    ]
    fields = ", ".join(sorted({err.field for err in errors}))
    return problem_response(
        e.VALIDATION, f"Invalid input in: {fields}", instance=request.url.path, errors=errors
    )


# What a client needs beside the problem: how to authenticate, when to try again.
_HEADERS = {
    e.UNAUTHENTICATED.slug: {"WWW-Authenticate": "Bearer"},
    e.UNAVAILABLE.slug: {"Retry-After": "1"},
    e.IDEMPOTENCY_KEY_IN_FLIGHT.slug: {"Retry-After": "1"},
}


async def _domain(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, e.DomainError)
    headers = _HEADERS.get(exc.problem.slug)
    if "retry_after" in exc.extra:
        headers = {**(headers or {}), "Retry-After": str(exc.extra["retry_after"])}
    return problem_response(
        exc.problem, exc.detail, instance=request.url.path, errors=exc.errors, headers=headers
    )


async def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    problem = _BY_STATUS.get(exc.status_code, e.BAD_REQUEST)
    detail = exc.detail if isinstance(exc.detail, str) else problem.title
    return problem_response(
        problem, detail, instance=request.url.path, headers=dict(exc.headers or {})
    )


async def _database(request: Request, exc: Exception) -> JSONResponse:
    # A statement failed inside the request (its unit of work is rolled back): a race the
    # services' checks could not see, a lost connection, a busy SQLite; or our bug (a 500).
    assert isinstance(exc, SQLAlchemyError)
    problem = as_domain_error(exc)
    if problem is None:
        return await _unexpected(request, exc)
    log.warning("database refused %s: %s", request.url.path, type(exc).__name__)
    return await _domain(request, problem)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem_response(
        e.INTERNAL, "An internal error occurred; it has been logged.", instance=request.url.path
    )


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(e.DomainError, _domain)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(SQLAlchemyError, _database)
    app.add_exception_handler(Exception, _unexpected)
