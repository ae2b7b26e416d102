"""Canonical JSON, content hashes and Ed25519 signatures that other systems can check offline.

决定的签名：规范化 JSON（RFC 8785 JCS）+ SHA-256 内容摘要 + Ed25519 分离式 JWS；公钥以 JWKS 发布，
kid 为 RFC 7638 指纹，轮换密钥后旧 kid 继续发布，旧决定仍可验证。

Format chosen: a *detached* compact JWS (RFC 7515 appendix F) with the ordinary base64url
payload encoding: ``<protected>..<signature>`` where the protected header is
``{"alg":"EdDSA","kid":"<kid>"}`` and the signing input is
``<protected> + "." + base64url(canonical_json(payload))``. Any JOSE library verifies it by
putting the base64url payload back between the dots. The payload bytes are RFC 8785 (JCS)
canonical JSON: keys sorted by UTF-16 code units, no whitespace, UTF-8, non-ASCII kept as is,
numbers in ECMAScript form; NaN/Infinity, non-string keys, integers beyond 2**53 and
non-JSON types are refused (put dates and big ids in as strings).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from json.encoder import encode_basestring as _encode_str
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

ALG = "EdDSA"
_MAX_SAFE_INT = 2**53 - 1
_MAX_DEPTH = 64


class CanonicalJSONError(ValueError):
    """The payload cannot be put in canonical form."""


# --- canonical JSON ---------------------------------------------------------------------------


def _es_number(x: float) -> str:
    """A finite float as ECMAScript's Number.prototype.toString writes it (RFC 8785 §3.2.2.3)."""
    if x == 0:
        return "0"
    sign = "-" if x < 0 else ""
    # repr() gives the shortest round-tripping digits, as ECMAScript requires.
    t = Decimal(repr(abs(x))).normalize().as_tuple()
    assert isinstance(t.exponent, int)
    digits = "".join(map(str, t.digits))
    k = len(digits)
    n = t.exponent + k  # value = 0.<digits> * 10**n
    if k <= n <= 21:
        body = digits + "0" * (n - k)
    elif 0 < n <= 21:
        body = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        body = "0." + "0" * (-n) + digits
    else:
        e = n - 1
        mantissa = digits[0] + ("." + digits[1:] if k > 1 else "")
        body = f"{mantissa}e{'+' if e >= 0 else '-'}{abs(e)}"
    return sign + body


def _utf16_key(key: str) -> bytes:
    return key.encode("utf-16-be", "surrogatepass")


def _emit(value: Any, out: list[str], depth: int) -> None:
    # Strings first: they are most of a decision. encode_basestring is json's C escaper with
    # ensure_ascii=False semantics, the same escaping RFC 8785 asks for.
    if isinstance(value, str):
        out.append(_encode_str(value))
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        if abs(value) > _MAX_SAFE_INT:
            raise CanonicalJSONError("integer beyond 2**53; send it as a string")
        out.append(str(int(value)))
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise CanonicalJSONError("NaN and Infinity are not JSON")
        out.append(_es_number(value))
    elif depth >= _MAX_DEPTH:
        raise CanonicalJSONError("payload nests too deeply")
    elif isinstance(value, list | tuple):
        out.append("[")
        for i, item in enumerate(value):
            if i:
                out.append(",")
            _emit(item, out, depth + 1)
        out.append("]")
    elif isinstance(value, Mapping):
        keys = list(value)
        if not all(isinstance(k, str) for k in keys):
            bad = next(k for k in keys if not isinstance(k, str))
            raise CanonicalJSONError(f"object key {bad!r} is not a string")
        # Code-point order equals UTF-16 order unless a key leaves the BMP.
        if all(k.isascii() for k in keys):
            keys.sort()
        else:
            keys.sort(key=_utf16_key)
        out.append("{")
        for i, key in enumerate(keys):
            if i:
                out.append(",")
            out.append(_encode_str(key))
            out.append(":")
            _emit(value[key], out, depth + 1)
        out.append("}")
    else:
        raise CanonicalJSONError(f"{type(value).__name__} is not a JSON type")


def canonical_json(payload: Any) -> bytes:
    """RFC 8785 canonical UTF-8 bytes of a JSON-shaped value."""
    out: list[str] = []
    _emit(payload, out, 0)
    try:
        return "".join(out).encode("utf-8")
    except UnicodeEncodeError as exc:  # lone surrogates
        raise CanonicalJSONError("string is not valid Unicode") from exc


def content_hash(payload: Any) -> str:
    """``"sha256:<hex>"`` of the canonical JSON of ``payload``."""
    return "sha256:" + hashlib.sha256(canonical_json(payload)).hexdigest()


# --- keys -------------------------------------------------------------------------------------


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Strict base64url (padding optional); anything outside the alphabet is refused."""
    padded = text + "=" * (-len(text) % 4)
    return base64.b64decode(padded, altchars=b"-_", validate=True)


def generate_private_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def private_key_to_pem(key: Ed25519PrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")


def _raw(text: str) -> bytes:
    cleaned = "".join(text.split())
    try:
        return b64url_decode(cleaned.replace("+", "-").replace("/", "_").rstrip("="))
    except (binascii.Error, ValueError) as exc:
        raise ValueError("key is neither PEM nor base64 of 32 raw bytes") from exc


def load_private_key(text: str) -> Ed25519PrivateKey:
    """From PKCS#8 PEM, or from base64/base64url of the 32-byte seed (e.g. an env variable)."""
    if text.lstrip().startswith("-----BEGIN"):
        key = serialization.load_pem_private_key(text.encode("ascii"), password=None)
    else:
        raw = _raw(text)
        if len(raw) != 32:
            raise ValueError("an Ed25519 private key has 32 raw bytes")
        key = Ed25519PrivateKey.from_private_bytes(raw)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("not an Ed25519 private key")
    return key


def load_public_key(source: str | Mapping[str, Any]) -> Ed25519PublicKey:
    """From SubjectPublicKeyInfo PEM, base64/base64url of 32 raw bytes, or an OKP JWK."""
    if isinstance(source, Mapping):
        if source.get("kty") != "OKP" or source.get("crv") != "Ed25519":
            raise ValueError("not an Ed25519 OKP JWK")
        raw = b64url_decode(str(source.get("x", "")))
    elif source.lstrip().startswith("-----BEGIN"):
        key = serialization.load_pem_public_key(source.encode("ascii"))
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError("not an Ed25519 public key")
        return key
    else:
        raw = _raw(source)
    if len(raw) != 32:
        raise ValueError("an Ed25519 public key has 32 raw bytes")
    return Ed25519PublicKey.from_public_bytes(raw)


def _public(key: Ed25519PublicKey | Ed25519PrivateKey) -> Ed25519PublicKey:
    return key.public_key() if isinstance(key, Ed25519PrivateKey) else key


def _x(key: Ed25519PublicKey) -> str:
    return b64url(key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))


def thumbprint(x: str) -> str:
    """RFC 7638 JWK thumbprint (SHA-256) of an Ed25519 key given by its ``x``."""
    members = canonical_json({"crv": "Ed25519", "kty": "OKP", "x": x})
    return b64url(hashlib.sha256(members).digest())


def key_id(key: Ed25519PublicKey | Ed25519PrivateKey) -> str:
    return thumbprint(_x(_public(key)))


def public_jwk(key: Ed25519PublicKey | Ed25519PrivateKey) -> dict[str, str]:
    x = _x(_public(key))
    return {"kty": "OKP", "crv": "Ed25519", "x": x, "kid": thumbprint(x), "alg": ALG, "use": "sig"}


def jwks(public_keys: Iterable[Ed25519PublicKey | Ed25519PrivateKey]) -> dict[str, Any]:
    """The JWKS for ``/.well-known/jwks.json``: publish the current key and every retired key
    that signed decisions still worth verifying."""
    seen: dict[str, dict[str, str]] = {}
    for key in public_keys:
        jwk = public_jwk(key)
        seen.setdefault(jwk["kid"], jwk)
    return {"keys": list(seen.values())}


# --- sign / verify ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Signature:
    kid: str
    jws: str  # detached compact JWS: "<protected>..<signature>"
    content_hash: str  # "sha256:<hex>" of the same canonical bytes
    alg: str = ALG

    def to_json(self) -> dict[str, str]:
        return {
            "alg": self.alg,
            "kid": self.kid,
            "jws": self.jws,
            "content_hash": self.content_hash,
        }


def sign(payload: Any, private_key: Ed25519PrivateKey) -> Signature:
    """Sign the canonical JSON of ``payload`` (the stored decision, minus its signature)."""
    body = canonical_json(payload)
    kid = key_id(private_key)
    protected = b64url(canonical_json({"alg": ALG, "kid": kid}))
    signing_input = f"{protected}.{b64url(body)}".encode("ascii")
    sig = b64url(private_key.sign(signing_input))
    return Signature(
        kid=kid,
        jws=f"{protected}..{sig}",
        content_hash="sha256:" + hashlib.sha256(body).hexdigest(),
    )


def verify(payload: Any, signature: str, kid: str | None, jwks_doc: Mapping[str, Any]) -> bool:
    """True when ``signature`` (a detached JWS from :func:`sign`) signs ``payload`` with a key
    of ``jwks_doc`` whose kid is the header's (and equals ``kid`` when one is given).

    Every malformed input gives False rather than an exception: a verifier only needs yes/no.
    """
    try:
        protected, middle, sig = signature.split(".")
        body = canonical_json(payload)
        encoded_body = b64url(body)
        if middle not in ("", encoded_body):
            return False
        header = json.loads(b64url_decode(protected))
        if not isinstance(header, dict) or header.get("alg") != ALG or "crit" in header:
            return False
        header_kid = header.get("kid")
        if not isinstance(header_kid, str) or (kid is not None and kid != header_kid):
            return False
        for jwk in jwks_doc.get("keys", ()):
            if not isinstance(jwk, Mapping) or jwk.get("kid") != header_kid:
                continue
            # The kid is a thumbprint: a JWKS entry whose key does not hash to it is ignored.
            if thumbprint(str(jwk.get("x", ""))) != header_kid:
                continue
            key = load_public_key(jwk)
            key.verify(b64url_decode(sig), f"{protected}.{encoded_body}".encode("ascii"))
            return True
        return False
    except (ValueError, TypeError, binascii.Error, InvalidSignature, CanonicalJSONError):
        return False
