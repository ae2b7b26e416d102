"""A firm whose sign-up is pending (or rejected) reads its own records and nothing else: every
other route refuses it with 403 ``firm-pending`` / ``firm-rejected``, and the visibility rule
shows it nothing either, so a route that forgot its rule would still leak nothing."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from talent_service.auth.principal import ROLE_SCOPES, Principal
from talent_service.auth.visibility import get_visible, scoped
from talent_service.core.errors import DomainError
from talent_service.models import Center, Employment, Firm, Talent
from talent_service.reference.enums import Role, SignUpState
from tests.access.test_route_rules import PROTECTED, _request_for
from tests.errors import assert_problem, counts
from tests.factories import SHANTOU, SHENZHEN, Factory, bearer

# What a pending firm may call: its own firm, its sign-up, and who it is.
WHILE_PENDING = {
    ("GET", "/v1/firms"),
    ("GET", "/v1/firms/{firm_id}"),
    ("GET", "/v1/sign-ups/{firm_id}"),
    ("GET", "/v1/account"),
}
REFUSED = [key for key in PROTECTED if key not in WHILE_PENDING]


def _held_back(firm: Firm, state: SignUpState) -> Principal:
    return Principal(
        "user:900010", Role.firm, firm_id=firm.id, scopes=ROLE_SCOPES[Role.firm], sign_up=state
    )


@pytest.fixture
def pending(make: Factory) -> Firm:
    return make.firm(SHANTOU, sign_up_state=SignUpState.pending, tier=None)


def test_the_routes_open_to_a_pending_firm_exist() -> None:
    assert set(PROTECTED) >= WHILE_PENDING


@pytest.mark.parametrize("state", [SignUpState.pending, SignUpState.rejected])
@pytest.mark.parametrize("key", REFUSED, ids=" ".join)
def test_a_held_back_firm_is_refused_on_every_other_route(
    client: TestClient,
    session: Session,
    make: Factory,
    pending: Firm,
    key: tuple[str, str],
    state: SignUpState,
) -> None:
    url, body = _request_for(key)
    url = url.replace("/v1/firms/1", f"/v1/firms/{pending.id}")
    before = counts(session)
    headers = bearer(_held_back(pending, state))
    response = client.request(key[0], url, json=body, headers=headers)
    assert_problem(response, 403, slug=f"firm-{state.value}")
    assert counts(session) == before


def test_a_pending_firm_reads_its_own_firm_sign_up_and_account(
    client: TestClient, make: Factory, pending: Firm
) -> None:
    other = make.firm(SHANTOU)
    headers = bearer(_held_back(pending, SignUpState.pending))
    assert client.get(f"/v1/firms/{pending.id}", headers=headers).status_code == 200
    assert client.get(f"/v1/sign-ups/{pending.id}", headers=headers).status_code == 200
    assert client.get("/v1/account", headers=headers).json()["firm"]["id"] == pending.id
    # Another firm, even of its own city, does not exist for it.
    assert_problem(client.get(f"/v1/firms/{other.id}", headers=headers), 404)
    assert_problem(client.get(f"/v1/sign-ups/{other.id}", headers=headers), 404)


def test_the_visibility_rule_shows_a_held_back_firm_only_its_own_firm(
    session: Session, make: Factory, pending: Firm
) -> None:
    # Records that a firm's own rule would show it, had it been approved: its own center, its
    # talent and spells (arranged directly, as no route lets a pending firm create them).
    center = make.center(pending, SHENZHEN)
    talent = make.talent(pending)
    make.employment(talent, pending, center)
    for state in (SignUpState.pending, SignUpState.rejected):
        principal = _held_back(pending, state)
        assert session.exec(scoped(Firm, principal)).all() == [pending]
        for model in (Center, Talent, Employment):
            assert session.exec(scoped(model, principal)).all() == []
        with pytest.raises(DomainError):
            get_visible(session, Center, center.id or 0, principal)
        with pytest.raises(DomainError):
            get_visible(session, Talent, talent.id or 0, principal)
    # Approved, the same firm sees them.
    approved = Principal("user:900010", Role.firm, firm_id=pending.id, scopes=frozenset())
    assert session.exec(scoped(Center, approved)).all() == [center]


def test_the_hot_talent_read_shows_a_held_back_firm_no_one(
    client: TestClient, make: Factory, pending: Firm
) -> None:
    talent = make.talent(pending)
    headers = bearer(_held_back(pending, SignUpState.pending))
    assert_problem(
        client.get(f"/v1/talents/{talent.id}", headers=headers), 403, slug="firm-pending"
    )
