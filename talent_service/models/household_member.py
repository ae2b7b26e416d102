from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, ForeignKey, Integer, String
from sqlmodel import Field, SQLModel

from talent_service.models.base import timestamp_field
from talent_service.models.columns import enum_type
from talent_service.reference.enums import HouseholdRelation, SchoolStage, Source


class HouseholdMember(SQLModel, table=True):
    """A record of one of a talent's household members (a child), true from ``effective_on``.

    Records are never updated: a change (a new school stage, another district applied for) is
    a new record that ``replaces`` the previous one of the same member from its own date, so a
    check as of a date reads the record in force then. No name is stored: the policies need
    the relation, the birth date, the school stage and the district, nothing that identifies
    the child further.
    """

    __tablename__ = "household_member"

    id: int | None = Field(default=None, primary_key=True)
    talent_id: int = Field(
        sa_column=Column(Integer, ForeignKey("talent.id"), nullable=False, index=True)
    )
    relation: HouseholdRelation = Field(
        sa_column=Column(enum_type(HouseholdRelation, "household_relation"), nullable=False)
    )
    birth_date: date
    school_stage: SchoolStage | None = Field(
        default=None, sa_column=Column(enum_type(SchoolStage, "school_stage"))
    )
    # GB/T 2260 code of the district (or city) the child applies to school in.
    district_code: str | None = Field(default=None, sa_column=Column(String(6)))
    effective_on: date
    # One replacement per record (unique): a member's records form a line, never a fork.
    replaces_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("household_member.id"), unique=True),
    )
    source: Source = Field(sa_column=Column(enum_type(Source, "source"), nullable=False))
    source_firm_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("firm.id"), index=True)
    )
    recorded_by: str = Field(max_length=64)
    recorded_at: datetime = timestamp_field()
