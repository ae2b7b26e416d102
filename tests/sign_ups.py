"""One approval step for every test that signs a firm up through ``POST /v1/registrations``
and then acts as it: sign up (202), log in, find the firm (``GET /v1/account``), have it
approved, log in again. Works with the in-process TestClient and the live server's httpx client.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


class HttpClient(Protocol):
    def post(self, url: str, **kwargs: Any) -> Any: ...
    def get(self, url: str, **kwargs: Any) -> Any: ...


@dataclass(frozen=True)
class SignedUp:
    firm_id: int
    headers: dict[str, str]  # a token issued after the approval


def bearer(client: HttpClient, username: str, password: str) -> dict[str, str]:
    response = client.post(
        "/v1/auth/token",
        data={"grant_type": "password", "username": username, "password": password},
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def firm_of(client: HttpClient, headers: dict[str, str]) -> int:
    """The caller's firm id, as ``GET /v1/account`` says (a pending firm may call it)."""
    response = client.get("/v1/account", headers=headers)
    assert response.status_code == 200, response.text
    return int(response.json()["firm"]["id"])


def approve(
    client: HttpClient, firm_id: int, approver: dict[str, str], reason: str | None = None
) -> dict[str, Any]:
    response = client.post(
        f"/v1/sign-ups/{firm_id}/approve", json={"reason": reason}, headers=approver
    )
    assert response.status_code == 200, response.text
    assert response.json()["state"] == "approved"
    return dict(response.json())


def sign_up(client: HttpClient, body: dict[str, Any]) -> None:
    response = client.post("/v1/registrations", json=body)
    assert response.status_code == 202, response.text


def signed_up_and_approved(
    client: HttpClient, body: dict[str, Any], approver: dict[str, str]
) -> SignedUp:
    """Sign ``body`` up, approve it as ``approver`` (the province or the home city's bureau),
    and return the firm with a token issued after the approval."""
    sign_up(client, body)
    pending = bearer(client, body["username"], body["password"])
    firm_id = firm_of(client, pending)
    approve(client, firm_id, approver)
    return SignedUp(firm_id, bearer(client, body["username"], body["password"]))
