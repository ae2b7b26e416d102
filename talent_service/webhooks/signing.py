"""Standard Webhooks signatures: ``v1`` (HMAC-SHA256, the subscription's ``whsec_`` secret) and
``v1a`` (Ed25519, the service's signing key, whose public half is in ``/.well-known/jwks.json``).

Both sign ``{webhook-id}.{webhook-timestamp}.{body}``. The Ed25519 key is the one that signs
decisions and audit checkpoints (``core/signing_keys.py``): one key to keep, rotate and publish.
Signatures cannot be confused across those uses: a webhook's signed content begins with its
``evt_`` id, a JWS signing input with ``eyJ`` (base64url of ``{"``), so neither is ever the other.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from collections.abc import Iterable, Mapping
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from talent_service.core.signing import load_public_key

SECRET_PREFIX = "whsec_"  # noqa: S105 - the format's prefix, not a secret
SECRET_BYTES = 32


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def _secret_key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX))


def signed_content(msg_id: str, timestamp: int, body: str) -> bytes:
    return f"{msg_id}.{timestamp}.{body}".encode()


def sign_v1(secret: str, msg_id: str, timestamp: int, body: str) -> str:
    mac = hmac.new(_secret_key(secret), signed_content(msg_id, timestamp, body), hashlib.sha256)
    return "v1," + base64.b64encode(mac.digest()).decode("ascii")


def sign_v1a(key: Ed25519PrivateKey, msg_id: str, timestamp: int, body: str) -> str:
    signature = key.sign(signed_content(msg_id, timestamp, body))
    return "v1a," + base64.b64encode(signature).decode("ascii")


def headers(
    msg_id: str, timestamp: int, body: str, secrets_now: Iterable[str], key: Ed25519PrivateKey
) -> dict[str, str]:
    """The three Standard Webhooks headers; during a secret rotation's overlap both the new
    and the previous secret sign (``secrets_now``), so a receiver holding either accepts."""
    signatures = [sign_v1(s, msg_id, timestamp, body) for s in secrets_now]
    signatures.append(sign_v1a(key, msg_id, timestamp, body))
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(signatures),
        "content-type": "application/json",
    }


def verify_v1a(jwks_doc: Mapping[str, Any], headers_in: Mapping[str, str], body: str) -> bool:
    """True when a ``v1a`` signature of the request verifies with a key of ``jwks_doc`` (what a
    receiver does with the published JWKS; the header carries no kid, so every key is tried)."""
    msg_id = headers_in.get("webhook-id", "")
    try:
        timestamp = int(headers_in.get("webhook-timestamp", ""))
    except ValueError:
        return False
    content = signed_content(msg_id, timestamp, body)
    for item in headers_in.get("webhook-signature", "").split():
        version, _, encoded = item.partition(",")
        if version != "v1a":
            continue
        for jwk in jwks_doc.get("keys", ()):
            try:
                load_public_key(jwk).verify(base64.b64decode(encoded, validate=True), content)
                return True
            except (ValueError, binascii.Error, InvalidSignature):
                continue
    return False
