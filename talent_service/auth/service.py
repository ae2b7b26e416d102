"""Credential checks for the token endpoint: the only place users and clients are read.

Sign-in is split in three so that the password hash (Argon2, tens of MiB) runs outside any
transaction: ``find_*`` reads the account, ``credentials_accepted`` hashes, ``grant`` shapes the
principal. The route records the outcome in between (auth/throttle.py).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlmodel import Session, select

from talent_service.auth.principal import ROLE_SCOPES, Principal
from talent_service.core.errors import INVALID_GRANT, DomainError
from talent_service.core.security import verify_password
from talent_service.models import Client, Firm, User
from talent_service.reference.enums import Role, SignUpState

REFUSED = "The credentials were not accepted."


@dataclass(frozen=True)
class Account:
    """What sign-in needs of a user or client; ``principal`` is None when there is no such one."""

    secret_hash: str | None
    is_active: bool
    token_version: int
    principal: Principal | None


def _plain(value: str) -> str:
    # A NUL or other control character can be no one's name, and PostgreSQL refuses a NUL in a
    # text parameter: refuse it here as a bad credential instead of letting it reach the query.
    if any(ord(ch) < 32 or ord(ch) == 0x7F for ch in value):
        raise DomainError(INVALID_GRANT, REFUSED)
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


_NOBODY = Account(secret_hash=None, is_active=False, token_version=0, principal=None)


def find_user(session: Session, username: str) -> Account:
    user = session.exec(select(User).where(User.username == _plain(username))).first()
    if user is None:
        return _NOBODY
    sign_up = None
    if user.firm_id is not None:
        # The token says whether the firm was approved when it was issued; an approval made
        # later reaches a pending token through the workers' snapshot (auth/approval.py).
        state = session.exec(select(Firm.sign_up_state).where(Firm.id == user.firm_id)).one()
        sign_up = None if state == SignUpState.approved else SignUpState(state)
    principal = Principal(
        subject=f"user:{user.id}",
        role=user.role,
        city_code=user.city_code,
        firm_id=user.firm_id,
        scopes=ROLE_SCOPES[user.role],
        sign_up=sign_up,
    )
    return Account(user.password_hash, user.is_active, user.token_version, principal)


def find_client(session: Session, client_id: str) -> Account:
    client = session.exec(select(Client).where(Client.client_id == _plain(client_id))).first()
    if client is None:
        return _NOBODY
    principal = Principal(
        subject=f"client:{client.client_id}",
        role=Role.client,
        city_code=client.city_code,
        scopes=frozenset(client.scopes.split()),
    )
    return Account(client.secret_hash, client.is_active, client.token_version, principal)


def credentials_accepted(account: Account, secret: str) -> bool:
    """Argon2 runs even for unknown names, so timing does not reveal them; an inactive account's
    right password is refused like a wrong one."""
    return verify_password(secret, account.secret_hash) and account.is_active


def grant(account: Account, scope: str | None) -> Principal:
    """The principal a token is issued to, narrowed to the requested scopes."""
    assert account.principal is not None  # only called once the credentials were accepted
    principal = account.principal
    return replace(principal, scopes=_narrow(principal.scopes, scope))
