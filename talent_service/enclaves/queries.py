"""Enclave spaces' queries: floor area in use and partner cities, a page at a time.

Used and free floor area derive from the centers in a space and are never stored; a write that
takes floor area locks the space's row first (centers.queries.fit_in_enclave).
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func
from sqlmodel import Session, col, select

from talent_service.models import Center, EnclavePartner
from talent_service.reference.enums import CenterStatus

# Centers that hold floor area in an enclave space: a rejected or closed center has left it.
OCCUPYING = (CenterStatus.pending, CenterStatus.accredited, CenterStatus.suspended)


def used_areas(session: Session, enclave_ids: list[int]) -> dict[int, float]:
    """Floor area occupied per space, in one grouped query for a whole page."""
    if not enclave_ids:
        return {}
    rows = session.exec(
        select(Center.enclave_id, func.coalesce(func.sum(Center.floor_area_m2), 0.0))
        .where(col(Center.enclave_id).in_(enclave_ids), col(Center.status).in_(OCCUPYING))
        .group_by(col(Center.enclave_id))
    ).all()
    return {int(enclave_id): float(total) for enclave_id, total in rows if enclave_id is not None}


def partner_cities(session: Session, enclave_ids: list[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = defaultdict(list)
    rows = session.exec(
        select(EnclavePartner)
        .where(col(EnclavePartner.enclave_id).in_(enclave_ids))
        .order_by(col(EnclavePartner.city_code))
    ).all()
    for row in rows:
        found[row.enclave_id].append(row.city_code)
    return found
