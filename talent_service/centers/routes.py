from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Response

from talent_service.auth.access import Access
from talent_service.auth.principal import (
    SCOPE_CENTERS_ACCREDIT,
    SCOPE_CENTERS_CLOSE,
    SCOPE_REGISTRY_READ,
    SCOPE_REGISTRY_WRITE,
    Principal,
)
from talent_service.centers import service
from talent_service.centers.lifecycle import CenterAction
from talent_service.centers.schemas import (
    AccreditationDecision,
    CenterCreate,
    CenterHistory,
    CenterRead,
    CenterUpdate,
    Closure,
    StatusNote,
)
from talent_service.core.idempotent import IdempotentDep
from talent_service.core.pagination import Page, PageParams, make_page, page_params
from talent_service.core.preconditions import IfMatchDep
from talent_service.core.problems import problem_responses
from talent_service.core.types import MAX_INT, CityQuery, IdPath
from talent_service.core.unit_of_work import SessionDep, api_router
from talent_service.reference.enums import CenterKind, CenterStatus, Role

router = api_router(prefix="/centers", tags=["centers"])

READ = Access(Role.province, Role.bureau, Role.firm, Role.client, scope=SCOPE_REGISTRY_READ)
WRITE = Access(Role.province, Role.firm, scope=SCOPE_REGISTRY_WRITE)
DECIDE = Access(Role.province, Role.bureau, scope=SCOPE_CENTERS_ACCREDIT)
CLOSE = Access(Role.province, Role.bureau, Role.firm, scope=SCOPE_CENTERS_CLOSE)
STATE_ERRORS = problem_responses(403, 404, 409, 412, 422)


@router.post(
    "",
    status_code=201,
    response_model=CenterRead,
    summary="Register a center (pending until the host city accredits it)",
    responses=problem_responses(422),
)
def create_center(
    body: CenterCreate,
    principal: Annotated[Principal, Depends(WRITE)],
    session: SessionDep,
    idempotent: IdempotentDep,
) -> CenterRead:
    center = service.create_center(session, principal, body)
    return CenterRead.of(center, center.opened_on)


@router.get("", response_model=Page[CenterRead], summary="List the centers the caller may see")
def list_centers(
    principal: Annotated[Principal, Depends(READ)],
    session: SessionDep,
    page: Annotated[PageParams, Depends(page_params)],
    firm_id: Annotated[int | None, Query(ge=1, le=MAX_INT)] = None,
    host_city_code: CityQuery = None,
    home_city_code: CityQuery = None,
    status: CenterStatus | None = None,
    kind: CenterKind | None = None,
    enclave_id: Annotated[int | None, Query(ge=1, le=MAX_INT)] = None,
) -> Page[CenterRead]:
    rows = service.list_centers(
        session,
        principal,
        page,
        firm_id=firm_id,
        host_city_code=host_city_code,
        home_city_code=home_city_code,
        status=status,
        kind=kind,
        enclave_id=enclave_id,
    )
    return make_page([CenterRead.of(center, since) for center, since in rows], page)


@router.get(
    "/{center_id}",
    response_model=CenterRead,
    summary="Read a center",
    responses=problem_responses(404),
)
def read_center(
    center_id: IdPath,
    principal: Annotated[Principal, Depends(READ)],
    session: SessionDep,
    response: Response,
) -> CenterRead:
    row = service.get_center(session, principal, center_id)
    center = CenterRead.of(row, service.status_since(session, row))
    response.headers["ETag"] = f'"{center.version}"'
    return center


@router.get(
    "/{center_id}/history",
    response_model=CenterHistory,
    summary="A center's status events (who decided what, effective when) and its periods",
    responses=problem_responses(404),
)
def center_history(
    center_id: IdPath,
    principal: Annotated[Principal, Depends(READ)],
    session: SessionDep,
) -> CenterHistory:
    center, events, periods = service.history(session, principal, center_id)
    return CenterHistory.model_validate(
        {
            "center_id": center.id,
            "status": center.status,
            "status_since": events[-1].effective_on if events else None,
            "events": events,
            "periods": periods,
        }
    )


@router.patch(
    "/{center_id}",
    response_model=CenterRead,
    summary="Change a center's name, address or floor area",
    responses=STATE_ERRORS,
)
def update_center(
    center_id: IdPath,
    body: CenterUpdate,
    principal: Annotated[Principal, Depends(WRITE)],
    session: SessionDep,
    if_match: IfMatchDep,
) -> CenterRead:
    center = service.update_center(session, principal, center_id, body, if_match)
    return CenterRead.of(center, service.status_since(session, center))


@router.post(
    "/{center_id}/accreditation",
    response_model=CenterRead,
    summary="Accredit or reject a pending center from a date (host city's bureau or province)",
    responses=STATE_ERRORS,
)
def decide_accreditation(
    center_id: IdPath,
    body: AccreditationDecision,
    principal: Annotated[Principal, Depends(DECIDE)],
    session: SessionDep,
    if_match: IfMatchDep,
) -> CenterRead:
    action = CenterAction.accredit if body.decision == "accredited" else CenterAction.reject
    center, since = service.decide(
        session, principal, center_id, action, body.note, if_match, body.effective_on
    )
    return CenterRead.of(center, since)


@router.post(
    "/{center_id}/suspension",
    response_model=CenterRead,
    summary="Suspend an accredited center, effective on a date",
    responses=STATE_ERRORS,
)
def suspend_center(
    center_id: IdPath,
    body: StatusNote,
    principal: Annotated[Principal, Depends(DECIDE)],
    session: SessionDep,
    if_match: IfMatchDep,
) -> CenterRead:
    center, since = service.decide(
        session, principal, center_id, CenterAction.suspend, body.note, if_match, body.effective_on
    )
    return CenterRead.of(center, since)


@router.post(
    "/{center_id}/reinstatement",
    response_model=CenterRead,
    summary="Reinstate a suspended center, effective on a date",
    responses=STATE_ERRORS,
)
def reinstate_center(
    center_id: IdPath,
    body: StatusNote,
    principal: Annotated[Principal, Depends(DECIDE)],
    session: SessionDep,
    if_match: IfMatchDep,
) -> CenterRead:
    center, since = service.decide(
        session,
        principal,
        center_id,
        CenterAction.reinstate,
        body.note,
        if_match,
        body.effective_on,
    )
    return CenterRead.of(center, since)


@router.post(
    "/{center_id}/closure",
    response_model=CenterRead,
    summary="Close a center on a date (its firm, host city's bureau or province)",
    responses=STATE_ERRORS,
)
def close_center(
    center_id: IdPath,
    body: Closure,
    principal: Annotated[Principal, Depends(CLOSE)],
    session: SessionDep,
    if_match: IfMatchDep,
) -> CenterRead:
    center, since = service.close_center(
        session, principal, center_id, body.closed_on, body.note, if_match
    )
    return CenterRead.of(center, since)
