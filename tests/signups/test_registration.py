"""``POST /v1/registrations``: one neutral 202 for a new sign-up and for a colliding one, and a
pending firm and account for the new one."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from talent_service.main import create_app
from talent_service.models import AuditEntry, Firm, FirmSignUpEvent, User
from talent_service.reference.enums import SignUpState
from tests.errors import assert_problem, counts
from tests.factories import SHANTOU, SHENZHEN, Factory
from tests.sign_ups import bearer, firm_of
from tests.signups import PASSWORD, sign_up_body


def _answer(response: object) -> tuple[int, bytes, dict[str, str]]:
    r = response
    return r.status_code, r.content, dict(r.headers)  # type: ignore[attr-defined]


def test_a_sign_up_creates_a_pending_firm_and_account_that_can_log_in(
    client: TestClient, session: Session
) -> None:
    r = client.post("/v1/registrations", json=sign_up_body("hr.new"))
    assert r.status_code == 202, r.text
    assert r.json()["status"] == "received"
    user = session.exec(select(User).where(User.username == "hr.new")).one()
    firm = session.get(Firm, user.firm_id)
    assert firm is not None and firm.sign_up_state is SignUpState.pending
    events = session.exec(select(FirmSignUpEvent).where(FirmSignUpEvent.firm_id == firm.id)).all()
    assert [(e.state, e.recorded_by) for e in events] == [(SignUpState.pending, f"user:{user.id}")]
    headers = bearer(client, "hr.new", PASSWORD)  # it can log in at once
    account = client.get("/v1/account", headers=headers).json()
    assert account["firm"] == {
        "id": firm.id,
        "name": firm.name,
        "home_city_code": SHANTOU,
        "sign_up_state": "pending",
    }
    assert account["username"] == "hr.new" and account["role"] == "firm"


def test_a_colliding_sign_up_gets_the_byte_identical_answer_and_creates_nothing(
    client: TestClient, session: Session, make: Factory
) -> None:
    existing = make.firm(SHANTOU)
    new = client.post("/v1/registrations", json=sign_up_body("hr.first"))
    before = counts(session)
    same_username = client.post("/v1/registrations", json=sign_up_body("hr.first"))
    same_uscc = client.post("/v1/registrations", json=sign_up_body("hr.other", uscc=existing.uscc))
    both = client.post("/v1/registrations", json=sign_up_body("hr.first", uscc=existing.uscc))
    fresh = client.post("/v1/registrations", json=sign_up_body("hr.second"))
    # Same status, same bytes, same headers: nothing tells a collision from a new sign-up.
    assert _answer(new) == _answer(same_username) == _answer(same_uscc) == _answer(both)
    assert _answer(fresh) == _answer(new)
    assert new.status_code == 202 and "Location" not in new.headers
    after = counts(session)
    # Only the fresh one wrote: one firm, one account, one event.
    assert {k: after[k] - before[k] for k in after if after[k] != before[k]} == {
        "firm": 1,
        "user_account": 1,
        "firm_sign_up_event": 1,
    }
    # The password of the collision was not stored anywhere: the first account keeps its own.
    users = session.exec(select(User).where(User.username == "hr.first")).all()
    assert len(users) == 1


def test_each_sign_up_leaves_an_audit_entry_and_a_collision_says_so(
    client: TestClient, session: Session, make: Factory
) -> None:
    existing = make.firm(SHANTOU)
    client.post("/v1/registrations", json=sign_up_body("hr.audit"))
    client.post("/v1/registrations", json=sign_up_body("hr.audit.2", uscc=existing.uscc))
    entries = session.exec(
        select(AuditEntry).where(AuditEntry.action == "firm.sign_up").order_by(col(AuditEntry.seq))
    ).all()
    user = session.exec(select(User).where(User.username == "hr.audit")).one()
    assert [(e.actor, e.object_type, e.object_id, e.outcome) for e in entries] == [
        ("anonymous", "firm", str(user.firm_id), "pending"),
        ("anonymous", "firm", str(existing.id), "collided"),
    ]


def test_bad_input_is_refused_the_same_whether_or_not_the_keys_exist(
    client: TestClient, session: Session, make: Factory
) -> None:
    existing = make.firm(SHANTOU)
    before = counts(session)
    for uscc in (existing.uscc, None):
        body = sign_up_body("hr.bad", uscc=uscc, home=SHENZHEN)  # a PRD city is no home
        body["firm"]["home_city_code"] = SHENZHEN
        assert_problem(client.post("/v1/registrations", json=body), 422)
        short = sign_up_body("hr.bad", uscc=uscc)
        short["password"] = "short"
        assert_problem(client.post("/v1/registrations", json=short), 422, field="body.password")
        expired = sign_up_body("hr.bad", uscc=uscc)
        expired["firm"] |= {
            "tier": "innovative_sme",
            "tier_certificate_no": "GD-1",
            "tier_expires_on": "2020-01-01",
        }
        assert_problem(
            client.post("/v1/registrations", json=expired), 422, field="body.firm.tier_valid_from"
        )
    assert counts(session) == before


def test_the_openapi_lists_202_422_and_429_for_a_sign_up() -> None:
    operation = create_app().openapi()["paths"]["/v1/registrations"]["post"]
    assert {"202", "422", "429"} <= set(operation["responses"])
    assert "201" not in operation["responses"]
    # A 409 is listed only for a retried Idempotency-Key still in flight, never for a collision.
    assert "idempotency-key-in-flight" in operation["responses"]["409"]["description"]


def test_a_pending_account_sees_its_firm_and_nothing_else_in_the_list(
    client: TestClient, make: Factory
) -> None:
    make.firm(SHANTOU)
    client.post("/v1/registrations", json=sign_up_body("hr.list"))
    headers = bearer(client, "hr.list", PASSWORD)
    firm_id = firm_of(client, headers)
    items = client.get("/v1/firms", headers=headers).json()["items"]
    assert [(f["id"], f["sign_up_state"]) for f in items] == [(firm_id, "pending")]
    assert client.get(f"/v1/firms/{firm_id}", headers=headers).status_code == 200
    assert client.get(f"/v1/sign-ups/{firm_id}", headers=headers).json()["state"] == "pending"
