from __future__ import annotations

from sqlmodel import Session, select

from talent_service.auth.principal import Principal
from talent_service.auth.visibility import get_visible
from talent_service.cities.service import require_city
from talent_service.core.clock import today
from talent_service.core.errors import conflict
from talent_service.core.pagination import PageParams
from talent_service.core.preconditions import check_version
from talent_service.firms.queries import firms_page, tiers_held_on
from talent_service.firms.schemas import FirmCreate, FirmUpdate
from talent_service.firms.tier_rule import TierRow
from talent_service.firms.tiers import record_with_firm
from talent_service.models import Firm, FirmSignUpEvent
from talent_service.reference.enums import FirmTier, SignUpState, Source

# A firm with the period giving it its tier today (None: no tier today).
FirmWithTier = tuple[Firm, TierRow | None]


def insert_firm(session: Session, data: FirmCreate, state: SignUpState) -> Firm:
    """The firm's row, its city and USCC already checked by the caller."""
    firm = Firm(
        uscc=data.uscc, name=data.name, home_city_code=data.home_city_code, sign_up_state=state
    )
    session.add(firm)
    session.flush()
    return firm


def _insert_firm(session: Session, data: FirmCreate, at: str, *, by: str) -> Firm:
    require_city(session, data.home_city_code, f"{at}.home_city_code", prd=False)
    if session.exec(select(Firm.id).where(Firm.uscc == data.uscc)).first() is not None:
        # The province may learn what is registered; a self-registration never does.
        raise conflict(f"a firm with USCC {data.uscc} is already registered", f"{at}.uscc")
    firm = insert_firm(session, data, SignUpState.approved)
    assert firm.id is not None
    # Registered by the province: approved by it at once (the history says so).
    session.add(
        FirmSignUpEvent(
            firm_id=firm.id,
            state=SignUpState.approved,
            source=Source.province,
            authority="province",
            recorded_by=by,
        )
    )
    return firm


def with_tier(session: Session, firm: Firm) -> FirmWithTier:
    assert firm.id is not None
    return firm, tiers_held_on(session, [firm.id], today()).get(firm.id)


def create_firm(
    session: Session, data: FirmCreate, *, by: str = "province", at: str = "body"
) -> Firm:
    """The province registers a firm; a certificate sent with it is approved at once, by ``by``.

    ``at`` is where the firm sits in the request, so errors name the field the caller sent.
    """
    firm = _insert_firm(session, data, at, by=by)
    record_with_firm(session, firm, data, by=by, approved=True, at=at)
    return firm


def get_firm(session: Session, principal: Principal, firm_id: int) -> FirmWithTier:
    return with_tier(session, get_visible(session, Firm, firm_id, principal))


def list_firms(
    session: Session,
    principal: Principal,
    page: PageParams,
    *,
    home_city_code: str | None = None,
    tier: FirmTier | None = None,
) -> list[FirmWithTier]:
    """``tier``: firms whose tier today (an approved period covering today) is ``tier``."""
    return firms_page(session, principal, page, today(), home_city_code=home_city_code, tier=tier)


def update_firm(
    session: Session, principal: Principal, firm_id: int, data: FirmUpdate, expected: int | None
) -> FirmWithTier:
    firm = get_visible(session, Firm, firm_id, principal, for_update=True)
    check_version(firm.version, expected)
    for key, value in data.model_dump(exclude_unset=True).items():
        setattr(firm, key, value)
    session.add(firm)
    session.flush()
    return with_tier(session, firm)
