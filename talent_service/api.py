"""The list of routers. Each protected route authenticates through its ``Access`` rule (deps.py)."""

from __future__ import annotations

from fastapi import FastAPI

from talent_service.audit.routes import router as audit_router
from talent_service.auth.routes import router as auth_router
from talent_service.centers.routes import router as centers_router
from talent_service.cities.routes import router as cities_router
from talent_service.core.problems import problem_responses
from talent_service.declarations.routes import router as declarations_router
from talent_service.eligibility.decisions.routes import router as eligibility_router
from talent_service.eligibility.policies.routes import router as policies_router
from talent_service.employments.routes import router as employments_router
from talent_service.enclaves.routes import router as enclaves_router
from talent_service.firms.routes import router as firms_router
from talent_service.firms.tier_routes import queue_router as tier_queue_router
from talent_service.firms.tier_routes import router as firm_tiers_router
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


def include_api(app: FastAPI) -> None:
    """Each router straight onto the app under ``/v1``.

    Not through one ``/v1`` router: every level of nesting is matched again per request.
    """
    for router in PROTECTED:
        app.include_router(
            router, prefix=API_PREFIX, responses=problem_responses(*INPUT_PROBLEMS, 401, 403, 500)
        )
    for router in PUBLIC:
        app.include_router(
            router, prefix=API_PREFIX, responses=problem_responses(*INPUT_PROBLEMS, 500)
        )
