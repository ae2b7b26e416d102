from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, String
from sqlmodel import Field, SQLModel

from talent_service.models.base import UtcDateTime


class RevokedToken(SQLModel, table=True):
    """An access token revoked before its expiry (RFC 7009), kept until it would have expired."""

    __tablename__ = "revoked_token"

    jti: str = Field(sa_column=Column(String(64), primary_key=True))
    expires_at: datetime = Field(sa_type=UtcDateTime, index=True)
