"""Rotating the decision-signing key: the new key signs, the old one stays published, and
decisions signed before the rotation still verify; a key outside the JWKS never verifies."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient
from sqlmodel import Session

from talent_service.core import config, signing_keys
from talent_service.core.signing import (
    generate_private_key,
    key_id,
    private_key_to_pem,
    sign,
    verify,
)
from talent_service.eligibility.policies.store import load_default_policies
from talent_service.models import Talent
from tests.factories import SHANTOU, SHENZHEN, Factory


def _clear() -> None:
    config.get_settings.cache_clear()
    signing_keys._keys.cache_clear()
    signing_keys.published_jwks.cache_clear()


@pytest.fixture
def use_keys(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., None]]:
    """Set TALENT_DECISION_KEYS (first signs) as an operator would, and drop cached settings."""

    def use(*private_keys: Ed25519PrivateKey) -> None:
        monkeypatch.setenv(
            "TALENT_DECISION_KEYS", ",".join(private_key_to_pem(k) for k in private_keys)
        )
        _clear()

    yield use
    monkeypatch.delenv("TALENT_DECISION_KEYS", raising=False)
    _clear()


@pytest.fixture
def talent(session: Session, make: Factory) -> Talent:
    load_default_policies(session)
    firm = make.firm(SHANTOU)
    talent = make.talent(firm)
    make.employment(talent, firm, make.center(firm, SHENZHEN), hired_on=date(2023, 1, 10))
    return talent


def decide(client: TestClient, make: Factory, talent: Talent) -> dict[str, Any]:
    r = client.post(
        "/v1/eligibility/checks",
        json={"talent_id": talent.id, "benefit": "hukou", "side": "host", "as_of": "2025-06-30"},
        headers=make.province(),
    )
    assert r.status_code == 201, r.text
    (decision,) = r.json()["decisions"]
    # The whole document as signed (the check's answer withholds the age: eligibility/disclosure).
    whole = client.get(
        f"/v1/eligibility/decisions/{decision['id']}/document", headers=make.province()
    )
    assert whole.status_code == 200, whole.text
    return dict(whole.json())


def verifies(decision: dict[str, Any], jwks: dict[str, Any]) -> bool:
    sig = decision["signature"]
    return verify(decision["document"], sig["jws"], sig["kid"], jwks)


def test_old_decisions_verify_after_rotation_and_new_ones_carry_the_new_kid(
    client: TestClient, make: Factory, talent: Talent, use_keys: Callable[..., None]
) -> None:
    a, b = generate_private_key(), generate_private_key()
    use_keys(a)
    jwks_a = client.get("/.well-known/jwks.json").json()
    assert [k["kid"] for k in jwks_a["keys"]] == [key_id(a)]
    old = decide(client, make, talent)
    assert old["signature"]["kid"] == key_id(a)
    assert verifies(old, jwks_a)

    use_keys(b, a)
    jwks = client.get("/.well-known/jwks.json").json()
    assert [k["kid"] for k in jwks["keys"]] == [key_id(b), key_id(a)]
    for jwk in jwks["keys"]:
        assert (jwk["kty"], jwk["crv"], jwk["alg"], jwk["use"]) == (
            "OKP",
            "Ed25519",
            "EdDSA",
            "sig",
        )
        assert "d" not in jwk  # never the private part
    # The stored decision, read back after the rotation, still verifies.
    stored = client.get(
        f"/v1/eligibility/decisions/{old['id']}/document", headers=make.province()
    ).json()
    assert stored == old
    assert verifies(stored, jwks)
    # New decisions and their attestations are signed with B.
    new = decide(client, make, talent)
    assert new["signature"]["kid"] == key_id(b)
    assert verifies(new, jwks)
    assert not verifies(new, jwks_a)  # B was not published before the rotation
    att = client.get(
        f"/v1/eligibility/decisions/{new['id']}/attestation", headers=make.province()
    ).json()
    assert att["signature"]["kid"] == key_id(b)
    assert verify(att["attestation"], att["signature"]["jws"], att["signature"]["kid"], jwks)

    # Retiring A for good (dropping it from the JWKS) stops its decisions from verifying.
    use_keys(b)
    only_b = client.get("/.well-known/jwks.json").json()
    assert not verifies(old, only_b)
    assert verifies(new, only_b)


def test_a_decision_signed_by_a_key_outside_the_jwks_fails(
    client: TestClient, make: Factory, talent: Talent, use_keys: Callable[..., None]
) -> None:
    a, stranger = generate_private_key(), generate_private_key()
    use_keys(a)
    decision = decide(client, make, talent)
    jwks = client.get("/.well-known/jwks.json").json()
    forged = sign(decision["document"], stranger)
    assert not verify(decision["document"], forged.jws, forged.kid, jwks)
    assert not verify(decision["document"], forged.jws, None, jwks)
    # Claiming A's kid on the stranger's signature does not help either.
    assert not verify(decision["document"], forged.jws, key_id(a), jwks)
    header, _, sig = forged.jws.partition("..")
    real_header = decision["signature"]["jws"].partition("..")[0]
    assert not verify(decision["document"], f"{real_header}..{sig}", key_id(a), jwks)
    assert verifies(decision, jwks)
