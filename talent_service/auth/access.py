"""A route's access rule, as the first dependency of every route.

Every route declares who may call it: an ``Access`` rule, which authenticates the caller and
checks role and scope, or ``PUBLIC``; a test fails if a route has neither, or has it later.
"""

from __future__ import annotations

from fastapi import Depends, Request

from talent_service.auth import approval, revocations
from talent_service.auth.principal import Principal
from talent_service.auth.tokens import verified_token
from talent_service.core.errors import FORBIDDEN, UNAUTHENTICATED, DomainError
from talent_service.core.unit_of_work import PRINCIPAL_SCOPE_KEY
from talent_service.reference.enums import Role


async def authenticate(request: Request, *, while_pending: bool = False) -> Principal:
    """The caller named by the request's bearer token (its signature checked once, then cached
    until expiry), unless the token was revoked or its account's tokens ended since, or its
    firm's sign-up is pending or rejected and the route is not one such a firm may use."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise DomainError(UNAUTHENTICATED, "Send an access token: 'Authorization: Bearer <token>'.")
    verified = verified_token(token.strip())
    current = await revocations.current(request)
    if current.refuses(verified.principal.subject, verified.version, verified.jti):
        raise DomainError(UNAUTHENTICATED, "The access token has been revoked.")
    principal = approval.admitted(verified.principal, current.sign_ups, while_pending=while_pending)
    request.scope[PRINCIPAL_SCOPE_KEY] = principal  # who the audit entry names
    return principal


class Access:
    """A route's access rule: the roles that may call it and the scope the token must carry.

    It authenticates the caller itself: one dependency per route, not two, on the hot path.
    async on purpose: a sync dependency would cost a thread hop per request; the only I/O, the
    revocation snapshot's refresh every few seconds, runs in a thread of its own.
    """

    def __init__(self, *roles: Role, scope: str, while_pending: bool = False) -> None:
        self.roles = frozenset(roles)
        self.scope = scope
        # A firm whose sign-up is pending or rejected may call this route (its own records).
        self.while_pending = while_pending

    async def __call__(self, request: Request) -> Principal:
        principal = await authenticate(request, while_pending=self.while_pending)
        if principal.role not in self.roles or self.scope not in principal.scopes:
            raise DomainError(
                FORBIDDEN,
                f"This operation needs scope '{self.scope}' and one of the roles "
                f"{', '.join(sorted(r.value for r in self.roles))}.",
            )
        return principal

    def __repr__(self) -> str:
        pending = ", while_pending=True" if self.while_pending else ""
        return f"Access({sorted(self.roles)}, scope={self.scope!r}{pending})"


class Public:
    """Marks a route that needs no token (health, token issuance, public keys), visibly."""

    async def __call__(self) -> None:
        return None


PUBLIC = Depends(Public())
