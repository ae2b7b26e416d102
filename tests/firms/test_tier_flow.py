"""Tiers through HTTP: a firm submits a certificate, the province approves or rejects it, and a
firm's tier is the approved certificate valid today. A firm can no longer set its own tier."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from talent_service.models import FirmTierPeriod, User
from talent_service.reference.enums import FirmTier, TierState
from talent_service.reference.identifiers import synthetic_uscc
from tests.errors import assert_problem
from tests.factories import SHANTOU, Factory
from tests.firms import TODAY, period_count, stored, tier_body
from tests.sign_ups import signed_up_and_approved


def _firm(client: TestClient, make: Factory, firm_id: int | None) -> dict[str, Any]:
    r = client.get(f"/v1/firms/{firm_id}", headers=make.province())
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def _submit(client: TestClient, headers: dict[str, str], firm_id: int | None, **kw: Any) -> Any:
    return client.post(f"/v1/firms/{firm_id}/tiers", json=tier_body(**kw), headers=headers)


def _decide(
    client: TestClient, make: Factory, firm_id: int | None, period_id: int, action: str, **body: Any
) -> Any:
    url = f"/v1/firms/{firm_id}/tiers/{period_id}/{action}"
    return client.post(url, json=body, headers=make.province())


# --- a firm cannot set its own tier ----------------------------------------------------------


def test_firm_patching_its_own_tier_is_refused_and_nothing_changes(
    client: TestClient, make: Factory, session: Session
) -> None:
    firm = make.firm(SHANTOU, tier=FirmTier.provincial_specialized)
    before = stored(session)
    patch = {"tier": "single_champion", "tier_expires_on": "2099-12-31"}
    for headers in (make.firm_user(firm), make.province()):
        r = client.patch(f"/v1/firms/{firm.id}", json=patch, headers=headers)
        body = assert_problem(r, 422, slug="validation", field="body.tier")
        assert "body.tier_expires_on" in [e["field"] for e in body["errors"]]
    assert stored(session) == before
    assert _firm(client, make, firm.id)["tier"] == "provincial_specialized"


def test_firm_still_renames_itself_and_keeps_its_tier(client: TestClient, make: Factory) -> None:
    firm = make.firm(SHANTOU, tier=FirmTier.little_giant)
    r = client.patch(f"/v1/firms/{firm.id}", json={"name": "新名字"}, headers=make.firm_user(firm))
    assert r.status_code == 200, r.text
    assert r.json()["name"] == "新名字" and r.json()["tier"] == "little_giant"


# --- submit, approve, reject -----------------------------------------------------------------


def test_firm_submission_is_submitted_and_leaves_its_tier_unchanged(
    client: TestClient, make: Factory, session: Session
) -> None:
    firm = make.firm(SHANTOU, tier=FirmTier.innovative_sme)
    r = _submit(client, make.firm_user(firm), firm.id)
    assert r.status_code == 201, r.text
    period = r.json()
    assert period["state"] == "submitted" and period["source"] == "firm"
    assert period["submitted_by"] == "user:900003"
    assert period["decided_by"] is None and period["decided_at"] is None
    assert r.headers["etag"] == f'"{period["version"]}"'
    assert _firm(client, make, firm.id)["tier"] == "innovative_sme"


def test_province_approval_makes_a_period_valid_today_the_firms_tier(
    client: TestClient, make: Factory
) -> None:
    firm = make.firm(SHANTOU, tier=None)
    period = _submit(client, make.firm_user(firm), firm.id).json()
    r = _decide(client, make, firm.id, period["id"], "approve", note="证书核验无误")
    assert r.status_code == 200, r.text
    decided = r.json()
    assert decided["state"] == "approved" and decided["decided_by"] == "user:900001"
    assert (
        decided["decision_note"] == "证书核验无误" and decided["version"] == period["version"] + 1
    )
    shown = _firm(client, make, firm.id)
    assert shown["tier"] == "little_giant"
    assert shown["tier_certificate_no"] == "GD-XJR-2026-0042"
    assert shown["tier_valid_from"] == "2026-01-01" and shown["tier_expires_on"] == "2028-12-31"
    listed = client.get("/v1/firms?tier=little_giant", headers=make.province()).json()["items"]
    assert firm.id in [f["id"] for f in listed]


def test_an_approved_period_from_tomorrow_is_not_todays_tier(
    client: TestClient, make: Factory
) -> None:
    firm = make.firm(SHANTOU, tier=FirmTier.innovative_sme, tier_expires_on=date(2027, 1, 1))
    tomorrow = (TODAY + timedelta(days=1)).isoformat()
    period = _submit(client, make.province(), firm.id, valid_from=tomorrow).json()
    assert period["state"] == "approved"
    shown = _firm(client, make, firm.id)
    assert shown["tier"] == "innovative_sme"
    province = make.province()
    assert firm.id not in [
        f["id"] for f in client.get("/v1/firms?tier=little_giant", headers=province).json()["items"]
    ]


def test_an_expired_period_is_not_shown(client: TestClient, make: Factory) -> None:
    firm = make.firm(SHANTOU, tier=FirmTier.little_giant, tier_expires_on=TODAY - timedelta(1))
    shown = _firm(client, make, firm.id)
    assert shown["tier"] is None and shown["tier_certificate_no"] is None
    assert shown["tier_expires_on"] is None and shown["tier_valid_from"] is None
    province = make.province()
    items = client.get("/v1/firms?tier=little_giant", headers=province).json()["items"]
    assert firm.id not in [f["id"] for f in items]
    # Its last day is still today's tier.
    last_day = make.firm(SHANTOU, tier=FirmTier.little_giant, tier_expires_on=TODAY)
    assert _firm(client, make, last_day.id)["tier_expires_on"] == TODAY.isoformat()


def test_a_migrated_period_without_a_start_is_todays_tier_with_a_null_start(
    client: TestClient, make: Factory
) -> None:
    firm = make.firm(SHANTOU, tier=FirmTier.key_little_giant, tier_valid_from=None)
    shown = _firm(client, make, firm.id)
    assert shown["tier"] == "key_little_giant" and shown["tier_valid_from"] is None


def test_a_re_tiering_approved_later_supersedes_the_earlier_certificate(
    client: TestClient, make: Factory
) -> None:
    firm = make.firm(SHANTOU, tier=FirmTier.provincial_specialized)
    submitted = _submit(client, make.firm_user(firm), firm.id).json()
    _decide(client, make, firm.id, submitted["id"], "approve")
    assert _firm(client, make, firm.id)["tier"] == "little_giant"
    # The earlier certificate is still there, approved: nothing was overwritten.
    periods = client.get(f"/v1/firms/{firm.id}/tiers", headers=make.province()).json()["items"]
    assert [(p["tier"], p["state"]) for p in periods] == [
        ("provincial_specialized", "approved"),
        ("little_giant", "approved"),
    ]


def test_rejecting_needs_a_note_and_leaves_the_tier_unchanged(
    client: TestClient, make: Factory, session: Session
) -> None:
    firm = make.firm(SHANTOU, tier=FirmTier.innovative_sme)
    period = _submit(client, make.firm_user(firm), firm.id).json()
    before = stored(session)
    for body in ({}, {"note": None}, {"note": ""}, {"note": "   "}):
        r = _decide(client, make, firm.id, period["id"], "reject", **body)
        assert_problem(r, 422, slug="validation", field="body.note")
    assert stored(session) == before
    r = _decide(client, make, firm.id, period["id"], "reject", note="证书编号查无此证")
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "rejected" and r.json()["decision_note"] == "证书编号查无此证"
    assert _firm(client, make, firm.id)["tier"] == "innovative_sme"


def test_a_decided_period_cannot_be_decided_again(
    client: TestClient, make: Factory, session: Session
) -> None:
    firm = make.firm(SHANTOU, tier=None)
    approved = _submit(client, make.firm_user(firm), firm.id).json()
    rejected = _submit(client, make.firm_user(firm), firm.id, certificate_no="X-2").json()
    assert _decide(client, make, firm.id, approved["id"], "approve").status_code == 200
    r = _decide(client, make, firm.id, rejected["id"], "reject", note="no")
    assert r.status_code == 200
    before = stored(session)
    for period in (approved, rejected):
        for action, body in (("approve", {}), ("reject", {"note": "again"})):
            r = _decide(client, make, firm.id, period["id"], action, **body)
            assert_problem(r, 409, slug="conflict")
    assert stored(session) == before


def test_a_decision_with_a_stale_if_match_is_refused(
    client: TestClient, make: Factory, session: Session
) -> None:
    firm = make.firm(SHANTOU, tier=None)
    period = _submit(client, make.firm_user(firm), firm.id).json()
    url = f"/v1/firms/{firm.id}/tiers/{period['id']}/approve"
    before = stored(session)
    stale = make.province() | {"If-Match": f'"{period["version"] + 1}"'}
    assert_problem(client.post(url, json={}, headers=stale), 412, slug="precondition-failed")
    assert stored(session) == before
    fresh = make.province() | {"If-Match": f'"{period["version"]}"'}
    r = client.post(url, json={}, headers=fresh)
    assert r.status_code == 200, r.text
    assert r.headers["etag"] == f'"{period["version"] + 1}"'


def test_province_recording_a_certificate_approves_it_at_once(
    client: TestClient, make: Factory
) -> None:
    firm = make.firm(SHANTOU, tier=None)
    r = _submit(client, make.province(), firm.id, tier="single_champion")
    assert r.status_code == 201, r.text
    period = r.json()
    assert period["state"] == "approved" and period["source"] == "province"
    assert period["submitted_by"] == period["decided_by"] == "user:900001"
    assert _firm(client, make, firm.id)["tier"] == "single_champion"


def test_the_same_certificate_twice_is_a_conflict_unless_it_was_rejected(
    client: TestClient, make: Factory, session: Session
) -> None:
    firm = make.firm(SHANTOU, tier=None)
    headers = make.firm_user(firm)
    first = _submit(client, headers, firm.id).json()
    count = period_count(session)
    assert_problem(_submit(client, headers, firm.id), 409, field="body.certificate_no")
    assert_problem(_submit(client, make.province(), firm.id), 409, field="body.certificate_no")
    assert period_count(session) == count
    _decide(client, make, firm.id, first["id"], "reject", note="scan unreadable")
    assert _submit(client, headers, firm.id).status_code == 201


def test_a_firm_has_a_bounded_number_of_submissions_awaiting_the_province(
    client: TestClient, make: Factory, session: Session
) -> None:
    firm = make.firm(SHANTOU, tier=None)
    headers = make.firm_user(firm)
    for k in range(10):
        assert _submit(client, headers, firm.id, certificate_no=f"N-{k}").status_code == 201
    count = period_count(session)
    assert_problem(_submit(client, headers, firm.id, certificate_no="N-10"), 409)
    assert period_count(session) == count
    # The province's own records are not submissions.
    assert _submit(client, make.province(), firm.id, certificate_no="P-1").status_code == 201


# --- certificates sent with a new firm ---------------------------------------------------------


def _new_firm(seed: int, **tier: Any) -> dict[str, Any]:
    return {
        "uscc": synthetic_uscc(random.Random(seed), SHANTOU),
        "name": "汕头市某科技有限公司",
        "home_city_code": SHANTOU,
    } | tier


CERTIFICATE = {
    "tier": "little_giant",
    "tier_certificate_no": "GD-XJR-2025-0007",
    "tier_expires_on": "2028-06-30",
}


def test_a_firm_registered_by_the_province_with_a_tier_holds_it_at_once(
    client: TestClient, make: Factory, session: Session
) -> None:
    r = client.post("/v1/firms", json=_new_firm(1, **CERTIFICATE), headers=make.province())
    assert r.status_code == 201, r.text
    firm = r.json()
    assert firm["tier"] == "little_giant" and firm["tier_expires_on"] == "2028-06-30"
    assert firm["tier_valid_from"] == TODAY.isoformat()  # absent: from the day it is recorded
    period = session.exec(select(FirmTierPeriod).where(FirmTierPeriod.firm_id == firm["id"])).one()
    assert period.state is TierState.approved and period.decided_by == "user:900001"
    with_start = _new_firm(2, **CERTIFICATE, tier_valid_from="2025-07-01")
    r = client.post("/v1/firms", json=with_start, headers=make.province())
    assert r.status_code == 201, r.text
    assert r.json()["tier_valid_from"] == "2025-07-01"


def test_a_self_registration_with_a_tier_lands_as_submitted_in_the_queue(
    client: TestClient, make: Factory, session: Session
) -> None:
    body = {"firm": _new_firm(3, **CERTIFICATE), "username": "hr.tier", "password": "p" * 12}
    signed_up = signed_up_and_approved(client, body, make.province())
    firm = _firm(client, make, signed_up.firm_id)
    assert firm["tier"] is None and firm["tier_certificate_no"] is None
    user = session.exec(select(User).where(User.username == "hr.tier")).one()
    queue = client.get("/v1/firm-tiers?state=submitted", headers=make.province()).json()["items"]
    mine = [p for p in queue if p["firm_id"] == firm["id"]]
    assert len(mine) == 1
    assert mine[0]["state"] == "submitted" and mine[0]["source"] == "firm"
    assert mine[0]["submitted_by"] == f"user:{user.id}"
    assert mine[0]["certificate_no"] == "GD-XJR-2025-0007"
    # Once the province approves it, the firm holds it.
    _decide(client, make, firm["id"], mine[0]["id"], "approve")
    assert _firm(client, make, firm["id"])["tier"] == "little_giant"


def test_a_self_registration_without_a_tier_writes_no_period(
    client: TestClient, session: Session
) -> None:
    count = period_count(session)
    body = {"firm": _new_firm(4), "username": "hr.notier", "password": "p" * 12}
    assert client.post("/v1/registrations", json=body).status_code == 202
    assert period_count(session) == count


# --- the queue and the history -----------------------------------------------------------------


def test_the_queue_lists_submitted_periods_page_by_page(client: TestClient, make: Factory) -> None:
    firm, other = make.firm(SHANTOU, tier=None), make.firm(SHANTOU, tier=None)
    ids = [
        _submit(client, make.firm_user(f), f.id, certificate_no=f"Q-{k}").json()["id"]
        for k, f in enumerate((firm, other, firm))
    ]
    _decide(client, make, firm.id, ids[2], "approve")
    seen: list[int] = []
    cursor: str | None = None
    for _ in range(50):
        params: dict[str, Any] = {"state": "submitted", "limit": 1} | (
            {"cursor": cursor} if cursor else {}
        )
        page = client.get("/v1/firm-tiers", params=params, headers=make.province()).json()
        assert all(p["state"] == "submitted" for p in page["items"])
        seen += [p["id"] for p in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert ids[0] in seen and ids[1] in seen and ids[2] not in seen
    by_firm = client.get(f"/v1/firm-tiers?firm_id={other.id}", headers=make.province()).json()[
        "items"
    ]
    assert [p["id"] for p in by_firm] == [ids[1]]


def test_history_lists_the_registration_each_submission_and_each_decision(
    client: TestClient, make: Factory
) -> None:
    firm = make.firm(SHANTOU, tier=None)
    headers = make.firm_user(firm)
    approved = _submit(client, headers, firm.id).json()
    rejected = _submit(client, headers, firm.id, certificate_no="R-1").json()
    _decide(client, make, firm.id, approved["id"], "approve", note="ok")
    _decide(client, make, firm.id, rejected["id"], "reject", note="伪造")
    r = client.get(f"/v1/firms/{firm.id}/history", headers=headers)
    assert r.status_code == 200, r.text
    history = r.json()
    assert history["firm_id"] == firm.id
    entries = history["entries"]
    assert [(e["event"], e["tier_period_id"]) for e in entries] == [
        ("registered", None),
        ("tier_submitted", approved["id"]),
        ("tier_submitted", rejected["id"]),
        ("tier_approved", approved["id"]),
        ("tier_rejected", rejected["id"]),
    ]
    assert [e["at"] for e in entries] == sorted(e["at"] for e in entries)
    assert entries[1]["by"] == "user:900003" and entries[1]["source"] == "firm"
    assert entries[3]["by"] == "user:900001" and entries[3]["note"] == "ok"
    assert entries[4]["note"] == "伪造" and entries[4]["source"] == "province"
    assert entries[1]["certificate_no"] == "GD-XJR-2026-0042"
    assert entries[1]["valid_from"] == "2026-01-01" and entries[1]["valid_to"] == "2028-12-31"
