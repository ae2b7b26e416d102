"""Centers' SELECTs and invariant checks: the floor area a center takes, its status events."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from talent_service.centers.timeline import Event
from talent_service.core.errors import rule_violation
from talent_service.enclaves.queries import used_areas
from talent_service.models import Center, CenterStatusEvent, Employment, Enclave


def fit_in_enclave(session: Session, enclave: Enclave, area: float, *, already: float = 0) -> None:
    """Refuse ``area`` m² more (``already`` is the center's own current area) in ``enclave``.

    The caller has locked the enclave's row (``with_for_update``), so the area in use read here
    cannot grow before its unit of work commits: the space's floor area is never exceeded.
    """
    assert enclave.id is not None
    used = used_areas(session, [enclave.id]).get(enclave.id, 0.0) - already
    free = enclave.total_floor_area_m2 - used
    if area > free + 1e-9:
        raise rule_violation(
            "body.floor_area_m2",
            f"enclave space {enclave.id} has {free:g} m² free; {area:g} m² does not fit",
        )


def status_since() -> Any:
    """``status_since`` of the outer query's center: its latest event's effective date.

    A correlated scalar subquery, probed through the event table's ``center_id`` index for each
    row the page returns: a list stays one statement, and a page of 50 centers reads the events
    of those 50 only (a grouped subquery would aggregate every center's events on each page).
    """
    return (
        select(func.max(CenterStatusEvent.effective_on))
        .where(col(CenterStatusEvent.center_id) == col(Center.id))
        .correlate(Center)
        .scalar_subquery()
        .label("status_since")
    )


def latest_event(session: Session, center_id: int) -> CenterStatusEvent | None:
    """The event that holds last (latest ``effective_on``, then latest recorded)."""
    return session.exec(
        select(CenterStatusEvent)
        .where(CenterStatusEvent.center_id == center_id)
        .order_by(col(CenterStatusEvent.effective_on).desc(), col(CenterStatusEvent.id).desc())
        .limit(1)
    ).first()


def latest_hire(session: Session, center_id: int) -> date | None:
    return session.exec(
        select(func.max(Employment.hired_on)).where(Employment.center_id == center_id)
    ).one()


def history(session: Session, center_id: int) -> list[CenterStatusEvent]:
    """A center's events in the order they hold (the caller checked it may see the center)."""
    return list(
        session.exec(
            select(CenterStatusEvent)
            .where(CenterStatusEvent.center_id == center_id)
            .order_by(col(CenterStatusEvent.effective_on), col(CenterStatusEvent.id))
        ).all()
    )


def events_of(
    session: Session, center_ids: Collection[int] | None = None
) -> dict[int, list[Event]]:
    """The status events of many centers in one SELECT, as ``{center_id: [Event, ...]}`` in
    timeline order (``None``: every center, for a population run). A center without events is
    absent. Visibility is the caller's business: pass only the ids it may see."""
    query = select(
        col(CenterStatusEvent.center_id),
        col(CenterStatusEvent.status),
        col(CenterStatusEvent.effective_on),
        col(CenterStatusEvent.id),
    ).order_by(
        col(CenterStatusEvent.center_id),
        col(CenterStatusEvent.effective_on),
        col(CenterStatusEvent.id),
    )
    if center_ids is not None:
        if not center_ids:
            return {}
        query = query.where(col(CenterStatusEvent.center_id).in_(sorted(set(center_ids))))
    result: dict[int, list[Event]] = {}
    for center_id, status, effective_on, event_id in session.exec(query).all():
        result.setdefault(center_id, []).append(Event(status, effective_on, event_id or 0))
    return result
