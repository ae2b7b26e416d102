"""Canonical JSON, content hashes, Ed25519 detached JWS, JWKS and key rotation."""

import base64
import copy
import json
from datetime import date

import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from talent_service.core.signing import (
    CanonicalJSONError,
    b64url,
    canonical_json,
    content_hash,
    generate_private_key,
    jwks,
    key_id,
    load_private_key,
    load_public_key,
    private_key_to_pem,
    public_jwk,
    sign,
    thumbprint,
    verify,
)
from talent_service.eligibility.engine.evaluate import evaluate
from talent_service.eligibility.policies.defaults import default_policy

# RFC 8037 appendix A: an Ed25519 key, its thumbprint and a known signature.
RFC8037_D = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"
RFC8037_X = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
RFC8037_KID = "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
RFC8037_SIG = (
    "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg"
)


def decision() -> dict:
    """A stored decision as the database layer will sign it (dates as ISO strings)."""
    policy = default_policy("440300", "host", "hukou")
    facts = {
        "education": "master",
        "age_years": 38,
        "months_at_accredited_center": 14,
        "si_months_either": 9,
        "hukou_in_city": False,
    }
    result = evaluate(policy.validated_rule(), facts, policy.parameters).to_json()
    return {
        "decision_id": "0193a7d2-7c1e-7b7a-9f55-1d1f1f1f1f1f",
        "policy_key": policy.key,
        "policy_version": 1,
        "as_of": date(2025, 3, 1).isoformat(),
        "talent_id": "t-42",
        "requested_by": "bureau:440300:officer-7",
        **result,
    }


def leaf_paths(value, path=()):
    if isinstance(value, dict):
        for k, v in value.items():
            yield from leaf_paths(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from leaf_paths(v, (*path, i))
    else:
        yield path


def tampered(value):
    if value is None:
        return "x"
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return value + 1
    return value + "x"


def test_rfc8037_vectors_load_sign_and_thumbprint():
    key = load_private_key(RFC8037_D)
    assert public_jwk(key)["x"] == RFC8037_X
    assert thumbprint(RFC8037_X) == RFC8037_KID == key_id(key)
    signing_input = b"eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc"
    assert b64url(key.sign(signing_input)) == RFC8037_SIG


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (333333333.33333329, "333333333.3333333"),
        (1e30, "1e+30"),
        (4.50, "4.5"),
        (2e-3, "0.002"),
        (0.000000000000000000000000001, "1e-27"),
        (1e21, "1e+21"),
        (1e20, "100000000000000000000"),
        (1e-7, "1e-7"),
        (-0.0, "0"),
        (40.0, "40"),
        (-12.5, "-12.5"),
        (9007199254740991, "9007199254740991"),
    ],
)
def test_numbers_are_written_as_rfc8785_says(value, expected):
    assert canonical_json(value) == expected.encode()


def test_keys_are_sorted_by_utf16_code_units_and_text_is_raw_utf8():
    # RFC 8785 §3.2.3 sorting example.
    obj = {
        "\u20ac": "Euro Sign",
        "\r": "Carriage Return",
        "\ufb33": "Hebrew Letter Dalet With Dagesh",
        "1": "One",
        "\U0001f600": "Emoji: Grinning Face",
        "\u0080": "Control",
        "\u00f6": "Latin Small Letter O With Diaeresis",
    }
    keys = list(json.loads(canonical_json(obj)))
    assert keys == ["\r", "1", "\u0080", "\u00f6", "\u20ac", "\U0001f600", "\ufb33"]
    assert (
        canonical_json({"b": [1, True, None], "a": "年龄"})
        == '{"a":"年龄","b":[1,true,null]}'.encode()
    )


def test_strings_are_escaped_like_ecmascript():
    assert canonical_json('\x01\n"\\\x7f€') == '"\\u0001\\n\\"\\\\\x7f€"'.encode()


@pytest.mark.parametrize(
    "bad",
    [
        float("nan"),
        float("inf"),
        {1: "x"},
        date(2024, 1, 1),
        2**53,
        {"a": {"b": object()}},
        "\ud800",
    ],
)
def test_non_json_values_are_refused(bad):
    with pytest.raises(CanonicalJSONError):
        canonical_json(bad)


def test_content_hash_ignores_key_order_only():
    a = {"x": 1, "y": [1, 2]}
    b = {"y": [1, 2], "x": 1}
    assert content_hash(a) == content_hash(b)
    assert content_hash(a).startswith("sha256:") and len(content_hash(a)) == 7 + 64
    assert content_hash(a) != content_hash({"x": 1, "y": [2, 1]})


def test_signed_decision_verifies_and_carries_its_hash():
    key = generate_private_key()
    payload = decision()
    signature = sign(payload, key)
    doc = jwks([key.public_key()])
    assert signature.content_hash == content_hash(payload)
    assert signature.kid == doc["keys"][0]["kid"]
    assert verify(payload, signature.jws, signature.kid, doc)
    assert verify(payload, signature.jws, None, doc)
    assert verify(json.loads(json.dumps(payload)), signature.jws, signature.kid, doc)


def test_tampering_with_any_field_breaks_the_signature():
    key = generate_private_key()
    payload = decision()
    signature = sign(payload, key)
    doc = jwks([key])
    paths = list(leaf_paths(payload))
    assert len(paths) > 100
    for path in paths:
        changed = copy.deepcopy(payload)
        target = changed
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = tampered(target[path[-1]])
        assert not verify(changed, signature.jws, signature.kid, doc), path
    extra = {**payload, "note": "added later"}
    assert not verify(extra, signature.jws, signature.kid, doc)
    missing = {k: v for k, v in payload.items() if k != "talent_id"}
    assert not verify(missing, signature.jws, signature.kid, doc)


def test_tampered_or_malformed_signatures_are_refused():
    key = generate_private_key()
    payload = decision()
    sig = sign(payload, key)
    doc = jwks([key])
    protected, _, raw = sig.jws.split(".")
    flipped = raw[:-2] + ("A" if raw[-2] != "A" else "B") + raw[-1]
    evil_header = b64url(json.dumps({"alg": "none", "kid": sig.kid}).encode())
    for bad in (
        f"{protected}..{flipped}",
        f"{evil_header}..{raw}",
        f"{protected}.{b64url(b'{}')}.{raw}",
        "not-a-jws",
        f"{protected}..{raw}!",
        "",
    ):
        assert not verify(payload, bad, None, doc), bad
    assert not verify(payload, sig.jws, "some-other-kid", doc)
    other = generate_private_key()
    assert not verify(payload, sig.jws, sig.kid, jwks([other]))
    # A JWKS entry claiming the kid with another key is ignored (kid is a thumbprint).
    forged = {"keys": [{**public_jwk(other), "kid": sig.kid}]}
    assert not verify(payload, sig.jws, sig.kid, forged)


def test_rotation_keeps_old_decisions_verifiable_while_the_old_key_is_published():
    old, new = generate_private_key(), generate_private_key()
    payload = decision()
    old_sig = sign(payload, old)
    new_sig = sign({**payload, "decision_id": "later"}, new)
    published = jwks([new.public_key(), old.public_key()])
    assert [k["kid"] for k in published["keys"]] == [key_id(new), key_id(old)]
    assert old_sig.kid != new_sig.kid
    assert verify(payload, old_sig.jws, old_sig.kid, published)
    assert verify({**payload, "decision_id": "later"}, new_sig.jws, new_sig.kid, published)
    assert not verify(payload, old_sig.jws, old_sig.kid, jwks([new]))


def test_jwks_shape():
    key = load_private_key(RFC8037_D)
    assert jwks([key, key.public_key()]) == {
        "keys": [
            {
                "kty": "OKP",
                "crv": "Ed25519",
                "x": RFC8037_X,
                "kid": RFC8037_KID,
                "alg": "EdDSA",
                "use": "sig",
            }
        ]
    }


def test_keys_load_from_pem_and_base64_forms():
    key = generate_private_key()
    pem = private_key_to_pem(key)
    assert key_id(load_private_key(pem)) == key_id(key)
    seed = key.private_bytes_raw()
    assert key_id(load_private_key(base64.b64encode(seed).decode())) == key_id(key)
    assert key_id(load_private_key(b64url(seed))) == key_id(key)
    public_pem = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    assert key_id(load_public_key(public_pem)) == key_id(key)
    assert key_id(load_public_key(public_jwk(key))) == key_id(key)
    for bad in ("not base64 !!", b64url(b"short"), ""):
        with pytest.raises(ValueError):
            load_private_key(bad)


def test_a_standard_jose_library_verifies_the_detached_jws():
    key = generate_private_key()
    payload = decision()
    sig = sign(payload, key)
    protected, _, raw = sig.jws.split(".")
    attached = f"{protected}.{b64url(canonical_json(payload))}.{raw}"
    jwk = jwt.PyJWK(public_jwk(key))
    decoded = jwt.api_jws.PyJWS().decode_complete(attached, jwk.key, algorithms=["EdDSA"])
    assert json.loads(decoded["payload"]) == payload
    assert decoded["header"] == {"alg": "EdDSA", "kid": sig.kid}
