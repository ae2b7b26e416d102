"""How a household record is shown: a child's birth date leaves only to whoever recorded it.

A child's birth date is a minor's personal information, which the Personal Information
Protection Law counts as sensitive (art. 28, under 14). The policies read it inside the service
(``child_age_years`` on the as-of date), and what a reader needs to tell a household's children
apart is the year; so everyone but the party that recorded the record (the firm, or the officer
or client who made it) reads ``birth_year`` and no ``birth_date``, and a record's
``effective_on`` inside the birth year reads 1 January, as the talent's own dates do
(``auth/disclosure.py``). Decisions withhold the child's age likewise
(``eligibility/decisions/disclosure.py``).
"""

from __future__ import annotations

from talent_service.auth.disclosure import shown_date
from talent_service.auth.principal import Principal
from talent_service.household.schemas import HouseholdMemberRead
from talent_service.models import HouseholdMember
from talent_service.reference.enums import Role


def recorded_by_caller(member: HouseholdMember, principal: Principal) -> bool:
    if principal.role is Role.firm:
        return member.source_firm_id is not None and member.source_firm_id == principal.firm_id
    return member.recorded_by == principal.subject


def shown(member: HouseholdMember, principal: Principal) -> HouseholdMemberRead:
    read = HouseholdMemberRead.model_validate(
        {**member.model_dump(), "birth_year": member.birth_date.year}
    )
    if recorded_by_caller(member, principal):
        return read
    effective_on = shown_date(member.effective_on, member.birth_date)
    assert effective_on is not None
    return read.model_copy(update={"birth_date": None, "effective_on": effective_on})
