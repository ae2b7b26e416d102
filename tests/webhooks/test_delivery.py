"""Events from the API through the outbox to a real receiver, signatures checked as a receiver
would: ``v1`` with the standardwebhooks package, ``v1a`` with the published JWKS."""

from __future__ import annotations

import json
from datetime import timedelta

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select
from standardwebhooks import Webhook, WebhookVerificationError

from talent_service.core import clock
from talent_service.core.signing_keys import signing_key
from talent_service.models import (
    Center,
    Client,
    Talent,
    WebhookDelivery,
    WebhookEvent,
    WebhookSubscription,
)
from talent_service.reference.enums import CenterStatus
from talent_service.webhooks.delivery import (
    Outcome,
    claim,
    dispatch,
    prune,
    send,
    settle,
)
from talent_service.webhooks.schedule import MAX_ATTEMPTS
from talent_service.webhooks.signing import verify_v1a
from tests.factories import GUANGZHOU, SHANTOU, SHENZHEN, Factory
from tests.webhooks.conftest import machine_client
from tests.webhooks.helpers import LEASE, PATH, deliver, subscribe
from tests.webhooks.receiver import Receiver

pytestmark = pytest.mark.usefixtures("allow_loopback")


def hire(
    client: TestClient, make: Factory, firm_headers: dict[str, str], talent: Talent, center: Center
) -> int:
    response = client.post(
        "/v1/employments",
        json={
            "talent_id": talent.id,
            "center_id": center.id,
            "position": "Engineer",
            "hired_on": "2024-01-01",
            "si_city_code": SHENZHEN,
        },
        headers=firm_headers,
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


@pytest.fixture
def world(make: Factory) -> tuple[object, Center, Talent]:
    firm = make.firm(SHANTOU)
    center = make.center(firm, SHENZHEN)
    talent = make.talent(firm)
    return firm, center, talent


def test_a_hire_and_departure_reach_the_receiver_signed(
    client: TestClient,
    make: Factory,
    session: Session,
    receiver: Receiver,
    http: httpx.Client,
    world: tuple[object, Center, Talent],
) -> None:
    firm, center, talent = world
    sub = subscribe(
        client,
        machine_client(session, "si"),
        receiver.url,
        "employment.started",
        "employment.ended",
    )
    firm_headers = make.firm_user(firm)  # type: ignore[arg-type]
    spell = hire(client, make, firm_headers, talent, center)
    left = client.post(
        f"/v1/employments/{spell}/departure",
        json={"departed_on": "2024-06-30", "reason": "resigned"},
        headers=firm_headers,
    )
    assert left.status_code == 200, left.text
    assert [o.delivered for o in deliver(session, http)] == [True, True]

    jwks = client.get("/.well-known/jwks.json").json()
    bodies = []
    for request in receiver.requests:
        payload = Webhook(str(sub["secret"])).verify(request.body, request.headers)
        assert verify_v1a(jwks, request.headers, request.body)
        assert request.headers["webhook-id"] == payload["id"]
        bodies.append(payload)
    bodies.sort(key=lambda b: b["data"]["sequence"])
    assert [b["type"] for b in bodies] == ["employment.started", "employment.ended"]
    assert [b["data"]["sequence"] for b in bodies] == [1, 2]
    assert {b["data"]["employment_id"] for b in bodies} == {spell}
    assert bodies[0]["data"]["subject"] == {"type": "employment", "id": str(spell)}
    # Thin: ids and dates, nothing about the person.
    assert set(bodies[0]["data"]) == {
        "subject",
        "sequence",
        "occurred_at",
        "employment_id",
        "talent_id",
        "firm_id",
        "center_id",
        "hired_on",
        "departed_on",
    }
    assert deliver(session, http) == []  # delivered once, not again
    with pytest.raises(WebhookVerificationError):
        Webhook(str(sub["secret"])).verify(
            receiver.requests[0].body + "x", receiver.requests[0].headers
        )


def test_center_decisions_are_announced(
    client: TestClient, make: Factory, session: Session, receiver: Receiver, http: httpx.Client
) -> None:
    center = make.center(make.firm(SHANTOU), SHENZHEN, status=CenterStatus.pending)
    subscribe(
        client, machine_client(session, "c"), receiver.url, "center.accredited", "center.suspended"
    )
    bureau = make.bureau(SHENZHEN)
    ok = client.post(
        f"/v1/centers/{center.id}/accreditation", json={"decision": "accredited"}, headers=bureau
    )
    assert ok.status_code == 200, ok.text
    stop = client.post(
        f"/v1/centers/{center.id}/suspension", json={"note": "audit"}, headers=bureau
    )
    assert stop.status_code == 200, stop.text
    deliver(session, http)
    got = sorted(
        (json.loads(r.body) for r in receiver.requests), key=lambda b: b["data"]["sequence"]
    )
    assert [(b["type"], b["data"]["center_id"]) for b in got] == [
        ("center.accredited", center.id),
        ("center.suspended", center.id),
    ]


def test_a_client_hears_only_of_what_it_may_see(
    client: TestClient,
    make: Factory,
    session: Session,
    receiver: Receiver,
    http: httpx.Client,
    world: tuple[object, Center, Talent],
) -> None:
    firm, center, talent = world
    subscribe(
        client, machine_client(session, "gz", city=GUANGZHOU), receiver.url, "employment.started"
    )
    subscribe(
        client,
        machine_client(session, "sz", city=SHENZHEN),
        receiver.url + "/sz",
        "employment.started",
    )
    subscribe(
        client,
        machine_client(session, "cc", city=SHENZHEN),
        receiver.url + "/cc",
        "center.accredited",
    )
    hire(client, make, make.firm_user(firm), talent, center)  # type: ignore[arg-type]
    deliver(session, http)
    assert [r.path for r in receiver.requests] == ["/hooks/sz"]


def test_a_failing_endpoint_is_retried_then_disabled_and_replayed(
    client: TestClient,
    make: Factory,
    session: Session,
    receiver: Receiver,
    http: httpx.Client,
    world: tuple[object, Center, Talent],
) -> None:
    firm, center, talent = world
    headers = machine_client(session, "c")
    sub = subscribe(client, headers, receiver.url, "employment.started")
    hire(client, make, make.firm_user(firm), talent, center)  # type: ignore[arg-type]
    receiver.status = 500
    now = clock.now()
    assert [o.status for o in deliver(session, http, now)] == [500]
    row = session.exec(select(WebhookDelivery)).one()
    assert (row.state, row.attempts, row.last_status) == ("pending", 1, 500)
    assert row.next_attempt_at == now + timedelta(seconds=10)
    assert deliver(session, http, now + timedelta(seconds=9)) == []  # not due yet
    for _ in range(MAX_ATTEMPTS - 1):
        now += timedelta(hours=13)
        deliver(session, http, now)
    session.expire_all()
    subscription = session.get(WebhookSubscription, sub["id"])
    assert subscription is not None and subscription.state == "disabled"
    assert session.exec(select(WebhookDelivery)).one().state == "held"
    assert len(receiver.requests) == MAX_ATTEMPTS
    # Held while disabled: a later event is kept too, and nothing is sent.
    other = make.talent(firm)  # type: ignore[arg-type]
    hire(client, make, make.firm_user(firm), other, center)  # type: ignore[arg-type]
    assert deliver(session, http) == []
    assert session.get(WebhookSubscription, sub["id"]).state == "disabled"  # type: ignore[union-attr]
    assert client.get(f"{PATH}/{sub['id']}", headers=headers).json()["state"] == "disabled"
    # Replay: enabled again, both events sent, the first with the webhook-id it had.
    receiver.status = 200
    first_id = receiver.requests[0].headers["webhook-id"]
    replayed = client.post(f"{PATH}/{sub['id']}/replay", headers=headers)
    assert replayed.status_code == 202 and replayed.json() == {"requeued": 2}
    assert [o.delivered for o in deliver(session, http)] == [True, True]
    assert first_id in {r.headers["webhook-id"] for r in receiver.requests[-2:]}
    assert client.get(f"{PATH}/{sub['id']}", headers=headers).json()["state"] == "active"


def test_replay_since_sends_delivered_events_again(
    client: TestClient,
    make: Factory,
    session: Session,
    receiver: Receiver,
    http: httpx.Client,
    world: tuple[object, Center, Talent],
) -> None:
    firm, center, talent = world
    headers = machine_client(session, "c")
    sub = subscribe(client, headers, receiver.url, "employment.started")
    start = clock.now() - timedelta(minutes=1)
    hire(client, make, make.firm_user(firm), talent, center)  # type: ignore[arg-type]
    deliver(session, http)
    again = client.post(
        f"{PATH}/{sub['id']}/replay", json={"since": start.isoformat()}, headers=headers
    )
    assert again.json() == {"requeued": 1}
    deliver(session, http)
    assert len({r.headers["webhook-id"] for r in receiver.requests}) == 1
    assert len(receiver.requests) == 2


def test_a_rotated_secret_signs_beside_the_old_one_for_a_day(
    client: TestClient,
    make: Factory,
    session: Session,
    receiver: Receiver,
    http: httpx.Client,
    world: tuple[object, Center, Talent],
) -> None:
    firm, center, talent = world
    headers = machine_client(session, "c")
    sub = subscribe(client, headers, receiver.url, "employment.started", "employment.ended")
    new = client.post(f"{PATH}/{sub['id']}/secret", headers=headers).json()
    spell = hire(client, make, make.firm_user(firm), talent, center)  # type: ignore[arg-type]
    deliver(session, http)
    [during] = receiver.requests
    assert during.headers["webhook-signature"].count("v1,") == 2
    Webhook(str(sub["secret"])).verify(during.body, during.headers)
    Webhook(new["secret"]).verify(during.body, during.headers)
    # A day later, only the new secret signs.
    client.post(
        f"/v1/employments/{spell}/departure",
        json={"departed_on": "2024-06-30", "reason": "resigned"},
        headers=make.firm_user(firm),
    )  # type: ignore[arg-type]
    deliver(session, http, clock.now() + timedelta(hours=24, seconds=1))
    after = receiver.requests[1]
    assert after.headers["webhook-signature"].count("v1,") == 1
    Webhook(new["secret"]).verify(after.body, after.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(str(sub["secret"])).verify(after.body, after.headers)


def test_a_claim_whose_worker_died_is_taken_again_after_its_lease(
    client: TestClient,
    make: Factory,
    session: Session,
    receiver: Receiver,
    http: httpx.Client,
    world: tuple[object, Center, Talent],
) -> None:
    firm, center, talent = world
    subscribe(client, machine_client(session, "c"), receiver.url, "employment.started")
    hire(client, make, make.firm_user(firm), talent, center)  # type: ignore[arg-type]
    now = clock.now()
    dispatch(session, now)
    [dead] = claim(session, now, 10, LEASE)  # this worker is killed before it settles
    assert claim(session, now + LEASE - timedelta(seconds=1), 10, LEASE) == []
    [again] = claim(session, now + LEASE + timedelta(seconds=1), 10, LEASE)
    assert (again.delivery_id, again.msg_id) == (dead.delivery_id, dead.msg_id)
    assert again.claim != dead.claim
    settle(session, again, send(http, again, signing_key(), allow_loopback=True), now, 0.5)
    # The dead worker's late result changes nothing: the claim is no longer its own.
    settle(session, dead, Outcome(False, 500, "late"), now, 0.5)
    session.expire_all()
    row = session.exec(
        select(WebhookDelivery).where(col(WebhookDelivery.id) == dead.delivery_id)
    ).one()
    assert (row.state, row.attempts) == ("delivered", 1)


def test_a_redirect_is_a_failure_and_is_not_followed(
    client: TestClient,
    make: Factory,
    session: Session,
    receiver: Receiver,
    http: httpx.Client,
    world: tuple[object, Center, Talent],
) -> None:
    firm, center, talent = world
    subscribe(client, machine_client(session, "c"), receiver.url, "employment.started")
    hire(client, make, make.firm_user(firm), talent, center)  # type: ignore[arg-type]
    receiver.status = 302
    [outcome] = deliver(session, http)
    assert (outcome.delivered, outcome.status) == (False, 302)
    assert len(receiver.requests) == 1


def test_a_url_that_became_unsafe_is_not_sent_to(
    client: TestClient,
    make: Factory,
    session: Session,
    receiver: Receiver,
    http: httpx.Client,
    world: tuple[object, Center, Talent],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    firm, center, talent = world
    subscribe(client, machine_client(session, "c"), receiver.url, "employment.started")
    hire(client, make, make.firm_user(firm), talent, center)  # type: ignore[arg-type]
    now = clock.now()
    dispatch(session, now)
    [job] = claim(session, now, 10, LEASE)
    outcome = send(http, job, signing_key(), allow_loopback=False)  # the delivery-time check
    assert not outcome.delivered and (outcome.error or "").startswith("refused")
    assert receiver.requests == []


def test_delivered_rows_are_pruned_after_thirty_days_and_held_ones_kept(
    client: TestClient,
    make: Factory,
    session: Session,
    receiver: Receiver,
    http: httpx.Client,
    world: tuple[object, Center, Talent],
) -> None:
    firm, center, talent = world
    subscribe(client, machine_client(session, "ok"), receiver.url, "employment.started")
    held = subscribe(
        client, machine_client(session, "off"), receiver.url + "/off", "employment.started"
    )
    session.get(WebhookSubscription, held["id"]).state = "disabled"  # type: ignore[union-attr]
    session.flush()
    hire(client, make, make.firm_user(firm), talent, center)  # type: ignore[arg-type]
    deliver(session, http)
    states = sorted(d.state for d in session.exec(select(WebhookDelivery)).all())
    assert states == ["delivered", "held"]
    assert prune(session, clock.now() + timedelta(days=29)) == 0
    assert prune(session, clock.now() + timedelta(days=31)) == 1
    session.expire_all()
    assert [d.state for d in session.exec(select(WebhookDelivery)).all()] == ["held"]
    assert len(session.exec(select(WebhookEvent)).all()) == 1  # still owed to the held one


def test_a_deactivated_client_is_sent_nothing(
    client: TestClient,
    make: Factory,
    session: Session,
    receiver: Receiver,
    http: httpx.Client,
    world: tuple[object, Center, Talent],
) -> None:
    firm, center, talent = world
    subscribe(client, machine_client(session, "gone"), receiver.url, "employment.started")
    hire(client, make, make.firm_user(firm), talent, center)  # type: ignore[arg-type]
    dispatch(session, clock.now())  # owed before the client was deactivated
    gone = session.exec(select(Client).where(Client.client_id == "gone")).one()
    gone.is_active = False
    session.add(gone)
    session.flush()
    assert deliver(session, http) == []
    assert receiver.requests == []
    assert session.exec(select(WebhookDelivery)).one().state == "pending"
