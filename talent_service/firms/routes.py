from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Response

from talent_service.auth.access import Access
from talent_service.auth.principal import (
    SCOPE_FIRMS_ADMIN,
    SCOPE_REGISTRY_READ,
    SCOPE_REGISTRY_WRITE,
    Principal,
)
from talent_service.core.pagination import Page, PageParams, make_page, page_params
from talent_service.core.preconditions import IfMatchDep
from talent_service.core.problems import problem_responses
from talent_service.core.types import CityQuery, IdPath
from talent_service.core.unit_of_work import SessionDep, api_router
from talent_service.firms import service
from talent_service.firms.schemas import FirmCreate, FirmRead, FirmUpdate
from talent_service.reference.enums import FirmTier, Role

router = api_router(prefix="/firms", tags=["firms"])

READ = Access(Role.province, Role.bureau, Role.firm, Role.client, scope=SCOPE_REGISTRY_READ)
ADMIN = Access(Role.province, scope=SCOPE_FIRMS_ADMIN)
WRITE = Access(Role.province, Role.firm, scope=SCOPE_REGISTRY_WRITE)


@router.post(
    "",
    status_code=201,
    response_model=FirmRead,
    summary="Register a firm (province)",
    responses=problem_responses(409, 422),
)
def create_firm(
    body: FirmCreate, _: Annotated[Principal, Depends(ADMIN)], session: SessionDep
) -> FirmRead:
    return FirmRead.model_validate(service.create_firm(session, body))


@router.get("", response_model=Page[FirmRead], summary="List the firms the caller may see")
def list_firms(
    principal: Annotated[Principal, Depends(READ)],
    session: SessionDep,
    page: Annotated[PageParams, Depends(page_params)],
    home_city_code: CityQuery = None,
    tier: FirmTier | None = None,
) -> Page[FirmRead]:
    rows = service.list_firms(session, principal, page, home_city_code=home_city_code, tier=tier)
    return make_page([FirmRead.model_validate(r) for r in rows], page)


@router.get(
    "/{firm_id}", response_model=FirmRead, summary="Read a firm", responses=problem_responses(404)
)
def read_firm(
    firm_id: IdPath,
    principal: Annotated[Principal, Depends(READ)],
    session: SessionDep,
    response: Response,
) -> FirmRead:
    firm = FirmRead.model_validate(service.get_firm(session, principal, firm_id))
    response.headers["ETag"] = f'"{firm.version}"'
    return firm


@router.patch(
    "/{firm_id}",
    response_model=FirmRead,
    summary="Change a firm's name or tier",
    responses=problem_responses(404, 409, 412, 422),
)
def update_firm(
    firm_id: IdPath,
    body: FirmUpdate,
    principal: Annotated[Principal, Depends(WRITE)],
    session: SessionDep,
    if_match: IfMatchDep,
) -> FirmRead:
    return FirmRead.model_validate(service.update_firm(session, principal, firm_id, body, if_match))
