from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Integer, String
from sqlmodel import Field, SQLModel

from talent_service.models.base import timestamp_field
from talent_service.models.columns import enum_type
from talent_service.reference.enums import SignUpState, Source


class FirmSignUpEvent(SQLModel, table=True):
    """One step of a firm's sign-up, never updated: requested (``pending``), then ``approved``
    or ``rejected`` by whom, when and why. ``Firm.sign_up_state`` is the latest event's state,
    kept on the firm so the checks read one column."""

    __tablename__ = "firm_sign_up_event"

    id: int | None = Field(default=None, primary_key=True)
    firm_id: int = Field(
        sa_column=Column(Integer, ForeignKey("firm.id"), nullable=False, index=True)
    )
    state: SignUpState = Field(
        sa_column=Column(enum_type(SignUpState, "sign_up_state"), nullable=False)
    )
    source: Source = Field(sa_column=Column(enum_type(Source, "source"), nullable=False))
    # The bureau's city, the firm's id or "province": on whose authority.
    authority: str = Field(sa_column=Column(String(16), nullable=False))
    recorded_by: str = Field(max_length=80)
    reason: str | None = Field(default=None, max_length=500)
    # Indexed: each worker reads the decisions of the last day (auth/approval.py).
    recorded_at: datetime = timestamp_field(index=True)
