"""Declarations about a person, the bureaus' verification queue, and a person's history.

Paths under ``/talents/{talent_id}/…`` live here, not in talents/: they are about declarations.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Response

from talent_service.auth.principal import Principal
from talent_service.core.idempotent import IdempotentDep
from talent_service.core.pagination import Page, PageParams, make_page, page_params
from talent_service.core.preconditions import IfMatchDep
from talent_service.core.problems import problem_responses
from talent_service.core.types import IdPath, IdQuery
from talent_service.core.unit_of_work import SessionDep, api_router
from talent_service.declarations import queries, service, views
from talent_service.declarations.auth import DECLARE, READ, VERIFY
from talent_service.declarations.review import review
from talent_service.declarations.schemas import (
    DeclarationCreate,
    DeclarationRead,
    History,
    Reject,
    Verify,
)
from talent_service.reference.enums import DeclaredFact, Verification

router = api_router(tags=["declarations"])

REVIEW_ERRORS = problem_responses(404, 409, 412, 422)


@router.get(
    "/talents/{talent_id}/declarations",
    response_model=Page[DeclarationRead],
    summary="The declarations about a person the caller may see, newest first",
    description=(
        "A firm sees only its own declarations; a bureau those about the talent it sees; the "
        "province all. A machine client reads like a bureau of its city (the province if bound "
        "to none), without the evidence and reasons."
    ),
    responses=problem_responses(404),
)
def list_declarations(
    talent_id: IdPath,
    principal: Annotated[Principal, Depends(READ)],
    session: SessionDep,
    page: Annotated[PageParams, Depends(page_params)],
    fact: DeclaredFact | None = None,
    verification: Verification | None = None,
) -> Page[DeclarationRead]:
    rows = queries.declarations_about(
        session, principal, talent_id, page, fact=fact, verification=verification
    )
    return make_page(views.to_reads(session, principal, rows), page)


@router.post(
    "/talents/{talent_id}/declarations",
    status_code=201,
    response_model=DeclarationRead,
    summary="Declare a person's education, title or hukou city since a date",
    description=(
        "A firm (for talent it registered): `declared` until a bureau or the province reviews "
        "it. A bureau (for talent it sees) or the province: `verified` at once, on its "
        "`evidence`. Nobody's declaration overwrites another's; a correction is a new "
        "declaration naming one of the caller's own (`corrects_id`). Sending the same "
        "declaration again answers the one already recorded."
    ),
    responses=problem_responses(404, 422),
)
def create_declaration(
    talent_id: IdPath,
    body: DeclarationCreate,
    principal: Annotated[Principal, Depends(DECLARE)],
    session: SessionDep,
    idempotent: IdempotentDep,
) -> DeclarationRead:
    return views.to_read(session, principal, service.record(session, principal, talent_id, body))


@router.get(
    "/talents/{talent_id}/history",
    response_model=History,
    summary="A person's history: registrations, declarations, corrections, reviews",
    description=(
        "In time order, within the caller's view: a firm sees its own registration and the "
        "events of its own declarations only; bureaus and the province the whole."
    ),
    responses=problem_responses(404),
)
def read_history(
    talent_id: IdPath,
    principal: Annotated[Principal, Depends(READ)],
    session: SessionDep,
) -> History:
    return views.history(session, principal, talent_id)


@router.get(
    "/declarations",
    response_model=Page[DeclarationRead],
    summary="The verification queue: declarations awaiting review, oldest first",
    description=(
        "A bureau sees those about the talent of its city (registered by a firm based there, "
        "or employed at a center hosted there); the province all. With `verification` other "
        "than `declared`, the declarations in that state. A declaration its party has since "
        "corrected no longer awaits review."
    ),
)
def list_queue(
    principal: Annotated[Principal, Depends(VERIFY)],
    session: SessionDep,
    page: Annotated[PageParams, Depends(page_params)],
    verification: Verification = Verification.declared,
    fact: DeclaredFact | None = None,
    talent_id: IdQuery = None,
) -> Page[DeclarationRead]:
    rows = queries.review_queue(
        session, principal, page, verification=verification, fact=fact, talent_id=talent_id
    )
    return make_page(views.to_reads(session, principal, rows), page)


@router.get(
    "/declarations/{declaration_id}",
    response_model=DeclarationRead,
    summary="Read a declaration (its ETag is the version a review's If-Match names)",
    responses=problem_responses(404),
)
def read_declaration(
    declaration_id: IdPath,
    principal: Annotated[Principal, Depends(READ)],
    session: SessionDep,
    response: Response,
) -> DeclarationRead:
    declaration = queries.get_declaration(session, principal, declaration_id)
    response.headers["ETag"] = f'"{declaration.version}"'
    return views.to_read(session, principal, declaration)


@router.post(
    "/declarations/{declaration_id}/verify",
    response_model=DeclarationRead,
    summary="Verify a declaration on evidence (a bureau for the talent it sees, the province)",
    responses=REVIEW_ERRORS,
)
def verify_declaration(
    declaration_id: IdPath,
    body: Verify,
    principal: Annotated[Principal, Depends(VERIFY)],
    session: SessionDep,
    if_match: IfMatchDep,
) -> DeclarationRead:
    declaration = review(
        session,
        principal,
        declaration_id,
        Verification.verified,
        evidence=body.evidence,
        expected=if_match,
    )
    return views.to_read(session, principal, declaration)


@router.post(
    "/declarations/{declaration_id}/reject",
    response_model=DeclarationRead,
    summary="Reject a declaration with a reason (a bureau for the talent it sees, the province)",
    responses=REVIEW_ERRORS,
)
def reject_declaration(
    declaration_id: IdPath,
    body: Reject,
    principal: Annotated[Principal, Depends(VERIFY)],
    session: SessionDep,
    if_match: IfMatchDep,
) -> DeclarationRead:
    declaration = review(
        session,
        principal,
        declaration_id,
        Verification.rejected,
        reason=body.reason,
        expected=if_match,
    )
    return views.to_read(session, principal, declaration)
