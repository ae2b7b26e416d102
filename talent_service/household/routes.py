"""A talent's household members: ``/talents/{talent_id}/household``."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from talent_service.auth.principal import Principal
from talent_service.core.idempotent import IdempotentDep
from talent_service.core.problems import problem_responses
from talent_service.core.types import IdPath
from talent_service.core.unit_of_work import SessionDep, api_router
from talent_service.declarations.auth import DECLARE, READ
from talent_service.household import service
from talent_service.household.disclosure import shown
from talent_service.household.schemas import HouseholdMemberCreate, HouseholdMemberRead

router = api_router(tags=["household"])


@router.post(
    "/talents/{talent_id}/household",
    status_code=201,
    response_model=HouseholdMemberRead,
    summary="Record one of a person's household members (a child), as true from a date",
    description=(
        "Who may: a firm for talent it registered, a bureau for talent it sees, the province "
        "(as for declarations). No name is stored. A change (school stage, district) is a new "
        "record naming the one it `replaces_id`; the old one stays, so a check as of an "
        "earlier date reads it."
    ),
    responses=problem_responses(404, 409, 422),
)
def create_member(
    talent_id: IdPath,
    body: HouseholdMemberCreate,
    principal: Annotated[Principal, Depends(DECLARE)],
    session: SessionDep,
    idempotent: IdempotentDep,
) -> HouseholdMemberRead:
    member = service.record(session, principal, talent_id, body)
    return shown(member, principal)


@router.get(
    "/talents/{talent_id}/household",
    response_model=list[HouseholdMemberRead],
    summary="A person's household records the caller may see, oldest first",
    description=(
        "Every record, replaced ones too (each names what it replaces). A firm sees only the "
        "records it made; a bureau (or a machine client of its city) those of talent it sees. "
        "The child's birth date is shown whole only to whoever recorded the record; others "
        "read its year."
    ),
    responses=problem_responses(404),
)
def list_members(
    talent_id: IdPath,
    principal: Annotated[Principal, Depends(READ)],
    session: SessionDep,
) -> list[HouseholdMemberRead]:
    return [shown(m, principal) for m in service.members_of(session, principal, talent_id)]
