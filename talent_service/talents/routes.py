from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request, Response

from talent_service.auth.access import Access
from talent_service.auth.principal import SCOPE_REGISTRY_READ, SCOPE_REGISTRY_WRITE, Principal
from talent_service.core.idempotent import IdempotentDep
from talent_service.core.pagination import Page, PageParams, make_page, page_params
from talent_service.core.preconditions import IfMatchDep
from talent_service.core.problems import problem_responses
from talent_service.core.types import MAX_INT, CityQuery, IdPath
from talent_service.core.unit_of_work import SessionDep, WriteSessionDep, api_router, read_bind
from talent_service.models import TalentFirm
from talent_service.reference.enums import Education, Role
from talent_service.talents import registration, service
from talent_service.talents.schemas import TalentCreate, TalentIdentity, TalentRead, TalentUpdate

router = api_router(prefix="/talents", tags=["talents"])

READ = Access(Role.province, Role.bureau, Role.firm, Role.client, scope=SCOPE_REGISTRY_READ)
WRITE = Access(Role.province, Role.firm, scope=SCOPE_REGISTRY_WRITE)
DISCLOSE = Access(Role.province, Role.bureau, scope=SCOPE_REGISTRY_READ)


@router.post(
    "",
    status_code=201,
    response_model=TalentRead,
    summary="Register a person for a firm (the answer is the firm's registration, known ID or not)",
    responses=problem_responses(409, 422),
)
def register_talent(
    body: TalentCreate,
    principal: Annotated[Principal, Depends(WRITE)],
    session: SessionDep,
    idempotent: IdempotentDep,
) -> TalentRead:
    talent, mine = registration.register_talent(session, principal, body)
    return service.to_read(talent, principal, _shown_registration(principal, mine))


@router.get("", response_model=Page[TalentRead], summary="List the talent the caller may see")
def list_talents(
    principal: Annotated[Principal, Depends(READ)],
    session: SessionDep,
    page: Annotated[PageParams, Depends(page_params)],
    firm_id: Annotated[int | None, Query(ge=1, le=MAX_INT)] = None,
    center_id: Annotated[int | None, Query(ge=1, le=MAX_INT)] = None,
    host_city_code: CityQuery = None,
    home_city_code: CityQuery = None,
    hire_year: Annotated[int | None, Query(ge=1990, le=2100)] = None,
    still_employed: bool | None = None,
    education: Education | None = None,
) -> Page[TalentRead]:
    rows = service.list_talents(
        session,
        principal,
        page,
        firm_id=firm_id,
        center_id=center_id,
        host_city_code=host_city_code,
        home_city_code=home_city_code,
        hire_year=hire_year,
        still_employed=still_employed,
        education=education,
    )
    return make_page([service.to_read(t, principal, r) for t, r in rows], page)


@router.get(
    "/{talent_id}",
    response_model=TalentRead,
    summary="Read a person (ID number masked)",
    responses=problem_responses(404),
)
async def read_talent(
    talent_id: IdPath,
    principal: Annotated[Principal, Depends(READ)],
    request: Request,
) -> Response:
    # The hot read: other systems look people up by id. Reads arriving together share one
    # statement and one round trip (core/read_batcher.py), plain rows on the driver, no
    # Session; serialised once by pydantic instead of validated again by FastAPI.
    talent = await service.read_talent(read_bind(request), principal, talent_id)
    return Response(
        talent.model_dump_json(),
        media_type="application/json",
        headers={"ETag": f'"{talent.version}"'},
    )


@router.get(
    "/{talent_id}/identity",
    response_model=TalentIdentity,
    summary="Disclose the whole ID number (bureau, province; in the audit log)",
    responses=problem_responses(404),
)
def read_identity(
    talent_id: IdPath,
    principal: Annotated[Principal, Depends(DISCLOSE)],
    session: WriteSessionDep,  # the disclosure's audit entry commits before the number leaves
) -> TalentIdentity:
    return service.disclose_identity(session, principal, talent_id)


@router.patch(
    "/{talent_id}",
    response_model=TalentRead,
    summary="Change the firm's registration of a person (a firm) or state facts (the province)",
    responses=problem_responses(404, 409, 412, 422),
)
def update_talent(
    talent_id: IdPath,
    body: TalentUpdate,
    principal: Annotated[Principal, Depends(WRITE)],
    session: SessionDep,
    if_match: IfMatchDep,
) -> TalentRead:
    talent, mine = registration.update_talent(session, principal, talent_id, body, if_match)
    return service.to_read(talent, principal, mine)


def _shown_registration(principal: Principal, mine: TalentFirm) -> TalentFirm | None:
    """A firm reads its registration back; the province, registering for a firm, reads the
    person's consolidated profile as it reads any person."""
    return mine if principal.role is Role.firm else None
