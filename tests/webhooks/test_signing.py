from __future__ import annotations

import pytest
from standardwebhooks import Webhook, WebhookVerificationError

from talent_service.core import clock
from talent_service.core.signing import generate_private_key, jwks
from talent_service.webhooks.signing import headers, new_secret, verify_v1a

BODY = '{"id":"evt_1","type":"employment.started"}'


def test_v1_verifies_with_the_standard_webhooks_library() -> None:
    secret = new_secret()
    now = int(clock.timestamp())
    signed = headers("evt_1", now, BODY, [secret], generate_private_key())
    assert secret.startswith("whsec_")
    Webhook(secret).verify(BODY, signed)
    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret()).verify(BODY, signed)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(BODY + " ", signed)


def test_v1a_verifies_with_the_published_key_only() -> None:
    key, other = generate_private_key(), generate_private_key()
    signed = headers("evt_1", 1_700_000_000, BODY, [new_secret()], key)
    assert verify_v1a(jwks([key]), signed, BODY)
    assert verify_v1a(jwks([other, key]), signed, BODY)  # after a rotation: every key tried
    assert not verify_v1a(jwks([other]), signed, BODY)
    assert not verify_v1a(jwks([key]), signed, BODY.replace("started", "ended"))
    assert not verify_v1a(jwks([key]), {**signed, "webhook-id": "evt_2"}, BODY)


def test_during_an_overlap_old_and_new_secrets_both_verify() -> None:
    old, new = new_secret(), new_secret()
    now = int(clock.timestamp())
    signed = headers("evt_1", now, BODY, [new, old], generate_private_key())
    assert signed["webhook-signature"].count("v1,") == 2
    Webhook(old).verify(BODY, signed)
    Webhook(new).verify(BODY, signed)
