"""``POST /v1/sign-ups/{firm_id}/approve`` and ``/reject``, and the bureaus' queue: only the
firm's home city bureau or the province decides, once; the decision is history and audited."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from talent_service.models import AuditEntry, Firm, FirmSignUpEvent
from talent_service.reference.enums import SignUpState
from tests.errors import assert_problem, snapshot
from tests.factories import MEIZHOU, SHANTOU, SHENZHEN, Factory
from tests.sign_ups import bearer, firm_of
from tests.signups import PASSWORD, sign_up_body


def _signed_up(client: TestClient, username: str, home: str = SHANTOU) -> tuple[int, Any]:
    """A firm that signed itself up, and its (pending) token."""
    assert (
        client.post("/v1/registrations", json=sign_up_body(username, home=home)).status_code == 202
    )
    headers = bearer(client, username, PASSWORD)
    return firm_of(client, headers), headers


def _approve(client: TestClient, firm_id: int, headers: dict[str, str], **body: Any) -> Any:
    return client.post(f"/v1/sign-ups/{firm_id}/approve", json=body, headers=headers)


def _reject(client: TestClient, firm_id: int, headers: dict[str, str], **body: Any) -> Any:
    return client.post(f"/v1/sign-ups/{firm_id}/reject", json=body, headers=headers)


def test_the_home_bureau_approves_and_the_same_token_then_works(
    client: TestClient, make: Factory, session: Session
) -> None:
    firm_id, headers = _signed_up(client, "hr.ok")
    assert_problem(client.get("/v1/centers", headers=headers), 403, slug="firm-pending")
    r = _approve(client, firm_id, make.bureau(SHANTOU), reason="营业执照核验一致")
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "approved"
    assert [(e["state"], e["authority"], e["reason"]) for e in r.json()["events"]] == [
        ("pending", f"firm:{firm_id}", None),
        ("approved", SHANTOU, "营业执照核验一致"),
    ]
    # The token it got while pending works now (this worker read the decision at once).
    assert client.get("/v1/centers", headers=headers).status_code == 200
    assert client.get(f"/v1/firms/{firm_id}", headers=headers).json()["sign_up_state"] == (
        "approved"
    )
    # And a new sign-in says approved in the token itself.
    fresh = bearer(client, "hr.ok", PASSWORD)
    assert client.get("/v1/account", headers=fresh).json()["firm"]["sign_up_state"] == "approved"


def test_the_province_approves_any_firm(client: TestClient, make: Factory) -> None:
    firm_id, headers = _signed_up(client, "hr.prov", home=MEIZHOU)
    assert _approve(client, firm_id, make.province()).status_code == 200
    assert client.get("/v1/talents", headers=headers).status_code == 200


def test_a_bureau_of_another_city_is_refused_and_nothing_changes(
    client: TestClient, make: Factory, session: Session
) -> None:
    firm_id, _ = _signed_up(client, "hr.far")
    before = snapshot(session, Firm, firm_id)
    assert_problem(_approve(client, firm_id, make.bureau(MEIZHOU)), 404)
    assert_problem(_reject(client, firm_id, make.bureau(MEIZHOU), reason="x"), 404)
    # Not in its queue either.
    queue = client.get("/v1/sign-ups?state=pending", headers=make.bureau(MEIZHOU)).json()
    assert firm_id not in [s["id"] for s in queue["items"]]
    assert snapshot(session, Firm, firm_id) == before


def test_a_host_city_bureau_that_sees_the_firm_still_may_not_decide(
    client: TestClient, make: Factory, session: Session
) -> None:
    pending = make.firm(SHANTOU, sign_up_state=SignUpState.pending, tier=None)
    make.center(pending, SHENZHEN)  # Shenzhen's bureau sees the firm through its center
    assert (
        client.get(f"/v1/sign-ups/{pending.id}", headers=make.bureau(SHENZHEN)).status_code == 200
    )
    assert_problem(_approve(client, pending.id or 0, make.bureau(SHENZHEN)), 403, slug="forbidden")
    assert snapshot(session, Firm, pending.id or 0)["sign_up_state"] == "pending"


@pytest.mark.parametrize("caller", ["firm itself", "another firm", "machine client"])
def test_firms_and_machine_clients_cannot_decide(
    client: TestClient, make: Factory, session: Session, caller: str
) -> None:
    firm_id, own = _signed_up(client, "hr.self")
    headers = {
        "firm itself": own,
        "another firm": make.firm_user(make.firm(SHANTOU)),
        "machine client": make.client("registry:read"),
    }[caller]
    r = _approve(client, firm_id, headers)
    assert r.status_code == 403, r.text
    assert snapshot(session, Firm, firm_id)["sign_up_state"] == "pending"


def test_a_second_decision_gets_409(client: TestClient, make: Factory, session: Session) -> None:
    firm_id, _ = _signed_up(client, "hr.twice")
    bureau = make.bureau(SHANTOU)
    assert _approve(client, firm_id, bureau).status_code == 200
    assert_problem(_approve(client, firm_id, make.province()), 409, slug="conflict")
    assert_problem(_reject(client, firm_id, bureau, reason="改主意"), 409, slug="conflict")
    events = session.exec(select(FirmSignUpEvent).where(FirmSignUpEvent.firm_id == firm_id)).all()
    assert [e.state for e in events] == [SignUpState.pending, SignUpState.approved]


def test_a_rejected_firm_is_refused_with_firm_rejected_and_reads_the_reason(
    client: TestClient, make: Factory
) -> None:
    firm_id, headers = _signed_up(client, "hr.no")
    r = _reject(client, firm_id, make.bureau(SHANTOU), reason="统一社会信用代码与营业执照不符")
    assert r.status_code == 200, r.text
    assert_problem(client.get("/v1/centers", headers=headers), 403, slug="firm-rejected")
    mine = client.get(f"/v1/sign-ups/{firm_id}", headers=headers).json()
    assert mine["state"] == "rejected"
    assert mine["events"][-1]["reason"] == "统一社会信用代码与营业执照不符"
    assert_problem(_approve(client, firm_id, make.bureau(SHANTOU)), 409)


def test_decisions_are_audited_with_their_outcome(
    client: TestClient, make: Factory, session: Session
) -> None:
    approved, _ = _signed_up(client, "hr.a1")
    rejected, _ = _signed_up(client, "hr.a2")
    _approve(client, approved, make.bureau(SHANTOU))
    _reject(client, rejected, make.province(), reason="不符合条件")
    entries = session.exec(
        select(AuditEntry)
        .where(AuditEntry.action == "firm.sign_up", col(AuditEntry.actor) != "anonymous")
        .order_by(col(AuditEntry.seq))
    ).all()
    assert [(e.actor_role, e.object_id, e.outcome) for e in entries] == [
        ("bureau", str(approved), "approved"),
        ("province", str(rejected), "rejected"),
    ]


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"reason": ""},
        {"reason": "   "},
        {"reason": "x" * 501},
        {"reason": "a\x00b"},
        {"reason": 7},
    ],
    ids=["missing", "empty", "blank", "too long", "NUL", "not text"],
)
def test_a_rejection_needs_a_reason(
    client: TestClient, make: Factory, session: Session, body: dict[str, Any]
) -> None:
    firm_id, _ = _signed_up(client, "hr.reason")
    r = client.post(f"/v1/sign-ups/{firm_id}/reject", json=body, headers=make.bureau(SHANTOU))
    assert_problem(r, 422, field="body.reason")
    assert snapshot(session, Firm, firm_id)["sign_up_state"] == "pending"


def test_bad_ids_and_unknown_fields(client: TestClient, make: Factory) -> None:
    province = make.province()
    assert_problem(_approve(client, 987654, province), 404)
    assert_problem(client.get("/v1/sign-ups/987654", headers=province), 404)
    assert_problem(client.post("/v1/sign-ups/0/approve", json={}, headers=province), 422)
    assert_problem(client.post("/v1/sign-ups/abc/approve", json={}, headers=province), 422)
    firm_id, _ = _signed_up(client, "hr.extra")
    r = client.post(f"/v1/sign-ups/{firm_id}/approve", json={"state": "approved"}, headers=province)
    assert_problem(r, 422, field="body.state")
    assert_problem(client.get("/v1/sign-ups?state=maybe", headers=province), 422)


def test_the_queue_is_the_bureaus_home_city_and_all_for_the_province(
    client: TestClient, make: Factory
) -> None:
    shantou, _ = _signed_up(client, "hr.q1")
    meizhou, _ = _signed_up(client, "hr.q2", home=MEIZHOU)
    decided, _ = _signed_up(client, "hr.q3")
    _approve(client, decided, make.province())

    def queue(headers: dict[str, str], query: str = "?state=pending") -> list[int]:
        r = client.get(f"/v1/sign-ups{query}", headers=headers)
        assert r.status_code == 200, r.text
        return [s["id"] for s in r.json()["items"]]

    assert queue(make.bureau(SHANTOU)) == [shantou]
    assert queue(make.bureau(MEIZHOU)) == [meizhou]
    assert set(queue(make.province())) >= {shantou, meizhou}
    assert decided not in queue(make.province())
    assert decided in queue(make.province(), "?state=approved")
    # Page by page, in id order.
    first = client.get("/v1/sign-ups?state=pending&limit=1", headers=make.province()).json()
    assert len(first["items"]) == 1 and first["next_cursor"]
    # A firm, a pending one included, has no queue.
    assert client.get("/v1/sign-ups", headers=make.firm_user(make.firm(SHANTOU))).status_code == 403


def test_the_firms_history_shows_who_signed_it_up_and_who_approved_it(
    client: TestClient, make: Factory, session: Session
) -> None:
    firm_id, headers = _signed_up(client, "hr.hist")
    _approve(client, firm_id, make.bureau(SHANTOU), reason="核验一致")
    entries = client.get(f"/v1/firms/{firm_id}/history", headers=headers).json()["entries"]
    assert [(e["event"], e["source"], e["note"]) for e in entries] == [
        ("registered", "firm", None),
        ("sign_up_approved", "bureau", "核验一致"),
    ]
    assert entries[0]["by"].startswith("user:")
