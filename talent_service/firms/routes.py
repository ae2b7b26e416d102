from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Response

from talent_service.core.idempotent import IdempotentDep
from talent_service.core.pagination import Page, PageParams, make_page, page_params
from talent_service.core.preconditions import IfMatchDep
from talent_service.core.problems import problem_responses
from talent_service.core.types import CityQuery, IdPath
from talent_service.core.unit_of_work import SessionDep, api_router
from talent_service.firms import service
from talent_service.firms.auth import FirmsAdmin, FirmsReadOwn, FirmsWrite
from talent_service.firms.schemas import FirmCreate, FirmRead, FirmUpdate
from talent_service.reference.enums import FirmTier

router = api_router(prefix="/firms", tags=["firms"])


@router.post(
    "",
    status_code=201,
    response_model=FirmRead,
    summary="Register a firm (province); a certificate sent with it is approved at once",
    responses=problem_responses(409, 422),
)
def create_firm(
    principal: FirmsAdmin, body: FirmCreate, session: SessionDep, idempotent: IdempotentDep
) -> FirmRead:
    firm = service.create_firm(session, body, by=principal.subject)
    return FirmRead.of(*service.with_tier(session, firm))


@router.get("", response_model=Page[FirmRead], summary="List the firms the caller may see")
def list_firms(
    principal: FirmsReadOwn,
    session: SessionDep,
    page: Annotated[PageParams, Depends(page_params)],
    home_city_code: CityQuery = None,
    tier: Annotated[
        FirmTier | None, Query(description="Firms whose approved certificate valid today is this")
    ] = None,
) -> Page[FirmRead]:
    rows = service.list_firms(session, principal, page, home_city_code=home_city_code, tier=tier)
    return make_page([FirmRead.of(firm, period) for firm, period in rows], page)


@router.get(
    "/{firm_id}", response_model=FirmRead, summary="Read a firm", responses=problem_responses(404)
)
def read_firm(
    principal: FirmsReadOwn, firm_id: IdPath, session: SessionDep, response: Response
) -> FirmRead:
    firm = FirmRead.of(*service.get_firm(session, principal, firm_id))
    response.headers["ETag"] = f'"{firm.version}"'
    return firm


@router.patch(
    "/{firm_id}",
    response_model=FirmRead,
    summary="Rename a firm (a tier is submitted to /tiers, not set)",
    responses=problem_responses(404, 409, 412, 422),
)
def update_firm(
    principal: FirmsWrite,
    firm_id: IdPath,
    body: FirmUpdate,
    session: SessionDep,
    if_match: IfMatchDep,
) -> FirmRead:
    return FirmRead.of(*service.update_firm(session, principal, firm_id, body, if_match))
