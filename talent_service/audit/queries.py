"""Reading the audit log: the province only, checked here as well as by the route's rule."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from talent_service.auth.principal import Principal
from talent_service.core.errors import forbidden
from talent_service.core.pagination import PageParams
from talent_service.models import AuditCheckpoint, AuditEntry
from talent_service.reference.enums import Role


@dataclass(frozen=True)
class EntryFilter:
    actor: str | None = None
    actor_firm_id: int | None = None
    actor_city_code: str | None = None
    action: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    occurred_from: datetime | None = None  # inclusive
    occurred_to: datetime | None = None  # exclusive


def _require_province(principal: Principal) -> None:
    # Not the visibility rule's "sees the whole province": an unbound machine client reads the
    # registry province-wide, but who did what is the province's to read.
    if principal.role is not Role.province:
        raise forbidden("The audit log is read by the province only.")


def entries(
    session: Session, principal: Principal, where: EntryFilter, page: PageParams
) -> Sequence[AuditEntry]:
    """Entries in chain order (by number), ``page.limit + 1`` of them to prove a next page."""
    _require_province(principal)
    query = select(AuditEntry).where(col(AuditEntry.seq) > page.after_id)
    for column, value in (
        (AuditEntry.actor, where.actor),
        (AuditEntry.actor_firm_id, where.actor_firm_id),
        (AuditEntry.actor_city_code, where.actor_city_code),
        (AuditEntry.action, where.action),
        (AuditEntry.object_type, where.object_type),
        (AuditEntry.object_id, where.object_id),
    ):
        if value is not None:
            query = query.where(col(column) == value)
    if where.occurred_from is not None:
        query = query.where(col(AuditEntry.occurred_at) >= where.occurred_from)
    if where.occurred_to is not None:
        query = query.where(col(AuditEntry.occurred_at) < where.occurred_to)
    return session.exec(query.order_by(col(AuditEntry.seq)).limit(page.limit + 1)).all()


def checkpoints(
    session: Session, principal: Principal, page: PageParams
) -> Sequence[AuditCheckpoint]:
    _require_province(principal)
    query = (
        select(AuditCheckpoint)
        .where(col(AuditCheckpoint.seq) > page.after_id)
        .order_by(col(AuditCheckpoint.seq))
        .limit(page.limit + 1)
    )
    return session.exec(query).all()
