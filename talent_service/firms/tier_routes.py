"""Tier certificates and a firm's history: a firm submits, the province approves or rejects.

Two routers: the firm's own sub-resources (``/firms/{firm_id}/tiers``, ``/history``) and the
province's queue across firms (``/firm-tiers``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Response

from talent_service.core.idempotent import IdempotentDep
from talent_service.core.pagination import Page, PageParams, make_page, page_params
from talent_service.core.preconditions import IfMatchDep
from talent_service.core.problems import problem_responses
from talent_service.core.types import IdPath, IdQuery
from talent_service.core.unit_of_work import SessionDep, api_router
from talent_service.firms import tiers
from talent_service.firms.auth import FirmsAdmin, FirmsRead, FirmsWrite
from talent_service.firms.history import firm_history
from talent_service.firms.schemas import (
    FirmHistory,
    HistoryEntry,
    TierApproval,
    TierPeriodRead,
    TierRejection,
    TierSubmission,
)
from talent_service.models import FirmTierPeriod
from talent_service.reference.enums import TierState

router = api_router(prefix="/firms", tags=["firm tiers"])
queue_router = api_router(prefix="/firm-tiers", tags=["firm tiers"])
DECISION_ERRORS = problem_responses(404, 409, 412, 422)


def _read(period: FirmTierPeriod, response: Response) -> TierPeriodRead:
    read = TierPeriodRead.model_validate(period)
    response.headers["ETag"] = f'"{read.version}"'
    return read


@router.get(
    "/{firm_id}/tiers",
    response_model=Page[TierPeriodRead],
    summary="A firm's tier certificates in every state (submitted, approved, rejected)",
    responses=problem_responses(404),
)
def list_firm_tiers(
    principal: FirmsRead,
    firm_id: IdPath,
    session: SessionDep,
    page: Annotated[PageParams, Depends(page_params)],
) -> Page[TierPeriodRead]:
    rows = tiers.firm_periods(session, principal, firm_id, page)
    return make_page([TierPeriodRead.model_validate(r) for r in rows], page)


@router.post(
    "/{firm_id}/tiers",
    status_code=201,
    response_model=TierPeriodRead,
    summary="Submit a tier certificate: the firm's awaits the province, the province's is approved",
    description=(
        "A firm submits for itself only (another firm's id answers 404, as if absent); the "
        "certificate counts from the province's approval. A certificate the province records "
        "is approved at once. The same certificate (tier, number, dates) twice is a 409 unless "
        "the first was rejected."
    ),
    responses=problem_responses(404, 409, 422),
)
def submit_tier(
    principal: FirmsWrite,
    firm_id: IdPath,
    body: TierSubmission,
    session: SessionDep,
    idempotent: IdempotentDep,
    response: Response,
) -> TierPeriodRead:
    return _read(tiers.submit_tier(session, principal, firm_id, body), response)


@router.post(
    "/{firm_id}/tiers/{period_id}/approve",
    response_model=TierPeriodRead,
    summary="Approve a submitted tier certificate (province)",
    description="Only a submitted period is decided (409 otherwise). `If-Match`: its version.",
    responses=DECISION_ERRORS,
)
def approve_tier(
    principal: FirmsAdmin,
    firm_id: IdPath,
    period_id: IdPath,
    body: TierApproval,
    session: SessionDep,
    if_match: IfMatchDep,
    response: Response,
) -> TierPeriodRead:
    period = tiers.decide_tier(
        session, principal, firm_id, period_id, TierState.approved, body.note, if_match
    )
    return _read(period, response)


@router.post(
    "/{firm_id}/tiers/{period_id}/reject",
    response_model=TierPeriodRead,
    summary="Reject a submitted tier certificate, with the reason (province)",
    description="Only a submitted period is decided (409 otherwise). `If-Match`: its version.",
    responses=DECISION_ERRORS,
)
def reject_tier(
    principal: FirmsAdmin,
    firm_id: IdPath,
    period_id: IdPath,
    body: TierRejection,
    session: SessionDep,
    if_match: IfMatchDep,
    response: Response,
) -> TierPeriodRead:
    period = tiers.decide_tier(
        session, principal, firm_id, period_id, TierState.rejected, body.note, if_match
    )
    return _read(period, response)


@router.get(
    "/{firm_id}/history",
    response_model=FirmHistory,
    summary="A firm's history: registration, tier submissions and decisions (who, when, why)",
    responses=problem_responses(404),
)
def read_firm_history(principal: FirmsRead, firm_id: IdPath, session: SessionDep) -> FirmHistory:
    events = firm_history(session, principal, firm_id)
    return FirmHistory(firm_id=firm_id, entries=[HistoryEntry.model_validate(e) for e in events])


@queue_router.get(
    "",
    response_model=Page[TierPeriodRead],
    summary="Tier certificates across firms; state=submitted is the province's approval queue",
)
def list_tier_periods(
    principal: FirmsAdmin,
    session: SessionDep,
    page: Annotated[PageParams, Depends(page_params)],
    state: Annotated[TierState | None, Query(description="submitted: awaiting a decision")] = None,
    firm_id: IdQuery = None,
) -> Page[TierPeriodRead]:
    rows = tiers.queue(session, page, state=state, firm_id=firm_id)
    return make_page([TierPeriodRead.model_validate(r) for r in rows], page)
