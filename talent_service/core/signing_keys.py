"""Signing keys from settings (decisions, audit checkpoints): the first signs; all are published,
so what was signed before a rotation still verifies."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from talent_service.core.config import get_settings
from talent_service.core.signing import jwks, load_private_key


@lru_cache
def _keys() -> tuple[Ed25519PrivateKey, ...]:
    return tuple(load_private_key(k.get_secret_value()) for k in get_settings().decision_keys)


def signing_key() -> Ed25519PrivateKey:
    return _keys()[0]


@lru_cache
def published_jwks() -> dict[str, Any]:
    return jwks(_keys())
