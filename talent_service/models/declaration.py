from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, Integer, String
from sqlmodel import Field, SQLModel

from talent_service.models.base import UtcDateTime, timestamp_field
from talent_service.models.columns import enum_type, version_column
from talent_service.reference.enums import DeclaredFact, Source, Verification

_VERSION = version_column()


class Declaration(SQLModel, table=True):
    """What one party says about a person's education, title or hukou city, since a date.

    Declarations are never overwritten by another party: a firm that registers a known person
    adds its own. The value is the enum's slug (education, title level) or a city code (hukou;
    NULL: the hukou is not in Guangdong). ``effective_on`` is the award date or the date the
    hukou moved; NULL only for what the migration carried over (true since before the records).
    A review (verify or reject) changes ``verification`` once, with who, when, evidence and
    reason; a correction is a new declaration naming the one it ``corrects``.
    """

    __tablename__ = "declaration"
    __table_args__ = (
        CheckConstraint(
            "(verification = 'declared') = (reviewed_at IS NULL)", name="reviewed_when_decided"
        ),
    )
    __mapper_args__ = {"version_id_col": _VERSION}  # noqa: RUF012

    id: int | None = Field(default=None, primary_key=True)
    talent_id: int = Field(
        sa_column=Column(Integer, ForeignKey("talent.id"), nullable=False, index=True)
    )
    fact: DeclaredFact = Field(
        sa_column=Column(enum_type(DeclaredFact, "declared_fact"), nullable=False)
    )
    value: str | None = Field(default=None, max_length=32)
    detail: str | None = Field(default=None, max_length=100)  # a title's field
    effective_on: date | None = None
    source: Source = Field(sa_column=Column(enum_type(Source, "source"), nullable=False))
    source_firm_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("firm.id"), index=True)
    )
    source_city_code: str | None = Field(
        default=None, sa_column=Column(String(6), ForeignKey("city.code"))
    )
    recorded_by: str = Field(max_length=64)
    recorded_at: datetime = timestamp_field()
    corrects_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("declaration.id"))
    )
    verification: Verification = Field(
        default=Verification.declared,
        sa_column=Column(enum_type(Verification, "verification"), nullable=False, index=True),
    )
    reviewed_by: str | None = Field(default=None, max_length=64)
    reviewed_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    evidence: str | None = Field(default=None, max_length=300)
    review_note: str | None = Field(default=None, max_length=500)
    version: int = Field(default=1, sa_column=_VERSION)
