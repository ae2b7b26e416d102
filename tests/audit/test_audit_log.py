"""Every write, approval and disclosure leaves one entry in the same transaction; refusals and
failures leave none; the chain and its signed checkpoints verify (both engines)."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from talent_service.audit.chain import checkpoint_payload
from talent_service.core.config import get_settings
from talent_service.core.signing import verify
from talent_service.models import Center, FirmTierPeriod
from talent_service.reference.enums import CenterStatus, FirmTier, Source, TierState
from tests.audit.conftest import entries, last_seq, verified
from tests.factories import SHANTOU, SHENZHEN, Factory

ENCLAVE = {
    "name": "Audit Space",
    "host_city_code": SHENZHEN,
    "district": "Nanshan",
    "operator": "Operator Ltd",
    "total_floor_area_m2": 500,
    "partner_city_codes": [SHANTOU],
}


def test_a_write_appends_one_entry_naming_who_what_which_and_the_outcome(
    client: TestClient, make: Factory, connection: Connection
) -> None:
    response = client.post("/v1/enclaves", json=ENCLAVE, headers=make.province())
    assert response.status_code == 201, response.text
    [entry] = entries(connection)
    assert entry.seq == 1
    assert (entry.actor, entry.actor_role) == ("user:900001", "province")
    assert (entry.action, entry.object_type, entry.object_id) == (
        "create_enclave",
        "enclave",
        str(response.json()["id"]),
    )
    assert entry.outcome == "status 201"
    assert entry.request == "POST /v1/enclaves"
    assert verified(connection).ok


def test_a_refused_or_failed_write_appends_nothing(
    client: TestClient, make: Factory, connection: Connection
) -> None:
    firm = make.firm(SHANTOU)
    refused = client.post("/v1/enclaves", json=ENCLAVE, headers=make.firm_user(firm))
    invalid = client.post(
        "/v1/enclaves", json=ENCLAVE | {"total_floor_area_m2": -1}, headers=make.province()
    )
    assert (refused.status_code, invalid.status_code) == (403, 422)
    assert entries(connection) == []
    assert last_seq(connection) == 0


def test_an_update_names_the_object_of_its_path(
    client: TestClient, make: Factory, connection: Connection
) -> None:
    enclave = make.enclave(SHENZHEN, partners=(SHANTOU,))
    response = client.patch(
        f"/v1/enclaves/{enclave.id}", json={"district": "Futian"}, headers=make.bureau(SHENZHEN)
    )
    assert response.status_code == 200, response.text
    [entry] = entries(connection)
    assert (entry.object_type, entry.object_id) == ("enclave", str(enclave.id))
    assert (entry.actor_role, entry.actor_city_code) == ("bureau", SHENZHEN)


def test_an_accreditation_is_logged_with_its_decision(
    client: TestClient, make: Factory, connection: Connection
) -> None:
    center: Center = make.center(make.firm(SHANTOU), SHENZHEN, status=CenterStatus.pending)
    response = client.post(
        f"/v1/centers/{center.id}/accreditation",
        json={"decision": "accredited"},
        headers=make.bureau(SHENZHEN),
    )
    assert response.status_code == 200, response.text
    [entry] = entries(connection)
    assert (entry.action, entry.object_type, entry.object_id, entry.outcome) == (
        "center.status",
        "center",
        str(center.id),
        "accredited",
    )
    assert entry.request == f"POST /v1/centers/{center.id}/accreditation"


def test_a_tier_decision_is_logged_with_its_verdict(
    client: TestClient, make: Factory, connection: Connection, session: object
) -> None:
    firm = make.firm(SHANTOU, tier=None)
    period = FirmTierPeriod(
        firm_id=firm.id,
        tier=FirmTier.little_giant,
        certificate_no="GD-AUDIT-1",
        valid_from=date(2024, 1, 1),
        valid_to=date(2027, 12, 31),
        state=TierState.submitted,
        submitted_by="user:900003",
        source=Source.firm,
    )
    make._save(period)
    response = client.post(
        f"/v1/firms/{firm.id}/tiers/{period.id}/reject",
        json={"note": "证书不符"},
        headers=make.province(),
    )
    assert response.status_code == 200, response.text
    [entry] = entries(connection)
    assert (entry.action, entry.object_id, entry.outcome) == (
        "firm_tier.decide",
        str(period.id),
        "rejected",
    )


def test_disclosing_a_whole_id_number_is_logged_before_it_is_sent(
    client: TestClient, make: Factory, connection: Connection
) -> None:
    firm = make.firm(SHANTOU)
    person = make.talent(firm)
    response = client.get(f"/v1/talents/{person.id}/identity", headers=make.bureau(SHANTOU))
    assert response.status_code == 200, response.text
    [entry] = entries(connection)
    assert (entry.action, entry.object_type, entry.object_id, entry.outcome) == (
        "talent.identity",
        "talent",
        str(person.id),
        "disclosed",
    )
    assert entry.request == f"GET /v1/talents/{person.id}/identity"
    assert response.json()["id_number"] not in str(tuple(entry))  # the log holds no number


def test_a_refused_disclosure_is_not_an_entry(
    client: TestClient, make: Factory, connection: Connection
) -> None:
    person = make.talent(make.firm(SHANTOU))
    response = client.get(f"/v1/talents/{person.id}/identity", headers=make.firm_user(make.firm()))
    assert response.status_code == 403
    assert entries(connection) == []


def test_an_export_is_logged(client: TestClient, make: Factory, connection: Connection) -> None:
    response = client.get("/v1/retention/summary.csv", headers=make.bureau(SHENZHEN))
    assert response.status_code == 200, response.text
    [entry] = entries(connection)
    assert (entry.action, entry.object_type, entry.outcome) == (
        "retention.export",
        "retention_summary",
        "exported",
    )
    assert entry.object_id.endswith(".csv")


def test_a_checkpoint_every_n_entries_is_signed_with_a_key_of_the_jwks(
    client: TestClient, make: Factory, connection: Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "audit_checkpoint_every", 3)
    for n in range(7):
        body = ENCLAVE | {"name": f"Space {n}"}
        assert client.post("/v1/enclaves", json=body, headers=make.province()).status_code == 201
    checkpoints = list(connection.execute(text("SELECT * FROM audit_checkpoint ORDER BY seq")))
    # the first append ever is due by time (no checkpoint yet), then every 3 entries
    assert [c.seq for c in checkpoints] == [1, 3, 6]
    jwks = client.get("/.well-known/jwks.json").json()
    by_seq = {e.seq: e.hash for e in entries(connection)}
    listed = client.get("/v1/audit/checkpoints", headers=make.province()).json()["items"]
    for checkpoint in listed:
        assert checkpoint["hash"] == by_seq[checkpoint["seq"]]
        payload = checkpoint_payload(checkpoint["seq"], checkpoint["hash"], _at(checkpoint))
        assert verify(payload, checkpoint["jws"], checkpoint["kid"], jwks)
    report = verified(connection)
    assert (report.ok, report.entries, report.checkpoints) == (True, 7, 3)


def _at(checkpoint: dict[str, object]) -> object:
    from datetime import datetime

    return datetime.fromisoformat(str(checkpoint["signed_at"]))


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_entry SET outcome = 'x'",
        "DELETE FROM audit_entry",
        "UPDATE audit_checkpoint SET hash = 'x'",
        "DELETE FROM audit_checkpoint",
    ],
)
def test_the_database_refuses_to_change_or_delete_entries(
    client: TestClient, make: Factory, connection: Connection, statement: str
) -> None:
    assert client.post("/v1/enclaves", json=ENCLAVE, headers=make.province()).status_code == 201
    savepoint = connection.begin_nested()
    with pytest.raises(DBAPIError, match="append-only"):
        connection.exec_driver_sql(statement)
    savepoint.rollback()
    assert len(entries(connection)) == 1
    assert verified(connection).ok
