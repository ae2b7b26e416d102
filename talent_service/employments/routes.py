from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Response

from talent_service.auth.access import Access
from talent_service.auth.principal import SCOPE_REGISTRY_READ, SCOPE_REGISTRY_WRITE, Principal
from talent_service.core.idempotent import IdempotentDep
from talent_service.core.pagination import Page, PageParams, make_page, page_params
from talent_service.core.preconditions import IfMatchDep
from talent_service.core.problems import problem_responses
from talent_service.core.types import CityQuery, IdPath, IdQuery
from talent_service.core.unit_of_work import SessionDep, api_router
from talent_service.employments import service
from talent_service.employments.schemas import (
    Departure,
    EmploymentCreate,
    EmploymentRead,
    EmploymentUpdate,
)
from talent_service.reference.enums import Role

router = api_router(prefix="/employments", tags=["employments"])

READ = Access(Role.province, Role.bureau, Role.firm, Role.client, scope=SCOPE_REGISTRY_READ)
WRITE = Access(Role.province, Role.firm, scope=SCOPE_REGISTRY_WRITE)


@router.post(
    "",
    status_code=201,
    response_model=EmploymentRead,
    summary="Record a hire",
    responses=problem_responses(409, 422),
)
def create_employment(
    body: EmploymentCreate,
    principal: Annotated[Principal, Depends(WRITE)],
    session: SessionDep,
    idempotent: IdempotentDep,
) -> EmploymentRead:
    return EmploymentRead.model_validate(service.create_employment(session, principal, body))


@router.get(
    "", response_model=Page[EmploymentRead], summary="List the employment spells the caller may see"
)
def list_employments(
    principal: Annotated[Principal, Depends(READ)],
    session: SessionDep,
    page: Annotated[PageParams, Depends(page_params)],
    talent_id: IdQuery = None,
    firm_id: IdQuery = None,
    center_id: IdQuery = None,
    host_city_code: CityQuery = None,
    home_city_code: CityQuery = None,
    hire_year: Annotated[int | None, Query(ge=1990, le=2100)] = None,
    still_employed: bool | None = None,
    recruited_via_program: bool | None = None,
    at_home_site: bool | None = None,
) -> Page[EmploymentRead]:
    rows = service.list_employments(
        session,
        principal,
        page,
        talent_id=talent_id,
        firm_id=firm_id,
        center_id=center_id,
        host_city_code=host_city_code,
        home_city_code=home_city_code,
        hire_year=hire_year,
        still_employed=still_employed,
        recruited_via_program=recruited_via_program,
        at_home_site=at_home_site,
    )
    return make_page([EmploymentRead.model_validate(r) for r in rows], page)


@router.get(
    "/{employment_id}",
    response_model=EmploymentRead,
    summary="Read an employment spell",
    responses=problem_responses(404),
)
def read_employment(
    employment_id: IdPath,
    principal: Annotated[Principal, Depends(READ)],
    session: SessionDep,
    response: Response,
) -> EmploymentRead:
    spell = EmploymentRead.model_validate(service.get_employment(session, principal, employment_id))
    response.headers["ETag"] = f'"{spell.version}"'
    return spell


@router.patch(
    "/{employment_id}",
    response_model=EmploymentRead,
    summary="Change a spell's position, flags or social-insurance city",
    responses=problem_responses(404, 409, 412, 422),
)
def update_employment(
    employment_id: IdPath,
    body: EmploymentUpdate,
    principal: Annotated[Principal, Depends(WRITE)],
    session: SessionDep,
    if_match: IfMatchDep,
) -> EmploymentRead:
    spell = service.update_employment(session, principal, employment_id, body, if_match)
    return EmploymentRead.model_validate(spell)


@router.post(
    "/{employment_id}/departure",
    response_model=EmploymentRead,
    summary="Record the talent's departure (closes the spell)",
    responses=problem_responses(404, 409, 412, 422),
)
def record_departure(
    employment_id: IdPath,
    body: Departure,
    principal: Annotated[Principal, Depends(WRITE)],
    session: SessionDep,
    if_match: IfMatchDep,
) -> EmploymentRead:
    spell = service.record_departure(session, principal, employment_id, body, if_match)
    return EmploymentRead.model_validate(spell)
