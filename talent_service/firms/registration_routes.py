"""Self-registration: the one write that needs no token, because the firm has no account yet."""

from __future__ import annotations

from talent_service.auth.access import PUBLIC
from talent_service.core.idempotent import PublicIdempotentDep
from talent_service.core.problems import problem_responses
from talent_service.core.unit_of_work import SessionDep, api_router
from talent_service.firms import service
from talent_service.firms.schemas import FirmRead, FirmRegistered, FirmRegistration

router = api_router(prefix="/registrations", tags=["firms"])


@router.post(
    "",
    status_code=201,
    response_model=FirmRegistered,
    dependencies=[PUBLIC],
    summary="A firm registers itself and its first account",
    description="A tier certificate sent with it is submitted: it counts once the province "
    "approves it (`POST /v1/firms/{firm_id}/tiers/{period_id}/approve`).",
    responses=problem_responses(409, 422),
)
def register_firm(
    body: FirmRegistration, session: SessionDep, idempotent: PublicIdempotentDep
) -> FirmRegistered:
    firm = service.register_firm(session, body)
    return FirmRegistered(
        firm=FirmRead.of(*service.with_tier(session, firm)), username=body.username
    )
