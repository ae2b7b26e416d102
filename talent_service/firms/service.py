from __future__ import annotations

from sqlmodel import Session, col, select

from talent_service.auth.principal import Principal
from talent_service.auth.visibility import get_visible, scoped
from talent_service.cities.service import require_city
from talent_service.core.errors import conflict
from talent_service.core.pagination import PageParams
from talent_service.core.preconditions import check_version
from talent_service.core.security import hash_password
from talent_service.firms.schemas import FirmCreate, FirmRegistration, FirmUpdate
from talent_service.models import Firm, User
from talent_service.reference.enums import FirmTier, Role


def create_firm(session: Session, data: FirmCreate, *, at: str = "body") -> Firm:
    """``at`` is where the firm sits in the request, so errors name the field the caller sent."""
    require_city(session, data.home_city_code, f"{at}.home_city_code", prd=False)
    if session.exec(select(Firm.id).where(Firm.uscc == data.uscc)).first() is not None:
        raise conflict(f"a firm with USCC {data.uscc} is already registered", f"{at}.uscc")
    firm = Firm(**data.model_dump())
    session.add(firm)
    session.flush()
    return firm


def register_firm(session: Session, data: FirmRegistration) -> Firm:
    if session.exec(select(User.id).where(User.username == data.username)).first() is not None:
        raise conflict(f"username {data.username!r} is taken", "body.username")
    firm = create_firm(session, data.firm, at="body.firm")
    session.add(
        User(
            username=data.username,
            password_hash=hash_password(data.password),
            role=Role.firm,
            firm_id=firm.id,
        )
    )
    session.flush()
    return firm


def get_firm(session: Session, principal: Principal, firm_id: int) -> Firm:
    return get_visible(session, Firm, firm_id, principal)


def list_firms(
    session: Session,
    principal: Principal,
    page: PageParams,
    *,
    home_city_code: str | None = None,
    tier: FirmTier | None = None,
) -> list[Firm]:
    query = scoped(Firm, principal).where(col(Firm.id) > page.after_id)
    if home_city_code is not None:
        query = query.where(Firm.home_city_code == home_city_code)
    if tier is not None:
        query = query.where(Firm.tier == tier)
    return list(session.exec(query.order_by(col(Firm.id)).limit(page.limit + 1)).all())


def update_firm(
    session: Session, principal: Principal, firm_id: int, data: FirmUpdate, expected: int | None
) -> Firm:
    firm = get_visible(session, Firm, firm_id, principal, for_update=True)
    check_version(firm.version, expected)
    changes = data.model_dump(exclude_unset=True)
    if "tier" in changes and changes["tier"] is None:
        # Dropping the tier drops its certificate with it.
        changes.update(tier_certificate_no=None, tier_expires_on=None)
    for key, value in changes.items():
        setattr(firm, key, value)
    session.add(firm)
    session.flush()
    return firm
