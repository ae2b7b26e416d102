from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, String
from sqlmodel import Field, SQLModel

from talent_service.models.base import timestamp_field
from talent_service.models.columns import enum_type, version_column
from talent_service.reference.enums import SignUpState

_VERSION = version_column()


class Firm(SQLModel, table=True):
    """A home-region firm. Its tier certificates are dated periods (``FirmTierPeriod``)."""

    __tablename__ = "firm"
    __mapper_args__ = {"version_id_col": _VERSION}  # noqa: RUF012

    id: int | None = Field(default=None, primary_key=True)
    uscc: str = Field(sa_column=Column(String(18), nullable=False, unique=True))
    name: str = Field(max_length=200)
    home_city_code: str = Field(
        sa_column=Column(String(6), ForeignKey("city.code"), nullable=False, index=True)
    )
    # No default: whoever creates a firm says whether it is approved (the province, the demo)
    # or pending (a self-registration); its history is in ``FirmSignUpEvent``.
    sign_up_state: SignUpState = Field(
        sa_column=Column(enum_type(SignUpState, "sign_up_state"), nullable=False)
    )
    version: int = Field(default=1, sa_column=_VERSION)
    created_at: datetime = timestamp_field()
