"""Accounts for people and machine clients (used by the CLI and the demo): created,
deactivated, given a new password or secret."""

from __future__ import annotations

import secrets

from sqlmodel import Session, select

from talent_service.auth.principal import CLIENT_GRANTABLE_SCOPES
from talent_service.cities.service import require_city
from talent_service.core import clock
from talent_service.core.errors import conflict, not_found, rule_violation
from talent_service.core.security import hash_password, new_client_secret
from talent_service.models import Client, Firm, User
from talent_service.reference.enums import Role

MIN_PASSWORD = 10


def create_user(
    session: Session,
    username: str,
    role: Role,
    password: str,
    *,
    city_code: str | None = None,
    firm_id: int | None = None,
) -> User:
    if len(password) < MIN_PASSWORD:
        raise rule_violation("password", f"at least {MIN_PASSWORD} characters")
    if role is Role.client:
        raise rule_violation("role", "machine clients are created with create-client")
    if role is Role.bureau:
        if city_code is None:
            raise rule_violation("city", "a bureau account is bound to a city")
        require_city(session, city_code, "city")
    elif city_code is not None:
        raise rule_violation("city", "only bureau accounts are bound to a city")
    if role is Role.firm:
        if firm_id is None or session.get(Firm, firm_id) is None:
            raise rule_violation("firm_id", "a firm account is bound to an existing firm")
    elif firm_id is not None:
        raise rule_violation("firm_id", "only firm accounts are bound to a firm")
    if session.exec(select(User.id).where(User.username == username)).first() is not None:
        raise conflict(f"username {username!r} is taken", "username")
    user = User(
        username=username,
        password_hash=hash_password(password),
        role=role,
        city_code=city_code,
        firm_id=firm_id,
    )
    session.add(user)
    session.flush()
    return user


def create_client(
    session: Session, name: str, scopes: list[str], *, city_code: str | None = None
) -> tuple[Client, str]:
    unknown = set(scopes) - CLIENT_GRANTABLE_SCOPES
    if unknown or not scopes:
        raise rule_violation(
            "scope", f"grant one or more of {', '.join(sorted(CLIENT_GRANTABLE_SCOPES))}"
        )
    if city_code is not None:
        require_city(session, city_code, "city")
    secret = new_client_secret()
    client = Client(
        client_id="cl_" + secrets.token_hex(8),
        secret_hash=hash_password(secret),
        name=name,
        scopes=" ".join(sorted(set(scopes))),
        city_code=city_code,
    )
    session.add(client)
    session.flush()
    return client, secret


# --- ending an account's tokens ------------------------------------------------------------
# Each of these bumps the account's token version: tokens issued before are refused by every
# worker within TALENT_TOKEN_REVOCATION_REFRESH_SECONDS (auth/revocations.py).


def _end_tokens(account: User | Client) -> None:
    account.token_version += 1
    account.tokens_changed_at = clock.now()


def _user(session: Session, username: str) -> User:
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None:
        raise not_found("user", repr(username))
    return user


def _client(session: Session, client_id: str) -> Client:
    client = session.exec(select(Client).where(Client.client_id == client_id)).first()
    if client is None:
        raise not_found("client", repr(client_id))
    return client


def deactivate_user(session: Session, username: str) -> User:
    user = _user(session, username)
    user.is_active = False
    _end_tokens(user)
    session.flush()
    return user


def set_password(session: Session, username: str, password: str) -> User:
    if len(password) < MIN_PASSWORD:
        raise rule_violation("password", f"at least {MIN_PASSWORD} characters")
    user = _user(session, username)
    user.password_hash = hash_password(password)
    _end_tokens(user)
    session.flush()
    return user


def deactivate_client(session: Session, client_id: str) -> Client:
    client = _client(session, client_id)
    client.is_active = False
    _end_tokens(client)
    session.flush()
    return client


def rotate_client_secret(session: Session, client_id: str) -> tuple[Client, str]:
    """A new secret; the old one, and every token issued with it, stop working."""
    client = _client(session, client_id)
    secret = new_client_secret()
    client.secret_hash = hash_password(secret)
    _end_tokens(client)
    session.flush()
    return client, secret
