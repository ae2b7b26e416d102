"""Benefit policies: read them, draft and publish versions, change parameters, simulate drafts.

Policies are public program rules: every caller with ``eligibility:check`` reads every city's
policies and published versions (drafts only where it may edit). Writes belong to the province
and, for its own city's policies, the city's bureau.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Body, Depends, Response

from talent_service.auth.access import Access
from talent_service.auth.principal import (
    SCOPE_ELIGIBILITY_CHECK,
    SCOPE_POLICIES_WRITE,
    Principal,
)
from talent_service.core.idempotent import IdempotentDep
from talent_service.core.pagination import Page, PageParams, make_page, page_params
from talent_service.core.preconditions import IfMatchDep
from talent_service.core.problems import problem_responses
from talent_service.core.types import CityQuery, IdPath
from talent_service.core.unit_of_work import SessionDep, api_router
from talent_service.eligibility.policies import service, simulation
from talent_service.eligibility.policies.schemas import (
    ParameterCreate,
    ParameterRead,
    PolicyCreate,
    PolicyDetail,
    PolicyRead,
    PublishRequest,
    SimulationRequest,
    SimulationResponse,
    VersionCreate,
    VersionRead,
    VersionUpdate,
)
from talent_service.models import PolicyVersion
from talent_service.reference.enums import Benefit, Role, Side

router = api_router(prefix="/policies", tags=["policies"])

READ = Access(Role.province, Role.bureau, Role.firm, Role.client, scope=SCOPE_ELIGIBILITY_CHECK)
WRITE = Access(Role.province, Role.bureau, scope=SCOPE_POLICIES_WRITE)
# A planning tool of governments; the population is cut down to the talent the caller may see.
SIMULATE = Access(Role.province, Role.bureau, scope=SCOPE_ELIGIBILITY_CHECK)


def _version_read(version: PolicyVersion, response: Response) -> VersionRead:
    response.headers["ETag"] = f'"{service.version_tag(version)}"'
    return VersionRead.model_validate(version)


@router.get("", response_model=Page[PolicyRead], summary="List benefit policies (all cities)")
def list_policies(
    _: Annotated[Principal, Depends(READ)],
    session: SessionDep,
    page: Annotated[PageParams, Depends(page_params)],
    city_code: CityQuery = None,
    benefit: Benefit | None = None,
    side: Side | None = None,
) -> Page[PolicyRead]:
    rows = service.list_policies(session, page, city_code=city_code, benefit=benefit, side=side)
    return make_page([PolicyRead.model_validate(r) for r in rows], page)


@router.post(
    "",
    status_code=201,
    response_model=PolicyRead,
    summary="Create a city's policy for a benefit (province, or the city's bureau)",
    responses=problem_responses(403, 409, 422),
)
def create_policy(
    body: PolicyCreate,
    principal: Annotated[Principal, Depends(WRITE)],
    session: SessionDep,
    idempotent: IdempotentDep,
) -> PolicyRead:
    return PolicyRead.model_validate(service.create_policy(session, principal, body))


@router.get(
    "/{policy_id}",
    response_model=PolicyDetail,
    summary="A policy with its versions and the parameter values in force today",
    responses=problem_responses(404),
)
def read_policy(
    policy_id: IdPath,
    principal: Annotated[Principal, Depends(READ)],
    session: SessionDep,
) -> PolicyDetail:
    return service.policy_detail(session, principal, service.get_policy(session, policy_id))


@router.get(
    "/{policy_id}/versions/{version}",
    response_model=VersionRead,
    summary="One version of a policy, with its rule",
    responses=problem_responses(404),
)
def read_version(
    policy_id: IdPath,
    version: IdPath,
    principal: Annotated[Principal, Depends(READ)],
    session: SessionDep,
    response: Response,
) -> VersionRead:
    policy = service.get_policy(session, policy_id)
    return _version_read(service.get_version(session, principal, policy, version), response)


@router.post(
    "/{policy_id}/versions",
    status_code=201,
    response_model=VersionRead,
    summary="Create a draft version (numbered max + 1); the rule is validated now",
    responses=problem_responses(403, 404, 422),
)
def create_version(
    policy_id: IdPath,
    body: VersionCreate,
    principal: Annotated[Principal, Depends(WRITE)],
    session: SessionDep,
    idempotent: IdempotentDep,
    response: Response,
) -> VersionRead:
    return _version_read(service.create_version(session, principal, policy_id, body), response)


@router.patch(
    "/{policy_id}/versions/{version}",
    response_model=VersionRead,
    summary="Change a draft version (a published version is never edited: 409)",
    responses=problem_responses(403, 404, 409, 412, 422),
)
def update_version(
    policy_id: IdPath,
    version: IdPath,
    body: VersionUpdate,
    principal: Annotated[Principal, Depends(WRITE)],
    session: SessionDep,
    if_match: IfMatchDep,
    response: Response,
) -> VersionRead:
    updated = service.update_version(session, principal, policy_id, version, body, if_match)
    return _version_read(updated, response)


@router.post(
    "/{policy_id}/versions/{version}/publish",
    response_model=VersionRead,
    summary="Publish a draft: no overlap with published versions unless it supersedes the "
    "open-ended one; every parameter it reads has a value on its effective_from",
    responses=problem_responses(403, 404, 409, 422),
)
def publish_version(
    policy_id: IdPath,
    version: IdPath,
    principal: Annotated[Principal, Depends(WRITE)],
    session: SessionDep,
    response: Response,
    body: Annotated[PublishRequest | None, Body()] = None,
) -> VersionRead:
    supersede = body.supersede if body is not None else False
    published = service.publish_version(session, principal, policy_id, version, supersede=supersede)
    return _version_read(published, response)


@router.post(
    "/{policy_id}/parameters",
    status_code=201,
    response_model=ParameterRead,
    summary="Add an effective-dated parameter value (e.g. a new age limit from a date)",
    responses=problem_responses(403, 404, 422),
)
def add_parameter(
    policy_id: IdPath,
    body: ParameterCreate,
    principal: Annotated[Principal, Depends(WRITE)],
    session: SessionDep,
    idempotent: IdempotentDep,
) -> ParameterRead:
    return ParameterRead.model_validate(service.add_parameter(session, principal, policy_id, body))


@router.post(
    "/{policy_id}/simulate",
    response_model=SimulationResponse,
    summary="Compare a draft (version, inline rule or parameters) with the version in force "
    "over every related talent you may see; nothing is stored",
    responses=problem_responses(404, 409, 422),
)
def simulate(
    policy_id: IdPath,
    body: SimulationRequest,
    principal: Annotated[Principal, Depends(SIMULATE)],
    session: SessionDep,
) -> SimulationResponse:
    return simulation.run(session, principal, policy_id, body)
