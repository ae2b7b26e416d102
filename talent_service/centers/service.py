from __future__ import annotations

from datetime import date

from sqlalchemy import func
from sqlmodel import Session, col, select

from talent_service.auth.principal import Principal
from talent_service.auth.visibility import get_visible, scoped
from talent_service.centers.lifecycle import CenterAction, allowed_actions, next_status
from talent_service.centers.queries import fit_in_enclave
from talent_service.centers.schemas import CenterCreate, CenterUpdate
from talent_service.cities.service import require_city
from talent_service.core.clock import today
from talent_service.core.errors import CONFLICT, DomainError, forbidden, rule_violation
from talent_service.core.pagination import PageParams
from talent_service.core.preconditions import check_version
from talent_service.models import Center, Employment, Enclave, EnclavePartner, Firm
from talent_service.models.base import utcnow
from talent_service.reference.enums import CenterKind, CenterStatus, Role


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
    return center


def get_center(session: Session, principal: Principal, center_id: int) -> Center:
    return get_visible(session, Center, center_id, principal)


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
) -> list[Center]:
    query = scoped(Center, principal).where(col(Center.id) > page.after_id)
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
    return list(session.exec(query.order_by(col(Center.id)).limit(page.limit + 1)).all())


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


def _move(center: Center, action: CenterAction, principal: Principal, note: str | None) -> None:
    target = next_status(center.status, action)
    if target is None:
        allowed = ", ".join(a.value for a in allowed_actions(center.status)) or "none"
        raise DomainError(
            CONFLICT,
            f"cannot {action.value} a {center.status.value} center (allowed now: {allowed})",
        )
    center.status = target
    center.decided_by = principal.subject
    center.decided_at = utcnow()
    center.decision_note = note


def decide(
    session: Session,
    principal: Principal,
    center_id: int,
    action: CenterAction,
    note: str | None,
    expected: int | None,
) -> Center:
    """Accredit, reject, suspend or reinstate: the host city's bureau or the province.

    The center's row is locked, so two decisions at once apply one after the other, the second
    to the status the first left (or refused), never both to the same old status.
    """
    center = get_visible(session, Center, center_id, principal, for_update=True)
    _require_host_authority(principal, center)
    check_version(center.version, expected)
    _move(center, action, principal, note)
    session.add(center)
    session.flush()
    return center


def close_center(
    session: Session,
    principal: Principal,
    center_id: int,
    closed_on: date,
    note: str | None,
    expected: int | None,
) -> Center:
    """The firm, the host city's bureau or the province closes a center on a date."""
    center = get_visible(session, Center, center_id, principal, for_update=True)
    _require_host_authority(principal, center)
    check_version(center.version, expected)
    if closed_on < center.opened_on:
        raise rule_violation("body.closed_on", f"before the center opened ({center.opened_on})")
    if closed_on > today():
        raise rule_violation("body.closed_on", "a closure is recorded once it has happened")
    last_hire = session.exec(
        select(func.max(Employment.hired_on)).where(Employment.center_id == center_id)
    ).one()
    if last_hire is not None and closed_on < last_hire:
        raise rule_violation("body.closed_on", f"before the center's latest hire ({last_hire})")
    _move(center, CenterAction.close, principal, note)
    center.closed_on = closed_on
    session.add(center)
    session.flush()
    return center
