from __future__ import annotations

from sqlalchemy import Column, String
from sqlmodel import Field, SQLModel

from talent_service.models.columns import enum_type
from talent_service.reference.enums import Region


class City(SQLModel, table=True):
    """A prefecture-level city of Guangdong (GB/T 2260); rows come from a migration."""

    __tablename__ = "city"

    code: str = Field(sa_column=Column(String(6), primary_key=True))
    name_zh: str = Field(max_length=32)
    name_en: str = Field(max_length=64)
    region: Region = Field(sa_column=Column(enum_type(Region, "region"), nullable=False))
