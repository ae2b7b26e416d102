from __future__ import annotations

from sqlalchemy import Column, Integer, String
from sqlmodel import Field, SQLModel


class WebhookSequence(SQLModel, table=True):
    """The last event number of each subject: bumped by one upsert per event, whose row lock
    orders concurrent changes to one subject (numbers never repeat nor skip)."""

    __tablename__ = "webhook_sequence"

    subject_type: str = Field(sa_column=Column(String(20), primary_key=True))
    subject_id: str = Field(sa_column=Column(String(64), primary_key=True))
    last: int = Field(sa_column=Column(Integer, nullable=False))
