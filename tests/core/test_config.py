"""Settings: typed, from TALENT_*; production refuses development secrets."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from talent_service.core.config import Settings


def test_production_refuses_development_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TALENT_ENVIRONMENT", "production")
    with pytest.raises(ValidationError) as info:
        Settings()
    message = str(info.value)
    assert "TALENT_SECRET_KEY" in message and "TALENT_FIELD_KEY" in message


def test_production_starts_with_its_own_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TALENT_ENVIRONMENT", "production")
    monkeypatch.setenv("TALENT_SECRET_KEY", "s" * 40)
    monkeypatch.setenv("TALENT_FIELD_KEY", "f" * 40)
    monkeypatch.setenv("TALENT_DECISION_KEYS", "a2V5LW9uZS1rZXktb25lLWtleS1vbmUta2V5LW9uZSE,b")
    settings = Settings()
    assert settings.environment == "production"
    assert [k.get_secret_value() for k in settings.decision_keys][1] == "b"


def test_short_token_key_refused_in_production(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TALENT_ENVIRONMENT", "production")
    monkeypatch.setenv("TALENT_SECRET_KEY", "short")
    monkeypatch.setenv("TALENT_FIELD_KEY", "f" * 40)
    monkeypatch.setenv("TALENT_DECISION_KEYS", "x")
    with pytest.raises(ValidationError, match="at least 32"):
        Settings()


def test_cors_origins_read_as_a_comma_separated_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TALENT_CORS_ORIGINS", "https://a.gd.gov.cn, https://b.gd.gov.cn")
    assert Settings().cors_origins == ["https://a.gd.gov.cn", "https://b.gd.gov.cn"]


def test_production_refuses_the_webhook_loopback_allowance(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TALENT_ENVIRONMENT", "production")
    monkeypatch.setenv("TALENT_SECRET_KEY", "s" * 40)
    monkeypatch.setenv("TALENT_FIELD_KEY", "f" * 40)
    monkeypatch.setenv("TALENT_DECISION_KEYS", "a2V5LW9uZS1rZXktb25lLWtleS1vbmUta2V5LW9uZSE")
    assert Settings().webhooks_allow_loopback is False
    monkeypatch.setenv("TALENT_WEBHOOKS_ALLOW_LOOPBACK", "true")
    with pytest.raises(ValidationError, match="TALENT_WEBHOOKS_ALLOW_LOOPBACK"):
        Settings()
