"""Recording and reading a talent's household members (children): dated records, never edited.

Who may write: the parties that may declare facts about the person (a firm for talent it
registered, a bureau for talent it sees, the province). Who may read: whoever may read the
person; a firm sees only the records it made (``auth.visibility``), as with declarations.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlmodel import Session, col, select

from talent_service.auth.principal import Principal
from talent_service.auth.provenance import check_not_future, source_of
from talent_service.auth.visibility import get_visible, scoped
from talent_service.cities.service import require_city
from talent_service.core.errors import conflict, rule_violation
from talent_service.household.schemas import HouseholdMemberCreate
from talent_service.models import HouseholdMember, Talent
from talent_service.models.base import utcnow
from talent_service.reference.enums import Role

MAX_LISTED = 200  # a household is small; a bound keeps the read bounded whatever is stored


def city_of_district(code: str) -> str:
    """The prefecture city a GB/T 2260 district code lies in (its first four digits + 00)."""
    return code[:4] + "00"


def record(
    session: Session, principal: Principal, talent_id: int, data: HouseholdMemberCreate
) -> HouseholdMember:
    """A new record about one of the person's household members.

    The person's row is locked first, as every write about a person does: two replacements of
    the same record take turns, and the second is refused (409) rather than forking the line
    (the unique ``replaces_id`` is the backstop).
    """
    talent = get_visible(session, Talent, talent_id, principal, for_update=True)
    check_not_future("body.birth_date", data.birth_date)
    check_not_future("body.effective_on", data.effective_on)
    if data.effective_on < data.birth_date:
        raise rule_violation("body.effective_on", f"before the birth date ({data.birth_date})")
    if talent.birth_date is not None and data.birth_date <= talent.birth_date:
        raise rule_violation(
            "body.birth_date", f"not after the talent's own birth date ({talent.birth_date})"
        )
    if data.district_code is not None:
        require_city(session, city_of_district(data.district_code), "body.district_code")
    if data.replaces_id is not None:
        _check_replaceable(session, principal, talent_id, data.replaces_id, data.effective_on)
    member = HouseholdMember(
        talent_id=talent_id,
        relation=data.relation,
        birth_date=data.birth_date,
        school_stage=data.school_stage,
        district_code=data.district_code,
        effective_on=data.effective_on,
        replaces_id=data.replaces_id,
        source=source_of(principal),
        source_firm_id=principal.firm_id if principal.role is Role.firm else None,
        recorded_by=principal.subject,
        recorded_at=utcnow(),
    )
    session.add(member)
    session.flush()
    return member


def _check_replaceable(
    session: Session, principal: Principal, talent_id: int, replaces_id: int, effective_on: date
) -> None:
    # The same answer whether the record is another firm's or does not exist.
    old = session.exec(
        scoped(HouseholdMember, principal).where(
            col(HouseholdMember.id) == replaces_id, col(HouseholdMember.talent_id) == talent_id
        )
    ).first()
    if old is None:
        raise rule_violation(
            "body.replaces_id", "not a household record of this person you may replace"
        )
    if effective_on < old.effective_on:
        raise rule_violation(
            "body.replaces_id", f"the record replaced holds from {old.effective_on}, later"
        )
    taken = session.exec(
        select(HouseholdMember.id).where(col(HouseholdMember.replaces_id) == replaces_id)
    ).first()
    if taken is not None:
        raise conflict(f"record {replaces_id} was already replaced", "body.replaces_id")


def members_of(session: Session, principal: Principal, talent_id: int) -> Sequence[HouseholdMember]:
    """The person's household records the caller may see, oldest first."""
    get_visible(session, Talent, talent_id, principal)
    return _visible_members(session, principal, talent_id)


def _visible_members(
    session: Session, principal: Principal, talent_id: int
) -> Sequence[HouseholdMember]:
    return session.exec(
        scoped(HouseholdMember, principal)
        .where(col(HouseholdMember.talent_id) == talent_id)
        .order_by(col(HouseholdMember.id))
        .limit(MAX_LISTED)
    ).all()


def member_on(
    session: Session, principal: Principal, talent_id: int, member_id: int, as_of: date
) -> HouseholdMember | None:
    """The record of the member ``member_id`` names (any record of its line) in force on
    ``as_of``: the latest of the line, among those the caller may see, holding from that day
    or before. None when none holds yet. Refused when the caller may not see ``member_id``.
    The caller has already been shown to see the person (a check reads them first)."""
    line = _visible_members(session, principal, talent_id)
    by_id = {m.id: m for m in line}
    if member_id not in by_id:
        raise rule_violation(
            "body.household_member_id", "not a household member of this person you may see"
        )
    replaced_by = {m.replaces_id: m for m in line if m.replaces_id is not None}
    first = by_id[member_id]
    while first.replaces_id is not None and first.replaces_id in by_id:
        first = by_id[first.replaces_id]
    current: HouseholdMember | None = None
    node: HouseholdMember | None = first
    while node is not None:
        if node.effective_on <= as_of:
            current = node
        node = replaced_by.get(node.id) if node.id is not None else None
    return current
