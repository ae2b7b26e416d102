"""The list of routers. Authentication is applied here, once, to every protected router."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from talent_service.auth.routes import router as auth_router
from talent_service.centers.routes import router as centers_router
from talent_service.cities.routes import router as cities_router
from talent_service.core.problems import problem_responses
from talent_service.deps import get_principal
from talent_service.eligibility.policy_routes import router as policies_router
from talent_service.eligibility.routes import router as eligibility_router
from talent_service.employments.routes import router as employments_router
from talent_service.enclaves.routes import router as enclaves_router
from talent_service.firms.registration_routes import router as registrations_router
from talent_service.firms.routes import router as firms_router
from talent_service.retention.routes import router as retention_router
from talent_service.talents.routes import router as talents_router

PROTECTED = [
    cities_router,
    firms_router,
    enclaves_router,
    centers_router,
    talents_router,
    employments_router,
    eligibility_router,
    policies_router,
    retention_router,
]
PUBLIC = [auth_router, registrations_router]


# Every operation may answer these: 400 for a body or cursor that cannot be read, 422 for
# invalid input (documented as a Problem, replacing FastAPI's default HTTPValidationError).
INPUT_PROBLEMS = (400, 422)


def build_api_router() -> APIRouter:
    api = APIRouter(prefix="/v1")
    for router in PUBLIC:
        api.include_router(router, responses=problem_responses(*INPUT_PROBLEMS, 500))
    for router in PROTECTED:
        api.include_router(
            router,
            dependencies=[Depends(get_principal)],
            responses=problem_responses(*INPUT_PROBLEMS, 401, 403, 500),
        )
    return api
