"""Whether a caller's firm may act: a self-registered firm is held back until it is approved.

A firm user's token carries its firm's sign-up state when it was issued (``sign_up`` claim,
absent when approved). A held-back caller (pending or rejected) is refused with 403
``firm-pending`` / ``firm-rejected`` by every route whose rule does not say ``while_pending``,
before a session is opened; the visibility rule (auth/visibility.py) also shows it nothing but
its own firm, so a route that forgot its rule still leaks nothing.

An approval reaches a token issued while pending through each worker's snapshot of the sign-up
decisions of the last day, read with the revocation snapshot (auth/revocations.py) every
``token_revocation_refresh_seconds``: within that bound the firm's existing token works, without
a new sign-in. Approved is final (there is no way back to pending), so a token that says
approved never needs a look-up: the hot reads pay one attribute test.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy import Connection, select
from sqlmodel import col

from talent_service.auth.principal import Principal
from talent_service.core.errors import FIRM_PENDING, FIRM_REJECTED, DomainError
from talent_service.models import FirmSignUpEvent
from talent_service.reference.enums import SignUpState

# firm id -> its sign-up decision (approved or rejected), for decisions of the last day
Decisions = dict[int, SignUpState]


def read_decisions(connection: Connection, since: datetime) -> Decisions:
    """The decisions recorded after ``since`` (tokens issued before it have expired), in order,
    so a firm's latest decision is the one kept."""
    rows = connection.execute(
        select(col(FirmSignUpEvent.firm_id), col(FirmSignUpEvent.state))
        .where(
            col(FirmSignUpEvent.recorded_at) > since,
            col(FirmSignUpEvent.state) != SignUpState.pending,
        )
        .order_by(col(FirmSignUpEvent.id))
    ).all()
    return {firm_id: SignUpState(state) for firm_id, state in rows}


def admitted(principal: Principal, decisions: Decisions, *, while_pending: bool) -> Principal:
    """The caller as it may act now: approved since its token was issued, it acts as approved;
    still held back, it is refused unless the route allows a pending firm (its own records)."""
    if principal.sign_up is None:
        return principal
    # Only a firm user's token carries sign_up; without a firm nothing can admit it.
    decided = decisions.get(principal.firm_id) if principal.firm_id is not None else None
    if decided is SignUpState.approved:
        return replace(principal, sign_up=None)
    if decided is SignUpState.rejected:
        principal = replace(principal, sign_up=SignUpState.rejected)
    if while_pending:
        return principal
    if principal.sign_up is SignUpState.rejected:
        raise DomainError(
            FIRM_REJECTED,
            "The firm's sign-up was rejected; GET /v1/account shows the reason. Only the "
            "firm's own record can be read.",
        )
    raise DomainError(
        FIRM_PENDING,
        "The firm's sign-up awaits approval by its home city's talent bureau; until then only "
        "the firm's own record can be read (GET /v1/account shows the state).",
    )
