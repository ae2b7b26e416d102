from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Path

from talent_service.auth.access import Access
from talent_service.auth.principal import (
    SCOPE_ELIGIBILITY_CHECK,
    SCOPE_ELIGIBILITY_VERIFY,
    Principal,
)
from talent_service.core.idempotent import IdempotentDep
from talent_service.core.problems import problem_responses
from talent_service.core.unit_of_work import SessionDep, WriteSessionDep, api_router
from talent_service.eligibility.decisions import reads, service
from talent_service.eligibility.decisions.schemas import (
    CheckRequest,
    CheckResponse,
    DecisionRead,
    VerifyRequest,
    VerifyResponse,
)
from talent_service.eligibility.engine.facts import FACTS
from talent_service.reference.enums import Role

router = api_router(prefix="/eligibility", tags=["eligibility"])

CHECK = Access(Role.province, Role.bureau, Role.firm, Role.client, scope=SCOPE_ELIGIBILITY_CHECK)
VERIFY = Access(Role.province, Role.client, scope=SCOPE_ELIGIBILITY_VERIFY)
DISCLOSE = Access(Role.province, Role.bureau, scope=SCOPE_ELIGIBILITY_CHECK)
REUSE = (
    "Asking the same question again (same person, city, side, benefit and as-of date) when "
    "the answer has not changed (same policy version, facts, parameters and what each rests on) "
    "returns the decision already stored for this asker, with `reused: true`, instead of "
    "storing a new one; its id, `issued_at` and signatures are the stored ones. A changed "
    "fact, parameter, version or correction makes a new decision (`reused: false`). Reuse is "
    "per asker and per signing key: another asker's decision is never returned. The status "
    "code does not change with reuse."
)
DecisionId = Annotated[
    str, Path(min_length=36, max_length=36, pattern=r"^[0-9a-f-]{36}$", description="UUID")
]


@router.post(
    "/checks",
    response_model=CheckResponse,
    status_code=201,
    summary="Decide a talent's eligibility, explained, for one or all benefits and sides",
    description=REUSE,
    responses=problem_responses(404, 409, 422),
)
def check(
    body: CheckRequest,
    principal: Annotated[Principal, Depends(CHECK)],
    session: SessionDep,
    idempotent: IdempotentDep,
) -> CheckResponse:
    return service.run_checks(session, principal, body)


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
    return reads.read_decision(session, principal, decision_id)


@router.get(
    "/decisions/{decision_id}/document",
    response_model=DecisionRead,
    summary="The whole signed document, with the age and dates it rests on (bureau, province; "
    "in the audit log)",
    description=(
        "What `GET /decisions/{id}` shows every caller says no more of the person's birth date "
        "than its year (the age on the as-of date and the day an age limit ends eligibility are "
        "withheld) and then carries the attestation's signature. This read gives the document "
        "exactly as it was signed, with that signature; each read is an entry of the audit log."
    ),
    responses=problem_responses(404),
)
def read_document(
    decision_id: DecisionId,
    principal: Annotated[Principal, Depends(DISCLOSE)],
    session: WriteSessionDep,  # the disclosure's audit entry commits before the document leaves
) -> DecisionRead:
    return reads.disclose_document(session, principal, decision_id)


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
    return reads.attestation_read(reads.get_decision(session, principal, decision_id))


@router.post(
    "/verify",
    response_model=VerifyResponse,
    summary="Machine clients: is the person with this ID number eligible for X in city Y?",
    description=REUSE,
    responses=problem_responses(403, 404, 409, 422),
)
def verify(
    body: VerifyRequest,
    principal: Annotated[Principal, Depends(VERIFY)],
    session: SessionDep,
    idempotent: IdempotentDep,
) -> VerifyResponse:
    return service.verify(session, principal, body)


@router.get("/facts", summary="The facts a rule may read, with definitions in Chinese and English")
def list_facts(_: Annotated[Principal, Depends(CHECK)]) -> list[dict[str, Any]]:
    return [spec.to_json() for spec in FACTS.values()]
