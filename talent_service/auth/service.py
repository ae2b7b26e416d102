"""Credential checks for the token endpoint: the only place users and clients are read."""

from __future__ import annotations

from sqlmodel import Session, select

from talent_service.auth.principal import ROLE_SCOPES, Principal
from talent_service.core.errors import INVALID_GRANT, DomainError
from talent_service.core.security import verify_password
from talent_service.models import Client, User
from talent_service.reference.enums import Role

_REFUSED = "The credentials were not accepted."


def _plain(value: str) -> str:
    # A NUL or other control character can be no one's name, and PostgreSQL refuses a NUL in a
    # text parameter: refuse it here as a bad credential instead of letting it reach the query.
    if any(ord(ch) < 32 or ord(ch) == 0x7F for ch in value):
        raise DomainError(INVALID_GRANT, _REFUSED)
    return value


def _narrow(granted: frozenset[str], requested: str | None) -> frozenset[str]:
    """A token carries the requested scopes if given (never more than granted), else all."""
    if not requested:
        return granted
    wanted = frozenset(requested.split())
    if not wanted <= granted:
        raise DomainError(
            INVALID_GRANT, f"scopes not granted: {', '.join(sorted(wanted - granted))}"
        )
    return wanted


def authenticate_user(
    session: Session, username: str, password: str, scope: str | None
) -> Principal:
    user = session.exec(select(User).where(User.username == _plain(username))).first()
    # verify_password runs Argon2 even for unknown users, so timing does not reveal them.
    if not verify_password(password, user.password_hash if user else None) or user is None:
        raise DomainError(INVALID_GRANT, _REFUSED)
    if not user.is_active:
        raise DomainError(INVALID_GRANT, _REFUSED)
    return Principal(
        subject=f"user:{user.id}",
        role=user.role,
        city_code=user.city_code,
        firm_id=user.firm_id,
        scopes=_narrow(ROLE_SCOPES[user.role], scope),
    )


def authenticate_client(
    session: Session, client_id: str, secret: str, scope: str | None
) -> Principal:
    client = session.exec(select(Client).where(Client.client_id == _plain(client_id))).first()
    if not verify_password(secret, client.secret_hash if client else None) or client is None:
        raise DomainError(INVALID_GRANT, _REFUSED)
    if not client.is_active:
        raise DomainError(INVALID_GRANT, _REFUSED)
    return Principal(
        subject=f"client:{client.client_id}",
        role=Role.client,
        city_code=client.city_code,
        scopes=_narrow(frozenset(client.scopes.split()), scope),
    )
