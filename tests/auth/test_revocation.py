"""Ending tokens, from the holder's side: a deactivated account, a new password or secret, a
revoked token. Every worker refuses them within the revocation bound (5 s); the hot read pays no
query per request for it."""

from __future__ import annotations

import httpx
import time_machine
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Connection, event
from sqlmodel import Session

from talent_service.accounts.service import (
    deactivate_client,
    deactivate_user,
    rotate_client_secret,
    set_password,
)
from talent_service.core.config import get_settings
from talent_service.main import create_app
from talent_service.models import Client, User
from tests.auth.conftest import OWNER, PASSWORD, USERNAME, From, sign_in
from tests.factories import Factory

UNAUTHENTICATED = "https://talent-service.gd.gov.cn/problems/unauthenticated"


def _bearer(response: httpx.Response) -> dict[str, str]:
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _refused(response: httpx.Response) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["type"] == UNAUTHENTICATED
    assert response.headers["WWW-Authenticate"] == "Bearer"


def _past_the_bound(traveller: time_machine.Coordinates) -> None:
    traveller.shift(get_settings().token_revocation_refresh_seconds + 0.1)


def test_deactivated_users_token_is_refused_within_the_bound(
    session: Session,
    user: User,
    client: TestClient,
    make: Factory,
    traveller: time_machine.Coordinates,
) -> None:
    talent = make.talent(make.firm())
    headers = _bearer(sign_in(client, PASSWORD))
    assert client.get(f"/v1/talents/{talent.id}", headers=headers).status_code == 200
    deactivate_user(session, USERNAME)
    _past_the_bound(traveller)
    _refused(client.get(f"/v1/talents/{talent.id}", headers=headers))
    _refused(client.get("/v1/firms", headers=headers))
    assert sign_in(client, PASSWORD).status_code == 400  # and no new token


def test_new_password_ends_the_old_tokens_but_not_the_new_ones(
    session: Session, user: User, client: TestClient, traveller: time_machine.Coordinates
) -> None:
    old = _bearer(sign_in(client, PASSWORD))
    assert client.get("/v1/firms", headers=old).status_code == 200
    set_password(session, USERNAME, "a-brand-new-password")
    new = _bearer(sign_in(client, "a-brand-new-password"))
    _past_the_bound(traveller)
    _refused(client.get("/v1/firms", headers=old))
    assert client.get("/v1/firms", headers=new).status_code == 200


def _client_token(client: TestClient, client_id: str, secret: str) -> httpx.Response:
    return client.post(
        "/v1/auth/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret)
    )


def test_rotated_secret_and_deactivation_end_a_machine_clients_tokens(
    session: Session,
    machine: tuple[Client, str],
    client: TestClient,
    traveller: time_machine.Coordinates,
) -> None:
    account, secret = machine
    old = _bearer(_client_token(client, account.client_id, secret))
    assert client.get("/v1/cities", headers=old).status_code == 200
    _, new_secret = rotate_client_secret(session, account.client_id)
    assert _client_token(client, account.client_id, secret).status_code == 400
    new = _bearer(_client_token(client, account.client_id, new_secret))
    _past_the_bound(traveller)
    _refused(client.get("/v1/cities", headers=old))
    assert client.get("/v1/cities", headers=new).status_code == 200
    deactivate_client(session, account.client_id)
    _past_the_bound(traveller)
    _refused(client.get("/v1/cities", headers=new))


def test_revoked_token_is_refused_at_once_and_others_keep_working(
    user: User, client: TestClient, make: Factory
) -> None:
    talent = make.talent(make.firm())
    revoked, kept = _bearer(sign_in(client, PASSWORD)), _bearer(sign_in(client, PASSWORD))
    assert client.get(f"/v1/talents/{talent.id}", headers=revoked).status_code == 200
    token = revoked["Authorization"].removeprefix("Bearer ")
    answer = client.post("/v1/auth/revoke", data={"token": token})
    assert answer.status_code == 200
    assert client.post("/v1/auth/revoke", data={"token": token}).status_code == 200  # again
    _refused(client.get(f"/v1/talents/{talent.id}", headers=revoked))
    assert client.get(f"/v1/talents/{talent.id}", headers=kept).status_code == 200


def test_another_worker_refuses_a_revoked_token_within_the_bound(
    app: FastAPI, connection: Connection, user: User, traveller: time_machine.Coordinates
) -> None:
    other = create_app()  # a second worker: its own token cache and revocation snapshot
    other.state.session_factory = app.state.session_factory
    other.state.read_bind = connection
    with TestClient(app) as first, TestClient(other) as second:
        headers = _bearer(sign_in(first, PASSWORD))
        assert second.get("/v1/firms", headers=headers).status_code == 200
        token = headers["Authorization"].removeprefix("Bearer ")
        assert first.post("/v1/auth/revoke", data={"token": token}).status_code == 200
        _past_the_bound(traveller)
        _refused(second.get("/v1/firms", headers=headers))


def test_revoke_answers_200_for_any_well_formed_request(client: TestClient) -> None:
    assert client.post("/v1/auth/revoke", data={"token": "not-a-token"}).status_code == 200
    hinted = {"token": "x.y.z", "token_type_hint": "access_token"}
    assert client.post("/v1/auth/revoke", data=hinted).status_code == 200
    assert client.post("/v1/auth/revoke", data={}).status_code == 422


def test_hot_read_reads_revocations_once_per_bound_not_per_request(
    connection: Connection,
    user: User,
    from_address: From,
    make: Factory,
    traveller: time_machine.Coordinates,
) -> None:
    talent = make.talent(make.firm())
    statements: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(statement)

    with from_address(OWNER) as reader:
        headers = _bearer(sign_in(reader, PASSWORD))
        event.listen(connection, "before_cursor_execute", seen)
        try:
            for _ in range(20):
                assert reader.get(f"/v1/talents/{talent.id}", headers=headers).status_code == 200
            _past_the_bound(traveller)
            assert reader.get(f"/v1/talents/{talent.id}", headers=headers).status_code == 200
        finally:
            event.remove(connection, "before_cursor_execute", seen)
    # The snapshot is read once for the first bound (on the first request: issuing a token
    # reads none) and once after it, four small SELECTs each (the fourth: sign-up decisions,
    # auth/approval.py); nothing else through SQLAlchemy, though each of the 21 reads was
    # answered (the talent row is read on the driver, core/driver_read.py).
    assert sum("FROM revoked_token" in s for s in statements) == 2
    snapshot_tables = (
        "FROM user_account",
        "FROM api_client",
        "FROM revoked_token",
        "FROM firm_sign_up_event",
    )
    assert len(statements) == 8
    assert all(any(t in s for t in snapshot_tables) for s in statements)
