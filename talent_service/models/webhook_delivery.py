from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from talent_service.models.base import UtcDateTime, timestamp_field


class WebhookDelivery(SQLModel, table=True):
    """One event owed to one subscription, and where its delivery stands.

    ``pending`` rows are due at ``next_attempt_at``; a worker claims one by setting ``claim`` and
    a ``lease_until``: a worker that dies (kill -9) leaves a lease that expires, and the row is
    claimed again (at-least-once). ``held`` rows wait for a replay of a disabled endpoint.
    """

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        UniqueConstraint("subscription_id", "event_id"),
        Index("ix_webhook_delivery_state", "state", "next_attempt_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(
        sa_column=Column(Integer, ForeignKey("webhook_event.id"), nullable=False, index=True)
    )
    subscription_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("webhook_subscription.id", ondelete="CASCADE"), nullable=False
        )
    )
    state: str = Field(default="pending", max_length=12)  # pending | delivered | held
    attempts: int = Field(default=0)
    next_attempt_at: datetime = timestamp_field()
    lease_until: datetime | None = Field(default=None, sa_type=UtcDateTime)
    claim: str | None = Field(default=None, max_length=32)
    last_status: int | None = None
    last_error: str | None = Field(default=None, max_length=300)
    delivered_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    created_at: datetime = timestamp_field()
