from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Integer, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from talent_service.models.base import UtcDateTime, timestamp_field


class WebhookEvent(SQLModel, table=True):
    """The outbox: one row per change other systems may hear of, written in the change's own
    transaction, so an event exists exactly when its change was committed.

    ``body`` is the exact JSON sent (every attempt and duplicate carries the same bytes and the
    same ``webhook-id``, the ``event_id``). ``scope_model``/``scope_key`` name the row whose
    visibility decides which machine clients may hear of it. ``dispatched_at`` is set once the
    worker has fanned the event out into deliveries.
    """

    __tablename__ = "webhook_event"
    __table_args__ = (UniqueConstraint("subject_type", "subject_id", "sequence"),)

    id: int | None = Field(default=None, primary_key=True)
    event_id: str = Field(sa_column=Column(String(40), nullable=False, unique=True))
    type: str = Field(max_length=40)
    subject_type: str = Field(max_length=20)
    subject_id: str = Field(max_length=64)
    sequence: int = Field(sa_column=Column(Integer, nullable=False))
    scope_model: str = Field(max_length=20)
    scope_key: str = Field(max_length=64)
    body: str = Field(sa_column=Column(Text, nullable=False))
    occurred_at: datetime = timestamp_field()
    dispatched_at: datetime | None = Field(default=None, sa_type=UtcDateTime, index=True)
