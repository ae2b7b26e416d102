"""Liveness and readiness: public, cheap, and honest about the database."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from talent_service.auth.access import PUBLIC
from talent_service.core import errors
from talent_service.core.db import get_read_engine
from talent_service.core.migrations import current_and_head
from talent_service.core.problems import problem_response, problem_responses

router = APIRouter(tags=["health"])


@router.get("/healthz", dependencies=[PUBLIC], summary="The process is up")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    dependencies=[PUBLIC],
    summary="Database reachable and migrated to head",
    responses=problem_responses(503),
)
async def readyz() -> JSONResponse:
    try:
        current, head = await run_in_threadpool(current_and_head, get_read_engine())
    except Exception:  # noqa: BLE001 - any failure to reach the database means not ready
        return problem_response(errors.UNAVAILABLE, "the database cannot be reached")
    if current != head:
        return problem_response(
            errors.UNAVAILABLE, f"database schema at {current}, expected {head}: run migrations"
        )
    return JSONResponse({"status": "ready", "schema": head})
