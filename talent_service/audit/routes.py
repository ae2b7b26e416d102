"""The province reads the audit log: entries filtered by actor, object and time; checkpoints."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, Query
from pydantic import AwareDatetime

from talent_service.audit import queries
from talent_service.audit.auth import AuditRead
from talent_service.audit.schemas import (
    AuditCheckpointRead,
    AuditEntryRead,
    AuditPage,
    CheckpointPage,
)
from talent_service.core.pagination import PageParams, encode_cursor, page_params
from talent_service.core.types import CityQuery, IdQuery, text
from talent_service.core.unit_of_work import SessionDep, api_router
from talent_service.models import AuditCheckpoint, AuditEntry

router = api_router(prefix="/audit", tags=["audit"])
# Printable and bounded like every text input (a NUL would reach PostgreSQL otherwise).
if TYPE_CHECKING:
    Text80 = str
    Text64 = str
else:
    Text80, Text64 = text(80), text(64)
Name = Annotated[Text80 | None, Query()]


def _next(rows: Sequence[AuditEntry | AuditCheckpoint], page: PageParams) -> str | None:
    return encode_cursor(rows[page.limit - 1].seq) if len(rows) > page.limit else None


@router.get(
    "/entries",
    response_model=AuditPage,
    summary="Audit entries in chain order (the province), filtered by actor, object and time",
)
def list_entries(
    principal: AuditRead,
    session: SessionDep,
    page: Annotated[PageParams, Depends(page_params)],
    actor: Annotated[Name, Query(description="user:<id>, client:<client id>, cli:<name>")] = None,
    actor_firm_id: IdQuery = None,
    actor_city_code: CityQuery = None,
    action: Name = None,
    object_type: Name = None,
    object_id: Annotated[Text64 | None, Query()] = None,
    occurred_from: Annotated[AwareDatetime | None, Query(description="inclusive")] = None,
    occurred_to: Annotated[AwareDatetime | None, Query(description="exclusive")] = None,
) -> AuditPage:
    where = queries.EntryFilter(
        actor,
        actor_firm_id,
        actor_city_code,
        action,
        object_type,
        object_id,
        occurred_from,
        occurred_to,
    )
    rows = queries.entries(session, principal, where, page)
    return AuditPage(
        items=[AuditEntryRead.model_validate(r) for r in rows[: page.limit]],
        next_cursor=_next(rows, page),
    )


@router.get(
    "/checkpoints",
    response_model=CheckpointPage,
    summary="Signed checkpoints of the audit chain (the province), verifiable with the JWKS",
)
def list_checkpoints(
    principal: AuditRead,
    session: SessionDep,
    page: Annotated[PageParams, Depends(page_params)],
) -> CheckpointPage:
    rows = queries.checkpoints(session, principal, page)
    return CheckpointPage(
        items=[AuditCheckpointRead.model_validate(r) for r in rows[: page.limit]],
        next_cursor=_next(rows, page),
    )
