from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Response

from talent_service.auth.access import Access
from talent_service.auth.principal import SCOPE_ENCLAVES_WRITE, SCOPE_REGISTRY_READ, Principal
from talent_service.core.idempotent import IdempotentDep
from talent_service.core.pagination import Page, PageParams, make_page, page_params
from talent_service.core.preconditions import IfMatchDep
from talent_service.core.problems import problem_responses
from talent_service.core.types import CityQuery, IdPath
from talent_service.core.unit_of_work import SessionDep, api_router
from talent_service.enclaves import service
from talent_service.enclaves.schemas import EnclaveCreate, EnclaveRead, EnclaveUpdate
from talent_service.reference.enums import Role

router = api_router(prefix="/enclaves", tags=["enclaves"])

READ = Access(Role.province, Role.bureau, Role.firm, Role.client, scope=SCOPE_REGISTRY_READ)
WRITE = Access(Role.province, Role.bureau, scope=SCOPE_ENCLAVES_WRITE)


@router.post(
    "",
    status_code=201,
    response_model=EnclaveRead,
    summary="Register an enclave space (host city's bureau or province)",
    responses=problem_responses(403, 422),
)
def create_enclave(
    body: EnclaveCreate,
    principal: Annotated[Principal, Depends(WRITE)],
    session: SessionDep,
    idempotent: IdempotentDep,
) -> EnclaveRead:
    enclave = service.create_enclave(session, principal, body)
    return service.to_read(session, [enclave])[0]


@router.get("", response_model=Page[EnclaveRead], summary="List enclave spaces")
def list_enclaves(
    principal: Annotated[Principal, Depends(READ)],
    session: SessionDep,
    page: Annotated[PageParams, Depends(page_params)],
    host_city_code: CityQuery = None,
    partner_city_code: CityQuery = None,
) -> Page[EnclaveRead]:
    rows = service.list_enclaves(
        session, principal, page, host_city_code=host_city_code, partner_city_code=partner_city_code
    )
    return make_page(service.to_read(session, rows), page)


@router.get(
    "/{enclave_id}",
    response_model=EnclaveRead,
    summary="Read an enclave space with its used and free floor area",
    responses=problem_responses(404),
)
def read_enclave(
    enclave_id: IdPath,
    principal: Annotated[Principal, Depends(READ)],
    session: SessionDep,
    response: Response,
) -> EnclaveRead:
    enclave = service.to_read(session, [service.get_enclave(session, principal, enclave_id)])[0]
    response.headers["ETag"] = f'"{enclave.version}"'
    return enclave


@router.patch(
    "/{enclave_id}",
    response_model=EnclaveRead,
    summary="Change an enclave space",
    responses=problem_responses(403, 404, 409, 412, 422),
)
def update_enclave(
    enclave_id: IdPath,
    body: EnclaveUpdate,
    principal: Annotated[Principal, Depends(WRITE)],
    session: SessionDep,
    if_match: IfMatchDep,
) -> EnclaveRead:
    enclave = service.update_enclave(session, principal, enclave_id, body, if_match)
    return service.to_read(session, [enclave])[0]
