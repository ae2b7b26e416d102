from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Integer, String
from sqlmodel import Field, SQLModel

from talent_service.models.base import timestamp_field
from talent_service.models.columns import enum_type, version_column
from talent_service.reference.enums import Education, TitleLevel

_VERSION = version_column()


class TalentFirm(SQLModel, table=True):
    """A firm's registration of a person: what makes the person visible to that firm, and the
    profile as that firm declared it (what the firm reads back; other parties' declarations
    about the same person never show here)."""

    __tablename__ = "talent_firm"
    __mapper_args__ = {"version_id_col": _VERSION}  # noqa: RUF012

    talent_id: int = Field(
        sa_column=Column(Integer, ForeignKey("talent.id", ondelete="CASCADE"), primary_key=True)
    )
    firm_id: int = Field(
        sa_column=Column(Integer, ForeignKey("firm.id"), primary_key=True, index=True)
    )
    name: str = Field(max_length=100)
    education: Education = Field(
        sa_column=Column(enum_type(Education, "education"), nullable=False)
    )
    title_level: TitleLevel = Field(
        default=TitleLevel.none,
        sa_column=Column(enum_type(TitleLevel, "title_level"), nullable=False),
    )
    title_field: str | None = Field(default=None, max_length=100)
    hukou_city_code: str | None = Field(
        default=None, sa_column=Column(String(6), ForeignKey("city.code"))
    )
    version: int = Field(default=1, sa_column=_VERSION)
    registered_at: datetime = timestamp_field()
