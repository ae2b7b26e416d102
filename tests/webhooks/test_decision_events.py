"""decision.issued and declaration.verified: announced once, to the clients that may see them."""

from __future__ import annotations

import json
from datetime import date

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from talent_service.auth.principal import SCOPE_REGISTRY_READ
from talent_service.eligibility.policies.store import load_default_policies
from talent_service.models import WebhookEvent
from talent_service.reference.enums import DeclaredFact, Education
from tests.factories import GUANGZHOU, SHANTOU, SHENZHEN, Factory
from tests.webhooks.conftest import machine_client
from tests.webhooks.helpers import deliver, subscribe
from tests.webhooks.receiver import Receiver

pytestmark = pytest.mark.usefixtures("allow_loopback")


def test_a_decision_is_announced_to_its_city_once(
    client: TestClient,
    make: Factory,
    session: Session,
    receiver: Receiver,
    http: httpx.Client,
) -> None:
    load_default_policies(session)
    firm = make.firm(SHANTOU)
    center = make.center(firm, SHENZHEN, opened_on=date(2020, 1, 1))
    talent = make.talent(firm, education=Education.master, birth_date=date(1990, 5, 17))
    make.employment(talent, firm, center, hired_on=date(2023, 1, 10), key_post=True)
    subscribe(
        client,
        machine_client(session, "sz", city=SHENZHEN),
        receiver.url + "/sz",
        "decision.issued",
    )
    subscribe(
        client,
        machine_client(session, "gz", city=GUANGZHOU),
        receiver.url + "/gz",
        "decision.issued",
    )
    ask = {"talent_id": talent.id, "benefit": "hukou", "as_of": "2025-06-30"}
    first = client.post("/v1/eligibility/checks", json=ask, headers=make.bureau(SHENZHEN))
    assert first.status_code == 201, first.text
    again = client.post("/v1/eligibility/checks", json=ask, headers=make.bureau(SHENZHEN))
    assert again.status_code in (200, 201)
    issued = {d["id"] for d in first.json()["decisions"]}
    events = session.exec(select(WebhookEvent).where(WebhookEvent.type == "decision.issued")).all()
    assert {e.subject_id for e in events} == issued  # the reused answer is not announced again
    deliver(session, http)
    # The Shenzhen client hears of Shenzhen's decision only; Guangzhou's of none.
    got = [json.loads(r.body)["data"] for r in receiver.requests]
    assert {r.path for r in receiver.requests} == {"/hooks/sz"}
    assert [(d["city_code"], d["talent_id"]) for d in got] == [(SHENZHEN, talent.id)]
    assert "outcome" not in got[0]


def test_a_verified_declaration_is_announced_and_a_rejected_one_is_not(
    client: TestClient,
    make: Factory,
    session: Session,
    receiver: Receiver,
    http: httpx.Client,
) -> None:
    firm = make.firm(SHANTOU)
    make.center(firm, SHENZHEN)
    talent = make.talent(firm)
    verified = make.declaration(talent, DeclaredFact.education, "doctor", firm=firm)
    rejected = make.declaration(
        talent, DeclaredFact("title"), "senior", detail="engineering", firm=firm
    )
    subscribe(
        client,
        machine_client(session, "r", city=SHANTOU, scopes=(SCOPE_REGISTRY_READ,)),
        receiver.url,
        "declaration.verified",
    )
    bureau = make.bureau(SHANTOU)
    ok = client.post(
        f"/v1/declarations/{verified.id}/verify", json={"evidence": "diploma"}, headers=bureau
    )
    assert ok.status_code == 200, ok.text
    no = client.post(
        f"/v1/declarations/{rejected.id}/reject", json={"reason": "no proof"}, headers=bureau
    )
    assert no.status_code == 200, no.text
    deliver(session, http)
    [request] = receiver.requests
    body = json.loads(request.body)
    assert body["type"] == "declaration.verified"
    assert body["data"]["declaration_id"] == verified.id
    assert body["data"]["talent_id"] == talent.id
    assert body["data"]["fact"] == "education"
