"""Centers' invariant checks."""

from __future__ import annotations

from sqlmodel import Session

from talent_service.core.errors import rule_violation
from talent_service.enclaves.queries import used_areas
from talent_service.models import Enclave


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
