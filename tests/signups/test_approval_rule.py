"""The admission rule on its own (auth/approval.py): pure, no HTTP, no database."""

from __future__ import annotations

import pytest

from talent_service.auth.approval import admitted
from talent_service.auth.principal import ROLE_SCOPES, Principal
from talent_service.core.errors import DomainError
from talent_service.reference.enums import Role, SignUpState

FIRM = 41


def _firm(sign_up: SignUpState | None) -> Principal:
    return Principal(
        "user:5", Role.firm, firm_id=FIRM, scopes=ROLE_SCOPES[Role.firm], sign_up=sign_up
    )


def test_an_approved_firm_passes_untouched() -> None:
    principal = _firm(None)
    assert admitted(principal, {}, while_pending=False) is principal


@pytest.mark.parametrize("state", [SignUpState.pending, SignUpState.rejected])
def test_a_held_back_firm_is_refused_unless_the_route_allows_it(state: SignUpState) -> None:
    with pytest.raises(DomainError) as refused:
        admitted(_firm(state), {}, while_pending=False)
    assert refused.value.problem.slug == f"firm-{state.value}"
    assert refused.value.problem.status == 403
    assert admitted(_firm(state), {}, while_pending=True).held_back


def test_a_decision_since_the_token_was_issued_counts() -> None:
    now_approved = admitted(
        _firm(SignUpState.pending), {FIRM: SignUpState.approved}, while_pending=False
    )
    assert now_approved.sign_up is None and not now_approved.held_back
    with pytest.raises(DomainError) as refused:
        admitted(_firm(SignUpState.pending), {FIRM: SignUpState.rejected}, while_pending=False)
    assert refused.value.problem.slug == "firm-rejected"
    # Another firm's approval admits no one else.
    with pytest.raises(DomainError):
        admitted(_firm(SignUpState.pending), {FIRM + 1: SignUpState.approved}, while_pending=False)


def test_the_claim_round_trips_and_an_unknown_value_is_no_free_pass() -> None:
    pending = _firm(SignUpState.pending)
    assert Principal.from_claims(pending.claims()) == pending
    assert "sign_up" not in _firm(None).claims()  # approved: tokens stay as before
    with pytest.raises(ValueError):
        Principal.from_claims({**pending.claims(), "sign_up": "maybe"})
