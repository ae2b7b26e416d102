"""A firm with a person to hire, callers with subjects of their own, and row counts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from talent_service.auth.principal import ROLE_SCOPES, Principal
from talent_service.models import AuditEntry, Employment, Firm, IdempotencyKey
from talent_service.reference.enums import Role
from tests.factories import SHANTOU, SHENZHEN, Factory, bearer

KEY = "Idempotency-Key"


def firm_caller(firm: Firm, user_id: int) -> dict[str, str]:
    """A firm user with a subject of its own (the factory's firm users all share one)."""
    principal = Principal(
        f"user:{user_id}", Role.firm, firm_id=firm.id, scopes=ROLE_SCOPES[Role.firm]
    )
    return bearer(principal)


@dataclass
class Hiring:
    firm: Firm
    talent_id: int
    headers: dict[str, str]

    def body(self, **changes: Any) -> dict[str, Any]:
        return {
            "talent_id": self.talent_id,
            "position": "Engineer",
            "hired_on": "2024-03-01",
            "si_city_code": SHENZHEN,
            **changes,
        }


@pytest.fixture
def hiring(make: Factory) -> Hiring:
    firm = make.firm(SHANTOU)
    talent = make.talent(firm)
    return Hiring(firm, talent.id, firm_caller(firm, 700001))


def count(session: Session, model: type[Any]) -> int:
    session.expire_all()
    return int(session.execute(select(func.count()).select_from(model)).scalar_one())


def spells(session: Session, talent_id: int) -> int:
    query = select(func.count()).where(Employment.talent_id == talent_id)  # type: ignore[arg-type]
    return int(session.execute(query).scalar_one())


def keys(session: Session) -> int:
    return count(session, IdempotencyKey)


def audit_entries(session: Session) -> int:
    return count(session, AuditEntry)
