from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, String
from sqlmodel import Field, SQLModel

from talent_service.models.base import UtcDateTime, timestamp_field


class Client(SQLModel, table=True):
    """A machine client (another government system) using the client-credentials grant."""

    __tablename__ = "api_client"

    id: int | None = Field(default=None, primary_key=True)
    client_id: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    secret_hash: str = Field(max_length=255)
    name: str = Field(max_length=200)
    scopes: str = Field(max_length=500)  # space-separated, as in OAuth2
    city_code: str | None = Field(
        default=None, sa_column=Column(String(6), ForeignKey("city.code"))
    )
    is_active: bool = True
    # Bumped when the account's tokens must end (deactivated, new password or secret); a token
    # carries the version it was issued under; tokens_changed_at lets workers read recent bumps.
    token_version: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    tokens_changed_at: datetime | None = Field(default=None, sa_type=UtcDateTime, index=True)
    created_at: datetime = timestamp_field()
