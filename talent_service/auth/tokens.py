"""Bearer token → Principal, with a small cache of verified tokens.

A token is verified once per process; later requests with the same token reuse the result until
it expires. That keeps the hot reads free of signature checks and database look-ups.
"""

from __future__ import annotations

from collections import OrderedDict

import jwt

from talent_service.auth.principal import Principal
from talent_service.core import clock
from talent_service.core.errors import UNAUTHENTICATED, DomainError
from talent_service.core.security import decode_token

_CACHE_SIZE = 4096
_cache: OrderedDict[str, tuple[Principal, float]] = OrderedDict()


def principal_from_token(token: str) -> Principal:
    hit = _cache.get(token)
    now = clock.timestamp()
    if hit is not None and hit[1] > now:
        return hit[0]
    try:
        claims = decode_token(token)
        principal = Principal.from_claims(claims)
    except (jwt.InvalidTokenError, KeyError, ValueError) as exc:
        raise DomainError(
            UNAUTHENTICATED, "The access token is missing, invalid or expired."
        ) from exc
    _cache[token] = (principal, float(claims["exp"]))
    if len(_cache) > _CACHE_SIZE:
        _cache.popitem(last=False)
    return principal
