from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Integer, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from talent_service.models.base import timestamp_field
from talent_service.models.columns import enum_type
from talent_service.reference.enums import Benefit, Outcome, Side


class Decision(SQLModel, table=True):
    """An eligibility decision as it was made: never updated, signed so others can verify it."""

    __tablename__ = "decision"
    # One stored decision per answer, asker and signing key: the look-up of
    # ``eligibility.decisions.reuse`` and what keeps two concurrent identical askings from
    # storing two rows.
    __table_args__ = (
        UniqueConstraint(
            "answer_hash", "requested_by", "key_id", name="uq_decision_answer_asker_key"
        ),
    )

    id: str = Field(sa_column=Column(String(36), primary_key=True))
    talent_id: int = Field(
        sa_column=Column(Integer, ForeignKey("talent.id"), nullable=False, index=True)
    )
    policy_version_id: int = Field(
        sa_column=Column(Integer, ForeignKey("policy_version.id"), nullable=False)
    )
    city_code: str = Field(sa_column=Column(String(6), ForeignKey("city.code"), nullable=False))
    benefit: Benefit = Field(sa_column=Column(enum_type(Benefit, "benefit"), nullable=False))
    side: Side = Field(sa_column=Column(enum_type(Side, "side"), nullable=False))
    as_of: date
    outcome: Outcome = Field(sa_column=Column(enum_type(Outcome, "outcome"), nullable=False))
    engine_version: str = Field(max_length=32)
    # The signed document: everything a verifier needs, exactly as it was hashed and signed.
    document: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    content_hash: str = Field(max_length=80)
    signature: str = Field(max_length=200)
    # The attestation (outcome, policy version, no personal data) derives from the document;
    # machine clients receive it with its own signature.
    attestation_signature: str = Field(max_length=200)
    key_id: str = Field(max_length=64)
    requested_by: str = Field(max_length=64)
    # Hash of what the document says about the question, without who asked, when and under
    # which id (``eligibility.decisions.reuse.answer_hash``); None on decisions stored before
    # reuse.
    answer_hash: str | None = Field(default=None, max_length=80)
    created_at: datetime = timestamp_field()
