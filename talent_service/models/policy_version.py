from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    ForeignKey,
    Integer,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from talent_service.models.base import UtcDateTime, timestamp_field
from talent_service.models.columns import enum_type
from talent_service.reference.enums import PolicyStatus


class PolicyVersion(SQLModel, table=True):
    """A numbered version of a policy's rule, effective over ``[effective_from, effective_to)``.

    A published version is never edited: a new version supersedes it.
    """

    __tablename__ = "policy_version"
    __table_args__ = (
        UniqueConstraint("policy_id", "version", name="uq_policy_version_number"),
        CheckConstraint(
            "effective_to IS NULL OR effective_to > effective_from", name="effective_range"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    policy_id: int = Field(
        sa_column=Column(Integer, ForeignKey("policy.id"), nullable=False, index=True)
    )
    version: int
    status: PolicyStatus = Field(
        sa_column=Column(enum_type(PolicyStatus, "policy_status"), nullable=False)
    )
    effective_from: date
    effective_to: date | None = None
    document_ref: str = Field(max_length=300)
    description_zh: str = Field(max_length=2000)
    description_en: str = Field(max_length=2000)
    rule: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    # Declared types of the parameters the rule reads (name → ParamSpec as JSON).
    parameter_types: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    # Which declarations each declared fact may rest on: fact ("education", "title",
    # "hukou_city") -> "verified" (only verified ones) or "declared" (declared ones too, flagged
    # in the explanation). A fact not named accepts declared ones.
    fact_sources: dict[str, str] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    # Facts a caller may supply in the request (machine clients with ``education:supply``) that
    # this version reads; a supplied fact not named here is refused (recorded, not read).
    accepts_supplied: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    published_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    published_by: str | None = Field(default=None, max_length=64)
    created_at: datetime = timestamp_field()
