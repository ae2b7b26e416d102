from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Integer, String
from sqlmodel import Field, SQLModel


class EnclavePartner(SQLModel, table=True):
    """A home city an enclave space partners with (e.g. a Shenzhen space for Shanwei firms)."""

    __tablename__ = "enclave_partner"

    enclave_id: int = Field(
        sa_column=Column(Integer, ForeignKey("enclave.id", ondelete="CASCADE"), primary_key=True)
    )
    city_code: str = Field(sa_column=Column(String(6), ForeignKey("city.code"), primary_key=True))
