"""Passwords, access tokens and field encryption."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from typing import Any

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from talent_service.core import clock
from talent_service.core.config import get_settings
from talent_service.core.errors import throttled

TOKEN_ALGORITHM = "HS256"  # noqa: S105 - names, not secrets
TOKEN_ISSUER = "talent-service"  # noqa: S105


_argon2_made = threading.Lock()


@lru_cache
def _argon2_once() -> tuple[PasswordHasher, str]:
    hasher = PasswordHasher(memory_cost=get_settings().password_hash_memory_kib)
    return hasher, hasher.hash("not-a-real-password")


def _argon2() -> tuple[PasswordHasher, str]:
    """The hasher (its memory cost from the settings) and a dummy hash verified against when the
    username is unknown, so both paths cost the same Argon2 work. A stored hash carries its own
    parameters, so changing the cost changes new hashes only. Made under a lock: a burst's first
    requests would otherwise each hash the dummy at once, outside the slots' bound."""
    with _argon2_made:
        return _argon2_once()


@lru_cache
def _hash_slots() -> threading.BoundedSemaphore:
    return threading.BoundedSemaphore(get_settings().password_hash_concurrency)


@contextmanager
def _hash_slot() -> Iterator[None]:
    """One of the worker's few Argon2 slots. A burst waits briefly, then is told to come back:
    a queue without a bound would let a burst of sign-ins hold the memory of every hash."""
    slots = _hash_slots()
    if not slots.acquire(timeout=get_settings().password_hash_wait_seconds):
        raise throttled("Too many sign-ins at this moment; try again shortly.", 1)
    try:
        yield
    finally:
        slots.release()


def hash_password(password: str) -> str:
    with _hash_slot():
        return _argon2()[0].hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    hasher, dummy = _argon2()
    with _hash_slot():
        try:
            return hasher.verify(password_hash or dummy, password) and password_hash is not None
        except (VerificationError, InvalidHashError):
            return False


def issue_token(claims: dict[str, Any], *, lifetime: timedelta | None = None) -> tuple[str, int]:
    settings = get_settings()
    lifetime = lifetime or timedelta(minutes=settings.token_lifetime_minutes)
    now = clock.now()
    # jti names this token, so that it alone can be revoked (auth/revocations.py).
    payload = {
        "jti": secrets.token_urlsafe(16),
        **claims,
        "iss": TOKEN_ISSUER,
        "iat": now,
        "exp": now + lifetime,
    }
    token = jwt.encode(payload, settings.secret_key.get_secret_value(), algorithm=TOKEN_ALGORITHM)
    return token, int(lifetime.total_seconds())


def decode_token(token: str) -> dict[str, Any]:
    """Verify signature, issuer and expiry; raises ``jwt.InvalidTokenError``."""
    return jwt.decode(
        token,
        get_settings().secret_key.get_secret_value(),
        algorithms=[TOKEN_ALGORITHM],
        issuer=TOKEN_ISSUER,
        options={"require": ["exp", "iat", "sub", "role"]},
    )


@dataclass(frozen=True)
class FieldKeys:
    encryption: bytes
    lookup: bytes


@lru_cache
def _field_keys() -> FieldKeys:
    # Two independent keys derived from one configured secret: one encrypts, one hashes.
    secret = get_settings().field_key.get_secret_value().encode()
    return FieldKeys(
        encryption=hmac.new(secret, b"talent-service/field-encryption", hashlib.sha256).digest(),
        lookup=hmac.new(secret, b"talent-service/field-lookup", hashlib.sha256).digest(),
    )


def encrypt_bytes(plaintext: bytes) -> bytes:
    nonce = os.urandom(12)
    return nonce + AESGCM(_field_keys().encryption).encrypt(nonce, plaintext, None)


def decrypt_bytes(ciphertext: bytes) -> bytes:
    nonce, body = ciphertext[:12], ciphertext[12:]
    return AESGCM(_field_keys().encryption).decrypt(nonce, body, None)


def encrypt_field(plaintext: str) -> bytes:
    return encrypt_bytes(plaintext.encode())


def decrypt_field(ciphertext: bytes) -> str:
    return decrypt_bytes(ciphertext).decode()


def lookup_hash(value: str) -> str:
    """Keyed hash for equality look-ups; useless without the key, unlike a plain SHA-256."""
    return hmac.new(_field_keys().lookup, value.encode(), hashlib.sha256).hexdigest()


def new_client_secret() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=").decode()
