from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from talent_service.auth.principal import SCOPE_REGISTRY_READ
from talent_service.models import WebhookSubscription
from tests.factories import SHANTOU, SHENZHEN, Factory
from tests.webhooks.conftest import machine_client

URL = "https://93.184.216.34/hooks"
PATH = "/v1/webhooks/subscriptions"


def _count(session: Session) -> int:
    return session.exec(select(func.count()).select_from(WebhookSubscription)).one()


def test_a_client_subscribes_reads_lists_and_deletes_its_own(
    client: TestClient, session: Session
) -> None:
    school = machine_client(session, "school")
    made = client.post(
        PATH, json={"url": URL, "event_types": ["employment.started"]}, headers=school
    )
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["secret"].startswith("whsec_") and body["state"] == "active"
    read = client.get(f"{PATH}/{body['id']}", headers=school)
    assert read.status_code == 200 and "secret" not in read.json()  # shown once
    assert [s["id"] for s in client.get(PATH, headers=school).json()["items"]] == [body["id"]]
    assert client.delete(f"{PATH}/{body['id']}", headers=school).status_code == 204
    assert client.get(f"{PATH}/{body['id']}", headers=school).status_code == 404
    assert _count(session) == 0


def test_another_client_cannot_see_or_touch_a_subscription(
    client: TestClient, session: Session
) -> None:
    owner = machine_client(session, "owner")
    other = machine_client(session, "other")
    sid = client.post(
        PATH, json={"url": URL, "event_types": ["center.accredited"]}, headers=owner
    ).json()["id"]
    assert client.get(f"{PATH}/{sid}", headers=other).status_code == 404
    assert client.delete(f"{PATH}/{sid}", headers=other).status_code == 404
    assert client.post(f"{PATH}/{sid}/replay", headers=other).status_code == 404
    assert client.post(f"{PATH}/{sid}/secret", headers=other).status_code == 404
    assert client.get(PATH, headers=other).json()["items"] == []
    assert client.get(f"{PATH}/{sid}", headers=owner).json()["state"] == "active"
    assert _count(session) == 1


def test_people_cannot_manage_subscriptions(
    client: TestClient, make: Factory, session: Session
) -> None:
    firm = make.firm(SHANTOU)
    for headers in (make.province(), make.bureau(SHENZHEN), make.firm_user(firm)):
        response = client.post(
            PATH, json={"url": URL, "event_types": ["center.accredited"]}, headers=headers
        )
        assert response.status_code == 403
        assert response.headers["content-type"] == "application/problem+json"
        assert client.get(PATH, headers=headers).status_code == 403
    assert _count(session) == 0


def test_an_event_type_needs_its_scope(client: TestClient, session: Session) -> None:
    reader = machine_client(session, "reader", scopes=(SCOPE_REGISTRY_READ,))
    response = client.post(
        PATH, json={"url": URL, "event_types": ["decision.issued"]}, headers=reader
    )
    assert response.status_code == 403
    assert "eligibility:verify" in response.json()["detail"]
    assert _count(session) == 0


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://93.184.216.34/hooks", "https"),
        ("https://127.0.0.1/hooks", "loopback"),
        ("https://169.254.169.254/latest", "link-local"),
        ("https://10.0.0.8/hooks", "private"),
        ("https://user:pw@93.184.216.34/", "user name"),
        ("not a url", "https"),
    ],
)
def test_unsafe_urls_are_refused_with_422(
    client: TestClient, session: Session, url: str, reason: str
) -> None:
    headers = machine_client(session, "c")
    response = client.post(
        PATH, json={"url": url, "event_types": ["center.accredited"]}, headers=headers
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body.url"
    assert reason in response.json()["errors"][0]["reason"]
    assert _count(session) == 0


@pytest.mark.parametrize(
    "body",
    [
        {"url": URL, "event_types": []},
        {"url": URL, "event_types": ["center.exploded"]},
        {"url": URL},
        {"event_types": ["center.accredited"]},
        {"url": "", "event_types": ["center.accredited"]},
        {"url": URL, "event_types": ["center.accredited"], "secret": "mine"},
        {"url": "https://x/" + "a" * 2000, "event_types": ["center.accredited"]},
    ],
)
def test_bad_bodies_are_refused_with_422(
    client: TestClient, session: Session, body: dict[str, object]
) -> None:
    response = client.post(PATH, json=body, headers=machine_client(session, "c"))
    assert response.status_code == 422, response.text
    assert response.json()["errors"]
    assert _count(session) == 0


@pytest.mark.parametrize("url", ["https://93.184.216.34/ho\x00oks", "https://93.184.216.34/\u200b"])
def test_a_url_with_a_control_or_invisible_character_is_refused_before_the_database(
    client: TestClient, session: Session, url: str
) -> None:
    # On PostgreSQL a NUL in a text parameter makes the driver raise: it must never get there.
    response = client.post(
        PATH,
        json={"url": url, "event_types": ["center.accredited"]},
        headers=machine_client(session, "c"),
    )
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == "body.url"
    assert _count(session) == 0


def test_a_rotation_returns_a_new_secret_and_an_overlap(
    client: TestClient, session: Session
) -> None:
    headers = machine_client(session, "c")
    made = client.post(
        PATH, json={"url": URL, "event_types": ["center.accredited"]}, headers=headers
    )
    rotated = client.post(f"{PATH}/{made.json()['id']}/secret", headers=headers)
    assert rotated.status_code == 200
    assert rotated.json()["secret"] != made.json()["secret"]
    read = client.get(f"{PATH}/{made.json()['id']}", headers=headers).json()
    assert read["previous_secret_until"] == rotated.json()["previous_secret_until"]
