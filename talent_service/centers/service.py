from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select

from talent_service.audit import record as audit
from talent_service.auth.principal import Principal
from talent_service.auth.provenance import authority_of, check_effective_on, source_of
from talent_service.auth.visibility import get_visible, scoped, visible
from talent_service.centers import queries
from talent_service.centers.lifecycle import CenterAction, allowed_actions, next_status
from talent_service.centers.queries import fit_in_enclave
from talent_service.centers.schemas import CenterCreate, CenterUpdate
from talent_service.centers.timeline import Event, Period, periods
from talent_service.cities.service import require_city
from talent_service.core.clock import today
from talent_service.core.errors import CONFLICT, DomainError, forbidden, rule_violation
from talent_service.core.pagination import PageParams
from talent_service.core.preconditions import check_version
from talent_service.models import Center, CenterStatusEvent, Enclave, EnclavePartner, Firm
from talent_service.models.base import utcnow
from talent_service.reference.enums import CenterKind, CenterStatus, Role
from talent_service.webhooks.events import EventType
from talent_service.webhooks.outbox import emit

# The event other systems hear of when a center's status changes by an action.
_EVENTS = {
    CenterAction.accredit: EventType.center_accredited,
    CenterAction.reject: EventType.center_rejected,
    CenterAction.suspend: EventType.center_suspended,
    CenterAction.reinstate: EventType.center_reinstated,
    CenterAction.close: EventType.center_closed,
}


def resolve_firm(session: Session, principal: Principal, firm_id: int | None) -> Firm:
    """The firm a write is for: a firm user's own, or the one the province names."""
    if principal.role is Role.firm:
        if firm_id is not None and firm_id != principal.firm_id:
            raise rule_violation("body.firm_id", "a firm registers records for itself only")
        firm_id = principal.firm_id
    if firm_id is None:
        raise rule_violation("body.firm_id", "required: name the firm")
    firm = session.exec(scoped(Firm, principal).where(Firm.id == firm_id)).first()
    if firm is None:
        raise rule_violation("body.firm_id", f"no firm {firm_id}")
    return firm


def create_center(session: Session, principal: Principal, data: CenterCreate) -> Center:
    firm = resolve_firm(session, principal, data.firm_id)
    # The firm's home city was checked at registration; checked again because the program's
    # premise (a non-PRD firm in a PRD city) is what makes a center a center.
    require_city(session, firm.home_city_code, "body.firm_id", prd=False)
    host = data.host_city_code
    if data.enclave_id is not None:
        # The space's row lock serialises the centers taking floor area in it: the free area
        # read below stays true until this unit of work commits (floor area never exceeded).
        enclave = session.get(Enclave, data.enclave_id, with_for_update=True)
        if enclave is None:
            raise rule_violation("body.enclave_id", f"no enclave space {data.enclave_id}")
        if host is not None and host != enclave.host_city_code:
            raise rule_violation(
                "body.host_city_code",
                f"enclave space {enclave.id} is in {enclave.host_city_code}, not {host}",
            )
        host = enclave.host_city_code
        partners = session.exec(
            select(EnclavePartner.city_code).where(EnclavePartner.enclave_id == enclave.id)
        ).all()
        if firm.home_city_code not in partners:
            raise rule_violation(
                "body.enclave_id",
                f"enclave space {enclave.id} does not partner with the firm's home city "
                f"{firm.home_city_code}",
            )
        fit_in_enclave(session, enclave, data.floor_area_m2)
    if host is None:
        raise rule_violation("body.host_city_code", "required when no enclave_id is given")
    require_city(session, host, "body.host_city_code", prd=True)
    assert firm.id is not None
    center = Center(
        **data.model_dump(exclude={"firm_id", "host_city_code"}),
        firm_id=firm.id,
        host_city_code=host,
    )
    session.add(center)
    session.flush()
    # Its history starts with the registration: pending from the opening, by whoever registered.
    _record(session, center, principal, center.opened_on, None)
    session.flush()
    return center


def get_center(session: Session, principal: Principal, center_id: int) -> Center:
    return get_visible(session, Center, center_id, principal)


def status_since(session: Session, center: Center) -> date | None:
    assert center.id is not None
    latest = queries.latest_event(session, center.id)
    return None if latest is None else latest.effective_on


def history(
    session: Session, principal: Principal, center_id: int
) -> tuple[Center, list[CenterStatusEvent], list[Period]]:
    """A center's status events and the periods they make, for whoever may see the center."""
    center = get_visible(session, Center, center_id, principal)
    events = queries.history(session, center_id)
    return center, events, periods(Event(e.status, e.effective_on, e.id or 0) for e in events)


def list_centers(
    session: Session,
    principal: Principal,
    page: PageParams,
    *,
    firm_id: int | None = None,
    host_city_code: str | None = None,
    home_city_code: str | None = None,
    status: CenterStatus | None = None,
    kind: CenterKind | None = None,
    enclave_id: int | None = None,
) -> list[tuple[Center, date | None]]:
    """A page of the centers the caller may see, each with its ``status_since``: one SELECT."""
    query = (
        select(Center, queries.status_since())
        .where(visible(Center, principal))
        .where(col(Center.id) > page.after_id)
    )
    if firm_id is not None:
        query = query.where(Center.firm_id == firm_id)
    if host_city_code is not None:
        query = query.where(Center.host_city_code == host_city_code)
    if home_city_code is not None:
        query = query.where(
            col(Center.firm_id).in_(select(Firm.id).where(Firm.home_city_code == home_city_code))
        )
    if status is not None:
        query = query.where(Center.status == status)
    if kind is not None:
        query = query.where(Center.kind == kind)
    if enclave_id is not None:
        query = query.where(Center.enclave_id == enclave_id)
    rows = session.exec(query.order_by(col(Center.id)).limit(page.limit + 1)).all()
    return [(center, since) for center, since in rows]


def update_center(
    session: Session, principal: Principal, center_id: int, data: CenterUpdate, expected: int | None
) -> Center:
    center = get_visible(session, Center, center_id, principal, for_update=True)
    check_version(center.version, expected)
    if center.status in (CenterStatus.closed, CenterStatus.rejected):
        raise DomainError(CONFLICT, f"a {center.status.value} center cannot be changed")
    changes = data.model_dump(exclude_unset=True)
    if "floor_area_m2" in changes and center.enclave_id is not None:
        enclave = session.get(Enclave, center.enclave_id, with_for_update=True)
        assert enclave is not None
        fit_in_enclave(session, enclave, changes["floor_area_m2"], already=center.floor_area_m2)
    for key, value in changes.items():
        setattr(center, key, value)
    session.add(center)
    session.flush()
    return center


def _require_host_authority(principal: Principal, center: Center) -> None:
    if principal.role is Role.bureau and principal.city_code != center.host_city_code:
        raise forbidden(
            "only the bureau of the host city "
            f"({center.host_city_code}) or the province decides on this center"
        )


def _target(center: Center, action: CenterAction) -> CenterStatus:
    target = next_status(center.status, action)
    if target is None:
        allowed = ", ".join(a.value for a in allowed_actions(center.status)) or "none"
        raise DomainError(
            CONFLICT,
            f"cannot {action.value} a {center.status.value} center (allowed now: {allowed})",
        )
    return target


def _apply(
    session: Session,
    center: Center,
    status: CenterStatus,
    principal: Principal,
    effective_on: date,
    note: str | None,
) -> None:
    """The new current state on the center's row and its event, in one unit of work: the row
    and its history cannot disagree once committed."""
    assert center.id is not None
    center.status = status
    center.decided_by = principal.subject
    center.decided_at = utcnow()  # when it was recorded; effective_on says from when it holds
    center.decision_note = note
    session.add(center)
    _record(session, center, principal, effective_on, note)
    session.flush()
    audit.record(session, principal, "center.status", "center", center.id, status.value)


def _announce(session: Session, center: Center, action: CenterAction, effective: date) -> None:
    """The status change's event, in the change's transaction (webhooks/outbox.py)."""
    emit(
        session,
        _EVENTS[action],
        ("center", center.id),
        {
            "center_id": center.id,
            "firm_id": center.firm_id,
            "host_city_code": center.host_city_code,
            "effective_on": effective.isoformat(),
        },
    )


def _record(
    session: Session, center: Center, principal: Principal, effective_on: date, note: str | None
) -> CenterStatusEvent:
    """An event of the status ``center`` now has, from ``effective_on``, by ``principal``."""
    assert center.id is not None
    event = CenterStatusEvent(
        center_id=center.id,
        status=center.status,
        effective_on=effective_on,
        source=source_of(principal),
        authority=authority_of(principal),
        recorded_by=principal.subject,
        note=note,
    )
    session.add(event)
    return event


def _effective_on(
    session: Session,
    center: Center,
    field_name: str,
    effective_on: date,
    *,
    latest_hire: date | None = None,
) -> date:
    """Bound the date an act takes effect: not before the center opened, nor before its latest
    status event (history is appended to, never rewritten in the middle), nor (a closure)
    before its latest hire; then not in the future nor too far back (``check_effective_on``).

    The caller holds the center's row lock, so the latest event read here stays the latest
    until its unit of work ends: two acts at once are ordered, the second bounded by the first.
    """
    assert center.id is not None
    bounds = [(center.opened_on, "the center opened")]
    latest = queries.latest_event(session, center.id)
    if latest is not None:
        bounds.append(
            (latest.effective_on, f"the center's latest status change ({latest.status.value})")
        )
    if latest_hire is not None:
        bounds.append((latest_hire, "the center's latest hire"))
    not_before, reason = bounds[0]
    for day, why in bounds[1:]:
        if day > not_before:  # of equal dates the first reason: the opening, then the status
            not_before, reason = day, why
    return check_effective_on(
        field_name, effective_on, not_before=not_before, not_before_reason=reason
    )


def decide(
    session: Session,
    principal: Principal,
    center_id: int,
    action: CenterAction,
    note: str | None,
    expected: int | None,
    effective_on: date | None = None,
) -> tuple[Center, date]:
    """Accredit, reject, suspend or reinstate, effective on a date: the host city's bureau or the
    province. Returns the center and the date its new status holds from.

    The center's row is locked, so two decisions at once apply one after the other, the second
    to the status the first left (or refused), never both to the same old status.
    """
    center = get_visible(session, Center, center_id, principal, for_update=True)
    _require_host_authority(principal, center)
    check_version(center.version, expected)
    target = _target(center, action)
    effective = _effective_on(session, center, "body.effective_on", effective_on or today())
    _apply(session, center, target, principal, effective, note)
    _announce(session, center, action, effective)
    return center, effective


def close_center(
    session: Session,
    principal: Principal,
    center_id: int,
    closed_on: date,
    note: str | None,
    expected: int | None,
) -> tuple[Center, date]:
    """The firm, the host city's bureau or the province closes a center, effective ``closed_on``."""
    center = get_visible(session, Center, center_id, principal, for_update=True)
    _require_host_authority(principal, center)
    check_version(center.version, expected)
    target = _target(center, CenterAction.close)
    assert center.id is not None
    last_hire = queries.latest_hire(session, center.id)
    closed_on = _effective_on(session, center, "body.closed_on", closed_on, latest_hire=last_hire)
    center.closed_on = closed_on
    _apply(session, center, target, principal, closed_on, note)
    _announce(session, center, CenterAction.close, closed_on)
    return center, closed_on
