from __future__ import annotations

import base64
import binascii
from typing import Annotated, Literal

from fastapi import Form, Request
from pydantic import BaseModel

from talent_service.auth import service
from talent_service.auth.access import PUBLIC
from talent_service.core.errors import BAD_REQUEST, DomainError, FieldError
from talent_service.core.problems import problem_responses
from talent_service.core.security import issue_token
from talent_service.core.unit_of_work import SessionDep, api_router

router = api_router(prefix="/auth", tags=["auth"])


class Token(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - a token type, not a secret
    expires_in: int
    scope: str


def _basic_credentials(request: Request) -> tuple[str, str] | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        client_id, _, secret = base64.b64decode(value, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return client_id, secret


def _required(value: str | None, name: str) -> str:
    if not value:
        raise DomainError(
            BAD_REQUEST, f"{name} is required", [FieldError(f"body.{name}", "required")]
        )
    return value


Field128 = Annotated[str | None, Form(max_length=128)]


@router.post(
    "/token",
    response_model=Token,
    dependencies=[PUBLIC],
    summary="OAuth2 token: password grant (users) or client credentials (machine clients)",
    responses=problem_responses(400, 422),
)
def issue_access_token(
    request: Request,
    session: SessionDep,
    grant_type: Annotated[Literal["password", "client_credentials"], Form()],
    username: Field128 = None,
    password: Field128 = None,
    client_id: Field128 = None,
    client_secret: Field128 = None,
    scope: Annotated[str | None, Form(max_length=500)] = None,
) -> Token:
    if grant_type == "password":
        principal = service.authenticate_user(
            session, _required(username, "username"), _required(password, "password"), scope
        )
    else:
        basic = _basic_credentials(request)
        if basic is not None:
            client_id, client_secret = basic
        principal = service.authenticate_client(
            session,
            _required(client_id, "client_id"),
            _required(client_secret, "client_secret"),
            scope,
        )
    token, expires_in = issue_token(principal.claims())
    return Token(
        access_token=token, expires_in=expires_in, scope=" ".join(sorted(principal.scopes))
    )
