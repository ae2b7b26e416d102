"""Bad input on ``POST /v1/auth/token`` (form-encoded): refused as a problem, never a 500."""

from __future__ import annotations

import base64
import os

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.errors import CONTROL_CHARS, assert_problem, counts

TOKEN = "/v1/auth/token"


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"grant_type": "password", "password": "x" * 12}, "body.username"),
        ({"grant_type": "password", "username": "someone"}, "body.password"),
        ({"grant_type": "client_credentials", "client_secret": "s"}, "body.client_id"),
    ],
    ids=["no-username", "no-password", "no-client-id"],
)
def test_missing_credentials_name_the_field(
    client: TestClient, form: dict[str, str], field: str
) -> None:
    assert_problem(client.post(TOKEN, data=form), 400, slug="bad-request", field=field)


def test_an_unknown_grant_type_is_refused(client: TestClient) -> None:
    for grant in ("authorization_code", "", "PASSWORD"):
        r = client.post(TOKEN, data={"grant_type": grant, "username": "a", "password": "b"})
        assert_problem(r, 422, slug="validation", field="body.grant_type")


def test_oversized_credentials_are_refused(client: TestClient) -> None:
    for name in ("username", "password", "client_id", "client_secret", "scope"):
        grant = "client_credentials" if name.startswith("client") else "password"
        form = {
            "grant_type": grant,
            "username": "a",
            "password": "b",
            "client_id": "c",
            "client_secret": "d",
            name: "x" * 10_000,
        }
        r = client.post(TOKEN, data=form)
        assert_problem(r, 422, slug="validation", field=f"body.{name}")


ON_POSTGRES = os.environ.get("TALENT_TEST_DATABASE_URL", "").startswith("postgresql")


def _token_request(client: TestClient, via: str, value: str) -> httpx.Response:
    if via == "basic":
        basic = base64.b64encode(f"{value}:secret".encode()).decode()
        return client.post(
            TOKEN,
            data={"grant_type": "client_credentials"},
            headers={"Authorization": f"Basic {basic}"},
        )
    grant, name = ("password", "username") if via == "username" else ("client_credentials", via)
    form = {
        "grant_type": grant,
        "username": "u",
        "password": "p" * 12,
        "client_id": "c",
        "client_secret": "s" * 12,
        name: value,
    }
    return client.post(TOKEN, data=form)


VIAS = ["username", "client_id", "basic"]


@pytest.mark.parametrize("via", VIAS)
def test_control_characters_in_credentials_are_refused(
    client: TestClient, session: Session, via: str
) -> None:
    before = counts(session)
    for char in (c for c in CONTROL_CHARS if c != "\x00"):
        r = _token_request(client, via, f"some{char}one")
        assert r.status_code in (400, 422), r.text
        assert_problem(r, r.status_code)
    assert counts(session) == before


@pytest.mark.parametrize("via", VIAS)
def test_a_nul_in_credentials_is_refused_not_a_500(
    client: TestClient, session: Session, via: str
) -> None:
    # On PostgreSQL a NUL in a text parameter makes the driver raise: it must never get there.
    before = counts(session)
    r = _token_request(client, via, "some\x00one")
    assert r.status_code in (400, 422), r.text
    assert_problem(r, r.status_code)
    assert counts(session) == before


def test_a_json_body_instead_of_a_form_is_refused(client: TestClient) -> None:
    r = client.post(TOKEN, json={"grant_type": "password", "username": "a", "password": "b"})
    assert_problem(r, 422, slug="validation", field="body.grant_type")


def test_malformed_basic_credentials_are_refused(client: TestClient) -> None:
    for value in ("Basic !!!notbase64", "Basic " + "QQ==" * 5, "Basic", "Basic " + "/w=="):
        r = client.post(
            TOKEN, data={"grant_type": "client_credentials"}, headers={"Authorization": value}
        )
        assert_problem(r, 400)
