"""Self-registration (public), the bureaus' queue and decisions, and who the caller is."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request

from talent_service.auth import revocations
from talent_service.auth.access import PUBLIC
from talent_service.core.idempotent import PublicIdempotentDep
from talent_service.core.pagination import Page, PageParams, make_page, page_params
from talent_service.core.problems import problem_responses
from talent_service.core.types import CityQuery, IdPath
from talent_service.core.unit_of_work import SessionDep, api_router
from talent_service.reference.enums import SignUpState
from talent_service.signups import service
from talent_service.signups.auth import AccountRead as AccountCaller
from talent_service.signups.auth import SignUpsDecide, SignUpsRead
from talent_service.signups.schemas import (
    AccountRead,
    FirmRegistration,
    SignUpApproval,
    SignUpRead,
    SignUpReceived,
    SignUpRejection,
)

registrations_router = api_router(prefix="/registrations", tags=["sign-ups"])
router = api_router(prefix="/sign-ups", tags=["sign-ups"])
account_router = api_router(prefix="/account", tags=["sign-ups"])

_RECEIVED = SignUpReceived()


@registrations_router.post(
    "",
    status_code=202,
    response_model=SignUpReceived,
    dependencies=[PUBLIC],
    summary="A firm signs itself up with its first account; it is pending until approved",
    description="The answer is the same 202, byte for byte, whether or not the username or the "
    "USCC is already registered: it reveals neither. A sign-up that collides creates nothing. "
    "The account can sign in at once; until the firm's home city talent bureau (or the "
    "province) approves it (`POST /v1/sign-ups/{firm_id}/approve`) it may read only its own "
    "firm, its sign-up and `GET /v1/account`, and is refused elsewhere with 403 `firm-pending`. "
    "A tier certificate sent with it is submitted to the province.",
    responses=problem_responses(409, 422, 429),
)
def register_firm(
    body: FirmRegistration, session: SessionDep, idempotent: PublicIdempotentDep
) -> SignUpReceived:
    service.sign_up(session, body)
    return _RECEIVED


@router.get(
    "",
    response_model=Page[SignUpRead],
    summary="The queue: sign-ups of the bureau's home city firms (the province: all)",
)
def list_sign_ups(
    principal: SignUpsDecide,
    session: SessionDep,
    page: Annotated[PageParams, Depends(page_params)],
    state: Annotated[SignUpState | None, Query(description="pending: the queue")] = None,
    home_city_code: CityQuery = None,
) -> Page[SignUpRead]:
    rows = service.queue(session, principal, page, state=state, home_city_code=home_city_code)
    return make_page(rows, page)


@router.get(
    "/{firm_id}",
    response_model=SignUpRead,
    summary="A firm's sign-up and its history (the firm reads its own while pending)",
    responses=problem_responses(404),
)
def read_sign_up(principal: SignUpsRead, firm_id: IdPath, session: SessionDep) -> SignUpRead:
    return service.get_sign_up(session, principal, firm_id)


def _decided(request: Request) -> None:
    # This worker reads the decisions again at its next request; the others within the
    # revocation refresh bound (auth/approval.py).
    revocations.snapshot(request.app).expire()


@router.post(
    "/{firm_id}/approve",
    response_model=SignUpRead,
    summary="Approve a pending sign-up (the firm's home city bureau, or the province)",
    responses=problem_responses(403, 404, 409, 422),
)
def approve_sign_up(
    principal: SignUpsDecide,
    firm_id: IdPath,
    body: SignUpApproval,
    session: SessionDep,
    request: Request,
) -> SignUpRead:
    read = service.decide(session, principal, firm_id, SignUpState.approved, body.reason)
    _decided(request)
    return read


@router.post(
    "/{firm_id}/reject",
    response_model=SignUpRead,
    summary="Reject a pending sign-up with a reason (the home city bureau, or the province)",
    responses=problem_responses(403, 404, 409, 422),
)
def reject_sign_up(
    principal: SignUpsDecide,
    firm_id: IdPath,
    body: SignUpRejection,
    session: SessionDep,
    request: Request,
) -> SignUpRead:
    read = service.decide(session, principal, firm_id, SignUpState.rejected, body.reason)
    _decided(request)
    return read


@account_router.get(
    "",
    response_model=AccountRead,
    summary="Who the token names: role, city, scopes, and the firm with its sign-up state",
)
def read_account(principal: AccountCaller, session: SessionDep) -> AccountRead:
    return service.account(session, principal)
