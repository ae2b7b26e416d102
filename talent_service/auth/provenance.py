"""Who asserts a fact: one mapping from the caller to the source recorded beside it."""

from __future__ import annotations

from datetime import date, timedelta

from talent_service.auth.principal import Principal
from talent_service.core.clock import today
from talent_service.core.config import get_settings
from talent_service.core.errors import rule_violation
from talent_service.reference.enums import Role, Source

_SOURCE = {
    Role.firm: Source.firm,
    Role.bureau: Source.bureau,
    Role.province: Source.province,
    Role.client: Source.client,
}


def source_of(principal: Principal) -> Source:
    return _SOURCE[principal.role]


def authority_of(principal: Principal) -> str:
    """The party behind an act, as stored beside it: ``province``, a bureau's or a city-bound
    client's city code, ``firm:<id>``, or an unbound client's subject."""
    if principal.role is Role.province:
        return "province"
    if principal.role is Role.firm:
        return f"firm:{principal.firm_id}"
    return principal.city_code or principal.subject


def check_not_future(field_name: str, day: date) -> date:
    """A fact recorded now cannot take effect after today (the province's date); gives today."""
    now = today()
    if day > now:
        raise rule_violation(field_name, f"{day} is in the future (today is {now})")
    return now


def check_effective_on(
    field_name: str, effective_on: date, *, not_before: date, not_before_reason: str
) -> date:
    """The date an authority gives a fact it records now: not in the future, not before
    ``not_before`` (e.g. the center's opening or its latest status change), and not further
    back than ``TALENT_BACKDATE_LIMIT_DAYS``."""
    now = check_not_future(field_name, effective_on)
    if effective_on < not_before:
        raise rule_violation(field_name, f"before {not_before_reason} ({not_before})")
    limit = get_settings().backdate_limit_days
    if effective_on < now - timedelta(days=limit):
        raise rule_violation(
            field_name,
            f"more than {limit} days back (TALENT_BACKDATE_LIMIT_DAYS); "
            "an older date is a correction of the record for the province",
        )
    return effective_on
