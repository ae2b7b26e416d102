"""Bearer token → Principal, with a small cache of verified tokens.

A token's signature is verified once per process; later requests with the same token reuse the
result until it expires. That keeps the hot reads free of signature checks and database look-ups.
Whether the token still counts (not revoked, its account's tokens not ended) is asked of the
worker's revocation snapshot on every request (auth/revocations.py).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime

import jwt

from talent_service.auth.principal import Principal
from talent_service.core import clock
from talent_service.core.errors import UNAUTHENTICATED, DomainError
from talent_service.core.security import decode_token

_CACHE_SIZE = 4096


@dataclass(frozen=True, slots=True)
class VerifiedToken:
    principal: Principal
    expires: float  # seconds since the epoch
    jti: str | None  # tokens issued before revocation existed have none
    version: int  # the account's token version when it was issued

    @property
    def expires_at(self) -> datetime:
        return datetime.fromtimestamp(self.expires, UTC)


_cache: OrderedDict[str, VerifiedToken] = OrderedDict()


def verified_token(token: str) -> VerifiedToken:
    hit = _cache.get(token)
    if hit is not None and hit.expires > clock.timestamp():
        return hit
    try:
        claims = decode_token(token)
        jti, version = claims.get("jti"), claims.get("ver", 0)
        verified = VerifiedToken(
            principal=Principal.from_claims(claims),
            expires=float(claims["exp"]),
            jti=str(jti) if jti is not None else None,
            version=version if isinstance(version, int) else 0,
        )
    except (jwt.InvalidTokenError, KeyError, ValueError) as exc:
        raise DomainError(
            UNAUTHENTICATED, "The access token is missing, invalid or expired."
        ) from exc
    _cache[token] = verified
    if len(_cache) > _CACHE_SIZE:
        _cache.popitem(last=False)
    return verified
