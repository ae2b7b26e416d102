"""The center's status machine, as a pure table: which action moves which status where."""

from __future__ import annotations

from enum import StrEnum

from talent_service.reference.enums import CenterStatus


class CenterAction(StrEnum):
    accredit = "accredit"
    reject = "reject"
    suspend = "suspend"
    reinstate = "reinstate"
    close = "close"


TRANSITIONS: dict[tuple[CenterStatus, CenterAction], CenterStatus] = {
    (CenterStatus.pending, CenterAction.accredit): CenterStatus.accredited,
    (CenterStatus.pending, CenterAction.reject): CenterStatus.rejected,
    (CenterStatus.accredited, CenterAction.suspend): CenterStatus.suspended,
    (CenterStatus.suspended, CenterAction.reinstate): CenterStatus.accredited,
    (CenterStatus.pending, CenterAction.close): CenterStatus.closed,
    (CenterStatus.accredited, CenterAction.close): CenterStatus.closed,
    (CenterStatus.suspended, CenterAction.close): CenterStatus.closed,
}


def next_status(current: CenterStatus, action: CenterAction) -> CenterStatus | None:
    """The status after ``action``, or None when the action does not apply to ``current``."""
    return TRANSITIONS.get((current, action))


def allowed_actions(current: CenterStatus) -> list[CenterAction]:
    return [action for (status, action) in TRANSITIONS if status is current]
