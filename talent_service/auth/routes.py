"""The token endpoint (throttled: auth/throttle.py) and token revocation (RFC 7009)."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Literal

from fastapi import Form, Request
from pydantic import BaseModel

from talent_service.auth import revocations, service, throttle
from talent_service.auth.access import PUBLIC
from talent_service.auth.tokens import verified_token
from talent_service.core import clock
from talent_service.core.addresses import client_address
from talent_service.core.config import get_settings
from talent_service.core.errors import (
    BAD_REQUEST,
    INVALID_GRANT,
    UNAUTHENTICATED,
    DomainError,
    FieldError,
    throttled,
)
from talent_service.core.problems import problem_responses
from talent_service.core.security import issue_token
from talent_service.core.types import printable
from talent_service.core.unit_of_work import SessionDep, api_router, own_unit

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


def _account_name(value: str | None, name: str) -> str:
    """A required account name that can reach the database: a control character (a NUL makes
    PostgreSQL's driver raise) names no account, so it is refused before any query."""
    value = _required(value, name)
    try:
        return printable(value)
    except ValueError as reason:
        raise DomainError(
            BAD_REQUEST, f"{name} is not a valid name", [FieldError(f"body.{name}", str(reason))]
        ) from None


Field128 = Annotated[str | None, Form(max_length=128)]


def _sign_in(request: Request, attempt: throttle.Attempt, secret: str) -> service.Account:
    """Check the throttle, then the secret, then record the outcome, each on its own: the
    failure must be written although the answer is a 400, and the hash holds no transaction."""
    with own_unit(request, writes=False) as session:
        standing = throttle.standing(session, attempt, clock.now())
        find = service.find_user if attempt.kind == "user" else service.find_client
        account = find(session, attempt.account)
    if standing.wait is not None:
        # Even the right secret gets this answer: it must not tell the guesser it was right.
        raise throttled("Too many failed sign-ins; try again later.", standing.wait)
    accepted = service.credentials_accepted(account, secret)
    if not accepted or standing.failed_before:
        with own_unit(request, writes=True) as session:
            if accepted:
                throttle.record_success(session, attempt)
            else:
                limits = throttle.Limits.from_settings(get_settings())
                throttle.record_failure(session, attempt, clock.now(), limits)
    if not accepted:
        raise DomainError(INVALID_GRANT, service.REFUSED)
    return account


@router.post(
    "/token",
    response_model=Token,
    dependencies=[PUBLIC],
    summary="OAuth2 token: password grant (users) or client credentials (machine clients)",
    description="Failed sign-ins per account and address slow down, then lock for a while: "
    "429 with `Retry-After`, whatever the password (see the README, Authentication).",
    responses=problem_responses(400, 422, 429),
)
def issue_access_token(
    request: Request,
    grant_type: Annotated[Literal["password", "client_credentials"], Form()],
    username: Field128 = None,
    password: Field128 = None,
    client_id: Field128 = None,
    client_secret: Field128 = None,
    scope: Annotated[str | None, Form(max_length=500)] = None,
) -> Token:
    address = client_address(request)
    if grant_type == "password":
        name, secret = _account_name(username, "username"), _required(password, "password")
        attempt = throttle.Attempt("user", name, address)
    else:
        basic = _basic_credentials(request)
        if basic is not None:
            client_id, client_secret = basic
        name = _account_name(client_id, "client_id")
        secret = _required(client_secret, "client_secret")
        attempt = throttle.Attempt("client", name, address)
    account = _sign_in(request, attempt, secret)
    principal = service.grant(account, scope)
    # The account's token version: bumping it (deactivation, new secret) ends this token.
    token, expires_in = issue_token({**principal.claims(), "ver": account.token_version})
    return Token(
        access_token=token, expires_in=expires_in, scope=" ".join(sorted(principal.scopes))
    )


@router.post(
    "/revoke",
    dependencies=[PUBLIC],
    summary="Revoke an access token (RFC 7009)",
    description="Whoever holds a token may revoke it. The answer is 200 for any well-formed "
    "request, whether the token was valid, already revoked or unknown (RFC 7009 §2.2). Every "
    "worker refuses a revoked token within `TALENT_TOKEN_REVOCATION_REFRESH_SECONDS`.",
    responses=problem_responses(400, 422),
)
def revoke_token(
    request: Request,
    session: SessionDep,
    token: Annotated[str, Form(max_length=4096)],
    token_type_hint: Annotated[str | None, Form(max_length=64)] = None,  # noqa: ARG001 - RFC 7009
) -> dict[str, str]:
    try:
        verified = verified_token(token)
    except DomainError as exc:
        if exc.problem is UNAUTHENTICATED:
            return {}  # invalid or expired: nothing left to revoke
        raise
    if verified.jti is not None:
        revocations.record_revoked(session, verified.jti, verified.expires_at)
        revocations.snapshot(request.app).revoke(verified.jti)
    return {}
