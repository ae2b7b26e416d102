from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Path

from talent_service.auth.access import Access
from talent_service.auth.principal import (
    SCOPE_ELIGIBILITY_CHECK,
    SCOPE_ELIGIBILITY_VERIFY,
    Principal,
)
from talent_service.core.problems import problem_responses
from talent_service.core.unit_of_work import SessionDep, api_router
from talent_service.eligibility import decisions
from talent_service.eligibility.facts import FACTS
from talent_service.eligibility.schemas import (
    CheckRequest,
    CheckResponse,
    DecisionRead,
    VerifyRequest,
    VerifyResponse,
)
from talent_service.reference.enums import Role

router = api_router(prefix="/eligibility", tags=["eligibility"])

CHECK = Access(Role.province, Role.bureau, Role.firm, Role.client, scope=SCOPE_ELIGIBILITY_CHECK)
VERIFY = Access(Role.province, Role.client, scope=SCOPE_ELIGIBILITY_VERIFY)
DecisionId = Annotated[
    str, Path(min_length=36, max_length=36, pattern=r"^[0-9a-f-]{36}$", description="UUID")
]


@router.post(
    "/checks",
    response_model=CheckResponse,
    status_code=201,
    summary="Decide a talent's eligibility, explained, for one or all benefits and sides",
    responses=problem_responses(404, 409, 422),
)
def check(
    body: CheckRequest,
    principal: Annotated[Principal, Depends(CHECK)],
    session: SessionDep,
) -> CheckResponse:
    return decisions.run_checks(session, principal, body)


@router.get(
    "/decisions/{decision_id}",
    response_model=DecisionRead,
    summary="A stored decision with its signature (verify offline with /.well-known/jwks.json)",
    responses=problem_responses(404),
)
def read_decision(
    decision_id: DecisionId,
    principal: Annotated[Principal, Depends(CHECK)],
    session: SessionDep,
) -> DecisionRead:
    return decisions.to_read(decisions.get_decision(session, principal, decision_id), principal)


@router.get(
    "/decisions/{decision_id}/attestation",
    response_model=VerifyResponse,
    summary="A decision's signed attestation: outcome and policy version, no personal data",
    responses=problem_responses(404),
)
def read_attestation(
    decision_id: DecisionId,
    principal: Annotated[Principal, Depends(VERIFY)],
    session: SessionDep,
) -> VerifyResponse:
    return decisions.attestation_read(decisions.get_decision(session, principal, decision_id))


@router.post(
    "/verify",
    response_model=VerifyResponse,
    summary="Machine clients: is the person with this ID number eligible for X in city Y?",
    responses=problem_responses(403, 404, 409, 422),
)
def verify(
    body: VerifyRequest,
    principal: Annotated[Principal, Depends(VERIFY)],
    session: SessionDep,
) -> VerifyResponse:
    return decisions.verify(session, principal, body)


@router.get("/facts", summary="The facts a rule may read, with definitions in Chinese and English")
def list_facts(_: Annotated[Principal, Depends(CHECK)]) -> list[dict[str, Any]]:
    return [spec.to_json() for spec in FACTS.values()]
