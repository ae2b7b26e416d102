"""Typed settings, read once from the environment (prefix ``TALENT_``)."""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

MIN_PRODUCTION_HASH_MEMORY_KIB = 19456  # OWASP's argon2id minimum (19 MiB, t=2)

# Development defaults: fine on a laptop, refused in production (see _refuse_default_secrets).
DEV_SECRET_KEY = "dev-only-token-signing-key-change-me-0000000000"  # noqa: S105
DEV_FIELD_KEY = "dev-only-field-encryption-key-change-me-000000000"  # noqa: S105
# Ed25519 seed (base64url, 32 bytes) used to sign eligibility decisions in development.
DEV_DECISION_KEY = "ZGV2LW9ubHktZGVjaXNpb24tc2lnbmluZy1rZXktISE"  # noqa: S105


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TALENT_", env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = "sqlite:///./talent_service.db"
    # HMAC key for access tokens (HS256): tokens are verified without a database read.
    secret_key: SecretStr = SecretStr(DEV_SECRET_KEY)
    # Key material for encrypting ID numbers at rest and for their keyed look-up hash.
    field_key: SecretStr = SecretStr(DEV_FIELD_KEY)
    # Ed25519 private seeds for decision signatures; the first signs, all stay published.
    decision_keys: Annotated[list[SecretStr], NoDecode] = Field(
        default_factory=lambda: [SecretStr(DEV_DECISION_KEY)]
    )
    token_lifetime_minutes: int = Field(default=15, ge=1, le=24 * 60)
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    db_pool_size: int = Field(default=10, ge=1, le=200)
    # Argon2id memory per hash (KiB). The default is argon2-cffi's (64 MiB); production refuses
    # less than OWASP's minimum (19 MiB); the live-server tests run cheaper hashes.
    password_hash_memory_kib: int = Field(default=65536, ge=1024, le=1024 * 1024)
    # Argon2 runs at most this many hashes at once per worker (a hash holds its memory cost, so
    # memory stays under workers x this x the cost); a sign-in that waits longer is told 429.
    password_hash_concurrency: int = Field(default=4, ge=1, le=64)
    password_hash_wait_seconds: float = Field(default=1.0, ge=0, le=30)
    # Failed sign-ins (auth/throttle.py), counted with exponential decay (halved every half-life).
    # Per account and client address: a few free, then a growing wait, then a long lock: this is
    # what stops one attacker. Per account across addresses: a much higher bar and a short lock,
    # so that failures from elsewhere cannot keep the owner out for long.
    login_failure_half_life_seconds: int = Field(default=900, ge=1, le=86400)
    login_free_failures: int = Field(default=3, ge=1, le=100)
    login_lock_failures: int = Field(default=10, ge=2, le=1000)
    login_lock_seconds: int = Field(default=900, ge=1, le=86400)
    account_lock_failures: int = Field(default=100, ge=2, le=100000)
    account_lock_seconds: int = Field(default=60, ge=1, le=3600)
    # Each worker re-reads revoked tokens and ended accounts this often: the revocation bound.
    token_revocation_refresh_seconds: float = Field(default=5.0, gt=0, le=300)
    # A stored Idempotency-Key answer is replayed for this long (core/idempotency.py).
    idempotency_key_hours: int = Field(default=24, ge=1, le=24 * 30)
    log_level: str = "INFO"
    # How far back an authority may date a fact it records now (a center's accreditation,
    # suspension or closure). Further back is a correction of the record, not a decision.
    backdate_limit_days: int = Field(default=90, ge=0, le=3650)
    # A signed checkpoint of the audit chain every this many entries, and on the first append
    # after this many seconds without one (talent_service/audit/chain.py).
    audit_checkpoint_every: int = Field(default=1000, ge=1, le=1_000_000)
    audit_checkpoint_seconds: int = Field(default=3600, ge=1, le=7 * 86400)

    # Webhooks (talent_service/webhooks/): loopback receivers (and http) for tests only.
    webhooks_allow_loopback: bool = False
    # The worker: how often it looks for work when idle, how many deliveries it claims and
    # sends at once, how long a claim holds (a worker killed mid-delivery frees its rows when
    # the lease ends; it must outlast a request's timeouts: connect, write and read each), and
    # each request's timeout (short: one slow endpoint must not stall the others).
    webhooks_poll_seconds: float = Field(default=0.5, gt=0, le=60)
    webhooks_concurrency: int = Field(default=8, ge=1, le=64)
    webhooks_lease_seconds: int = Field(default=60, ge=5, le=3600)
    webhooks_timeout_seconds: float = Field(default=5.0, gt=0, le=30)

    @field_validator("cors_origins", "decision_keys", mode="before")
    @classmethod
    def _split_commas(cls, value: object) -> object:
        # Environment variables carry lists as comma-separated text.
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @model_validator(mode="after")
    def _refuse_default_secrets(self) -> Settings:
        if self.environment != "production":
            return self
        defaults = {
            "TALENT_SECRET_KEY": self.secret_key.get_secret_value() == DEV_SECRET_KEY,
            "TALENT_FIELD_KEY": self.field_key.get_secret_value() == DEV_FIELD_KEY,
            "TALENT_DECISION_KEYS": any(
                key.get_secret_value() == DEV_DECISION_KEY for key in self.decision_keys
            ),
        }
        weak = [name for name, is_default in defaults.items() if is_default]
        if weak:
            raise ValueError(f"production refuses development secrets: set {', '.join(weak)}")
        if self.webhooks_allow_loopback:
            raise ValueError("TALENT_WEBHOOKS_ALLOW_LOOPBACK is for tests; production refuses it")
        if self.password_hash_memory_kib < MIN_PRODUCTION_HASH_MEMORY_KIB:
            raise ValueError(
                "TALENT_PASSWORD_HASH_MEMORY_KIB must be at least "
                f"{MIN_PRODUCTION_HASH_MEMORY_KIB} in production"
            )
        if len(self.secret_key.get_secret_value()) < 32:
            raise ValueError("TALENT_SECRET_KEY must be at least 32 characters in production")
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    return Settings()
