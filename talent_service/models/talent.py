from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, ForeignKey, LargeBinary, String
from sqlmodel import Field, SQLModel

from talent_service.models.base import timestamp_field
from talent_service.models.columns import enum_type, version_column
from talent_service.reference.enums import Education, Sex, TitleLevel
from talent_service.reference.identifiers import IdKind

_VERSION = version_column()


class Talent(SQLModel, table=True):
    """A person, once, whichever firms employ them.

    The ID number is stored encrypted (``id_ciphertext``) with a keyed hash for look-ups
    (``id_lookup``) and a pre-masked form for display, so the hot read path never decrypts.
    """

    __tablename__ = "talent"
    __mapper_args__ = {"version_id_col": _VERSION}  # noqa: RUF012

    id: int | None = Field(default=None, primary_key=True)
    id_kind: IdKind = Field(sa_column=Column(enum_type(IdKind, "id_kind"), nullable=False))
    id_lookup: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    id_ciphertext: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    id_masked: str = Field(max_length=32)
    nationality: str = Field(max_length=3)
    birth_date: date | None = None
    sex: Sex | None = Field(default=None, sa_column=Column(enum_type(Sex, "sex")))
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
    created_at: datetime = timestamp_field()
