from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, Integer, String
from sqlmodel import Field, SQLModel

from talent_service.models.base import UtcDateTime, timestamp_field
from talent_service.models.columns import enum_type
from talent_service.reference.enums import Role


class User(SQLModel, table=True):
    """A person who logs in: a province admin, a city bureau officer or a firm's clerk."""

    __tablename__ = "user_account"
    __table_args__ = (
        CheckConstraint(
            "(role = 'province' AND city_code IS NULL AND firm_id IS NULL)"
            " OR (role = 'bureau' AND city_code IS NOT NULL AND firm_id IS NULL)"
            " OR (role = 'firm' AND firm_id IS NOT NULL AND city_code IS NULL)",
            name="role_binding",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    password_hash: str = Field(max_length=255)
    role: Role = Field(sa_column=Column(enum_type(Role, "role"), nullable=False))
    city_code: str | None = Field(
        default=None, sa_column=Column(String(6), ForeignKey("city.code"))
    )
    firm_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("firm.id")))
    is_active: bool = True
    # Bumped when the account's tokens must end (deactivated, new password or secret); a token
    # carries the version it was issued under; tokens_changed_at lets workers read recent bumps.
    token_version: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    tokens_changed_at: datetime | None = Field(default=None, sa_type=UtcDateTime, index=True)
    created_at: datetime = timestamp_field()
