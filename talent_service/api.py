"""The list of routers. Each protected route authenticates through its ``Access`` rule (deps.py)."""

from __future__ import annotations

from typing import Any, Protocol

from fastapi import APIRouter, FastAPI

from talent_service.audit.routes import router as audit_router
from talent_service.auth.routes import router as auth_router
from talent_service.centers.routes import router as centers_router
from talent_service.cities.routes import router as cities_router
from talent_service.core.flat_routes import include_flat
from talent_service.core.problems import problem_responses
from talent_service.declarations.routes import router as declarations_router
from talent_service.eligibility.decisions.jwks_routes import router as jwks_router
from talent_service.eligibility.decisions.routes import router as eligibility_router
from talent_service.eligibility.policies.routes import router as policies_router
from talent_service.employments.routes import router as employments_router
from talent_service.enclaves.routes import router as enclaves_router
from talent_service.firms.routes import router as firms_router
from talent_service.firms.tier_routes import queue_router as tier_queue_router
from talent_service.firms.tier_routes import router as firm_tiers_router
from talent_service.health import router as health_router
from talent_service.household.routes import router as household_router
from talent_service.retention.routes import router as retention_router
from talent_service.signups.routes import account_router, registrations_router
from talent_service.signups.routes import router as sign_ups_router
from talent_service.talents.routes import router as talents_router
from talent_service.webhooks.routes import router as webhooks_router

# FastAPI tries routes in order, and each miss costs a few microseconds: the talent read, which
# other systems call most, comes first. Prefixes are disjoint, so order changes nothing else.
PROTECTED = [
    talents_router,
    declarations_router,
    household_router,
    cities_router,
    firms_router,
    firm_tiers_router,
    tier_queue_router,
    enclaves_router,
    centers_router,
    employments_router,
    eligibility_router,
    policies_router,
    retention_router,
    audit_router,
    sign_ups_router,
    account_router,
    webhooks_router,
]
PUBLIC = [auth_router, registrations_router]


# Every operation may answer these: 400 for a body or cursor that cannot be read, 422 for
# invalid input (documented as a Problem, replacing FastAPI's default HTTPValidationError).
INPUT_PROBLEMS = (400, 422)
API_PREFIX = "/v1"


class Include(Protocol):
    """How a router's routes join the app: ``include_flat``, or FastAPI's ``include_router``."""

    def __call__(
        self,
        app: FastAPI,
        router: APIRouter,
        *,
        prefix: str = ...,
        responses: dict[int | str, dict[str, Any]] | None = ...,
    ) -> None: ...


def include_routes(app: FastAPI, include: Include = include_flat) -> None:
    """Every route onto the app, in the order requests try them.

    Health probes first (orchestrators call them all the time), then the API under ``/v1``
    (the talent read first, see ``PROTECTED``), the JWKS last: verifiers fetch it rarely and
    cache it. Each route straight onto the app (``core/flat_routes.py``): every level of
    routers is matched again per request.
    """
    include(app, health_router)
    protected = problem_responses(*INPUT_PROBLEMS, 401, 403, 500)
    for router in PROTECTED:
        include(app, router, prefix=API_PREFIX, responses=protected)
    for router in PUBLIC:
        include(app, router, prefix=API_PREFIX, responses=problem_responses(*INPUT_PROBLEMS, 500))
    include(app, jwks_router)
