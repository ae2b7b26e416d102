"""What routes receive, as ``Annotated`` aliases.

Every route declares who may call it: an ``Access`` rule, which authenticates the caller and
checks role and scope, or ``PUBLIC``; a test fails if a route has neither.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import Connection, Engine
from sqlmodel import Session

from talent_service.auth.principal import Principal
from talent_service.auth.tokens import principal_from_token
from talent_service.core.db import get_engine, get_read_engine, read_session
from talent_service.core.errors import (
    FORBIDDEN,
    UNAUTHENTICATED,
    VALIDATION,
    DomainError,
    FieldError,
)
from talent_service.reference.enums import Role


@asynccontextmanager
async def unit_of_work(session: Session) -> AsyncIterator[Session]:
    """Commit once after the route, or roll back everything on error."""
    try:
        yield session
        if session.in_transaction():
            await run_in_threadpool(session.commit)
    except BaseException:
        await run_in_threadpool(session.rollback)
        raise
    finally:
        await run_in_threadpool(session.close)


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def get_session(request: Request) -> AsyncIterator[Session]:
    """A read-only session for safe methods, otherwise the unit of work.

    Creating a Session costs no I/O; a connection is taken from the pool on first use.
    """
    if request.method in SAFE_METHODS:
        session = read_session()
        try:
            yield session
        finally:
            # Nothing to commit; returning an autocommit connection to the pool sends nothing.
            session.close()
        return
    async with unit_of_work(Session(get_engine(), expire_on_commit=False)) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def read_bind(request: Request) -> Engine | Connection:
    """Where a hot read by id takes its connection: the read engine, no Session.

    A plain function, not a dependency: on the hot path each dependency FastAPI resolves costs
    about a tenth of the request. Tests set ``app.state.read_bind`` to their own connection.
    """
    bind: Engine | Connection | None = getattr(request.app.state, "read_bind", None)
    return bind if bind is not None else get_read_engine()


def authenticate(request: Request) -> Principal:
    """The caller named by the request's bearer token (checked once, then cached until expiry)."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise DomainError(UNAUTHENTICATED, "Send an access token: 'Authorization: Bearer <token>'.")
    return principal_from_token(token.strip())


class Access:
    """A route's access rule: the roles that may call it and the scope the token must carry.

    It authenticates the caller itself: one dependency per route, not two, on the hot path.
    async on purpose: no I/O here, and a sync dependency would cost a thread hop per request.
    """

    def __init__(self, *roles: Role, scope: str) -> None:
        self.roles = frozenset(roles)
        self.scope = scope

    async def __call__(self, request: Request) -> Principal:
        principal = authenticate(request)
        if principal.role not in self.roles or self.scope not in principal.scopes:
            raise DomainError(
                FORBIDDEN,
                f"This operation needs scope '{self.scope}' and one of the roles "
                f"{', '.join(sorted(r.value for r in self.roles))}.",
            )
        return principal

    def __repr__(self) -> str:
        return f"Access({sorted(self.roles)}, scope={self.scope!r})"


class Public:
    """Marks a route that needs no token (health, token issuance, public keys), visibly."""

    async def __call__(self) -> None:
        return None


PUBLIC = Depends(Public())


async def get_if_match(request: Request) -> int | None:
    """``If-Match: "<version>"`` from the resource's ``version`` (or ETag); optional."""
    raw = request.headers.get("if-match")
    if raw is None:
        return None
    value = raw.strip().removeprefix("W/").strip('"')
    # isdigit() alone takes '²' (a raw 0xB2 byte in the header), which int() refuses.
    if not (value.isascii() and value.isdigit()) or len(value) > 9:
        raise DomainError(
            VALIDATION,
            'If-Match must carry the version you read, e.g. If-Match: "3"',
            [FieldError("header.If-Match", "not a version number")],
        )
    return int(value)


IfMatchDep = Annotated[int | None, Depends(get_if_match)]
