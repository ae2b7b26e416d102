from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, String
from sqlmodel import Field, SQLModel

from talent_service.models.base import UtcDateTime, timestamp_field


class AuthThrottle(SQLModel, table=True):
    """Failed sign-ins for one key (an account, or an account from one address), decaying.

    In the database, not in a worker: every worker must see the same count (auth/throttle.py).
    """

    __tablename__ = "auth_throttle"

    key: str = Field(sa_column=Column(String(300), primary_key=True))
    score: float = 0.0  # failures, halved every half-life since updated_at
    updated_at: datetime = timestamp_field(index=True)
    blocked_until: datetime | None = Field(default=None, sa_type=UtcDateTime)
