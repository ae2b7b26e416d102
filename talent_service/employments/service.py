from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, col

from talent_service.auth.principal import Principal
from talent_service.auth.visibility import get_visible, scoped
from talent_service.centers.service import resolve_firm
from talent_service.cities.service import require_city
from talent_service.core.clock import today
from talent_service.core.errors import CONFLICT, DomainError, rule_violation
from talent_service.core.pagination import PageParams
from talent_service.core.preconditions import check_version
from talent_service.employments.filters import spell_filters
from talent_service.employments.queries import check_no_overlap, lock_person, lock_spell
from talent_service.employments.rules import MAX_DAYS_AHEAD
from talent_service.employments.schemas import Departure, EmploymentCreate, EmploymentUpdate
from talent_service.models import Center, Employment, TalentFirm
from talent_service.reference.enums import CenterStatus
from talent_service.webhooks.events import EventType
from talent_service.webhooks.outbox import emit


def _announce(session: Session, event_type: EventType, spell: Employment) -> None:
    """A hire's or departure's event, in its transaction (webhooks/outbox.py)."""
    data = {
        "employment_id": spell.id,
        "talent_id": spell.talent_id,
        "firm_id": spell.firm_id,
        "center_id": spell.center_id,
        "hired_on": spell.hired_on.isoformat(),
        "departed_on": spell.departed_on.isoformat() if spell.departed_on else None,
    }
    emit(session, event_type, ("employment", spell.id), data)


def create_employment(session: Session, principal: Principal, data: EmploymentCreate) -> Employment:
    firm = resolve_firm(session, principal, data.firm_id)
    assert firm.id is not None
    registered = session.get(TalentFirm, (data.talent_id, firm.id))
    locked = lock_person(session, data.talent_id)
    if registered is None or locked is None:
        raise rule_violation(
            "body.talent_id", f"no talent {data.talent_id} registered by firm {firm.id}"
        )
    if data.hired_on > today() + timedelta(days=MAX_DAYS_AHEAD):
        raise rule_violation("body.hired_on", f"more than {MAX_DAYS_AHEAD} days in the future")
    require_city(session, data.si_city_code, "body.si_city_code")
    if data.center_id is not None:
        center = session.get(Center, data.center_id)
        if center is None or center.firm_id != firm.id:
            raise rule_violation("body.center_id", f"no center {data.center_id} of firm {firm.id}")
        if center.status is CenterStatus.rejected:
            raise rule_violation("body.center_id", f"center {center.id} was rejected")
        if data.hired_on < center.opened_on:
            raise rule_violation(
                "body.hired_on", f"before center {center.id} opened ({center.opened_on})"
            )
        if center.closed_on is not None and data.hired_on > center.closed_on:
            raise rule_violation(
                "body.hired_on", f"after center {center.id} closed ({center.closed_on})"
            )
    spell = Employment(**data.model_dump(exclude={"firm_id"}), firm_id=firm.id)
    check_no_overlap(session, spell, spell.hired_on, None, "body.hired_on")
    session.add(spell)
    session.flush()
    _announce(session, EventType.employment_started, spell)
    return spell


def get_employment(session: Session, principal: Principal, employment_id: int) -> Employment:
    return get_visible(session, Employment, employment_id, principal)


def list_employments(
    session: Session,
    principal: Principal,
    page: PageParams,
    *,
    talent_id: int | None = None,
    firm_id: int | None = None,
    center_id: int | None = None,
    host_city_code: str | None = None,
    home_city_code: str | None = None,
    hire_year: int | None = None,
    still_employed: bool | None = None,
    recruited_via_program: bool | None = None,
    at_home_site: bool | None = None,
) -> list[Employment]:
    query = scoped(Employment, principal).where(col(Employment.id) > page.after_id)
    if talent_id is not None:
        query = query.where(Employment.talent_id == talent_id)
    query = query.where(
        *spell_filters(
            firm_id=firm_id,
            center_id=center_id,
            host_city_code=host_city_code,
            home_city_code=home_city_code,
            hire_years=() if hire_year is None else (hire_year,),
            still_employed=still_employed,
        )
    )
    if recruited_via_program is not None:
        query = query.where(Employment.recruited_via_program == recruited_via_program)
    if at_home_site is not None:
        center = col(Employment.center_id)
        query = query.where(center.is_(None) if at_home_site else center.is_not(None))
    return list(session.exec(query.order_by(col(Employment.id)).limit(page.limit + 1)).all())


def update_employment(
    session: Session,
    principal: Principal,
    employment_id: int,
    data: EmploymentUpdate,
    expected: int | None,
) -> Employment:
    spell = lock_spell(session, principal, employment_id)
    check_version(spell.version, expected)
    changes = data.model_dump(exclude_unset=True)
    if "si_city_code" in changes:
        require_city(session, changes["si_city_code"], "body.si_city_code")
    for name, value in changes.items():
        setattr(spell, name, value)
    session.add(spell)
    session.flush()
    return spell


def record_departure(
    session: Session,
    principal: Principal,
    employment_id: int,
    data: Departure,
    expected: int | None,
) -> Employment:
    spell = lock_spell(session, principal, employment_id)
    check_version(spell.version, expected)
    if spell.departed_on is not None:
        raise DomainError(
            CONFLICT, f"departure already recorded on {spell.departed_on}; spells close once"
        )
    if data.departed_on < spell.hired_on:
        raise rule_violation("body.departed_on", f"before the hire date ({spell.hired_on})")
    if data.departed_on > today():
        raise rule_violation("body.departed_on", "a departure is recorded once it has happened")
    check_no_overlap(session, spell, spell.hired_on, data.departed_on, "body.departed_on")
    spell.departed_on = data.departed_on
    spell.departure_reason = data.reason
    session.add(spell)
    session.flush()
    _announce(session, EventType.employment_ended, spell)
    return spell
