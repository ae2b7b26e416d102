"""App factory: routers, middleware, problem-details handlers."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from talent_service import __version__
from talent_service.api import include_routes
from talent_service.core import idempotent
from talent_service.core.async_read import close_loop_connections
from talent_service.core.config import get_settings
from talent_service.core.no_store import NoStoreMiddleware
from talent_service.core.problems import install_problem_handlers


@asynccontextmanager
async def _lifespan(_: FastAPI) -> AsyncIterator[None]:
    # What exists once the worker has started (modules, models, schemas, routes) lives as long
    # as the process: leave it out of garbage collection, whose full passes would otherwise
    # walk all of it again and again under load (gc.freeze, as the gc documentation describes).
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()  # an app made and stopped in-process (tests) leaves nothing pinned
        await close_loop_connections()  # the hot read's connection on this worker's loop


def create_app() -> FastAPI:
    settings = get_settings()
    logging.basicConfig(level=settings.log_level)
    app = FastAPI(
        title="talent-service",
        version=__version__,
        summary="Guangdong talent reverse-enclave (人才反向飞地) registry and eligibility service",
        openapi_url="/openapi.json",
        docs_url="/docs",
        redoc_url=None,
        lifespan=_lifespan,
    )
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PATCH"],
            allow_headers=["Authorization", "Content-Type", "If-Match", "Idempotency-Key"],
            expose_headers=["ETag", "Idempotent-Replayed", "Retry-After"],
        )
    app.add_middleware(NoStoreMiddleware)
    install_problem_handlers(app)
    include_routes(app)
    _document_idempotency(app)
    return app


def _document_idempotency(app: FastAPI) -> None:
    """The generated schema, with the Idempotency-Key header as one reusable parameter."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = idempotent.document(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


app = create_app()
