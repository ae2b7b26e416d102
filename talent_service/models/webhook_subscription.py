from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Integer, LargeBinary, String
from sqlmodel import Field, SQLModel

from talent_service.models.base import UtcDateTime, timestamp_field


class WebhookSubscription(SQLModel, table=True):
    """A machine client's HTTPS endpoint for some event types (talent_service/webhooks/).

    The HMAC secret is kept encrypted (the worker must sign with it, so it cannot be a hash);
    after a rotation the previous one signs too until ``previous_secret_until``.
    """

    __tablename__ = "webhook_subscription"

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(
        sa_column=Column(Integer, ForeignKey("api_client.id"), nullable=False, index=True)
    )
    url: str = Field(sa_column=Column(String(2000), nullable=False))
    event_types: str = Field(max_length=500)  # space-separated
    secret_ciphertext: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    previous_secret_ciphertext: bytes | None = Field(
        default=None, sa_column=Column(LargeBinary, nullable=True)
    )
    previous_secret_until: datetime | None = Field(default=None, sa_type=UtcDateTime)
    state: str = Field(default="active", max_length=16)  # active | disabled
    disabled_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    disabled_reason: str | None = Field(default=None, max_length=300)
    created_at: datetime = timestamp_field()
