"""Registering a person and changing a registration: each firm its own, nobody else's.

A person (``Talent``) is stored once: identity, and the consolidated profile that bureaus, the
province and machine clients read. Each firm that registers the person has its own registration
(``TalentFirm``: the profile as that firm declared it, its own version and date) and adds its own
declarations; what another party recorded is never changed by it and never shown to it. The
consolidated profile follows all declarations (``declarations.service.refresh_profile``).

The province registers for a firm it names (the registration is that firm's) and what it states
is the province's own declarations, verified at once.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from talent_service.auth.disclosure import earliest_fact_date
from talent_service.auth.principal import Principal
from talent_service.auth.provenance import check_not_future
from talent_service.auth.visibility import get_visible
from talent_service.centers.service import resolve_firm
from talent_service.core.clock import today
from talent_service.core.errors import conflict, rule_violation
from talent_service.core.preconditions import check_version
from talent_service.core.security import encrypt_field
from talent_service.declarations.service import (
    check_value,
    declare,
    refresh_profile,
)
from talent_service.models import Talent, TalentFirm
from talent_service.reference.enums import DeclaredFact, Role
from talent_service.reference.identifiers import Identity, mask_id
from talent_service.talents.schemas import DATE_FIELDS, TalentCreate, TalentUpdate
from talent_service.talents.service import PROFILE, identity_key, parse_identity

# Talent ids are drawn at random, never counted: a sequential id (or a creation time) would tell a
# firm that registers a known person that the record is older than its own registration, which
# is exactly what it must not learn. From 2**24 up, so that no drawn id meets the ids numbered
# before random ids (migrated rows, the demo); below 2**31 - 1, the largest id the API accepts.
TALENT_ID_LOW, TALENT_ID_HIGH = 2**24, 2**31 - 1
_ID_DRAWS = 8  # with a few hundred thousand people of 2.1 billion ids, a second draw is rare


def new_talent_id(session: Session) -> int:
    for _ in range(_ID_DRAWS):
        candidate = TALENT_ID_LOW + secrets.randbelow(TALENT_ID_HIGH - TALENT_ID_LOW)
        if session.exec(select(Talent.id).where(Talent.id == candidate)).first() is None:
            # Two registrations drawing the same free id at once: the primary key refuses the
            # second one, a 409 that its caller retries.
            return candidate
    raise conflict("no free talent id was drawn; retry")


@dataclass(frozen=True)
class _Statement:
    """What a caller states about one fact of the person, and since when."""

    fact: DeclaredFact
    value: str | None
    detail: str | None
    effective_on: date


# Each declared fact: the profile fields it is made of, and the date field saying since when.
_FACTS: tuple[tuple[DeclaredFact, tuple[str, ...], str], ...] = (
    (DeclaredFact.education, ("education",), "education_awarded_on"),
    (DeclaredFact.professional_title, ("title_level", "title_field"), "title_awarded_on"),
    (DeclaredFact.hukou_city, ("hukou_city_code",), "hukou_since"),
)
assert {d for _, _, d in _FACTS} == set(DATE_FIELDS)


def _effective_on(day: date | None, field_name: str, birth_date: date | None) -> date:
    """Since when a statement holds: the date given, else today, the day it is recorded (the
    service assumes no past it was not told)."""
    if day is None:
        return today()
    check_not_future(field_name, day)
    # Only before the birth year: refusing days before the birthday would let a caller find
    # the birth date by trying dates (auth/disclosure.py).
    earliest = earliest_fact_date(birth_date)
    if earliest is not None and day < earliest:
        raise rule_violation(field_name, f"{day} is before the person's birth year")
    return day


def _statement(fact: DeclaredFact, profile: dict[str, Any], effective_on: date) -> _Statement:
    if fact is DeclaredFact.education:
        return _Statement(fact, profile["education"].value, None, effective_on)
    if fact is DeclaredFact.professional_title:
        return _Statement(fact, profile["title_level"].value, profile["title_field"], effective_on)
    return _Statement(fact, profile["hukou_city_code"], None, effective_on)


def _statements(
    profile: dict[str, Any],
    dates: dict[str, date | None],
    birth_date: date | None,
    only: set[DeclaredFact] | None = None,
) -> list[_Statement]:
    """The statements of ``profile`` (those of the facts in ``only``), dates checked first."""
    return [
        _statement(fact, profile, _effective_on(dates.get(day), f"body.{day}", birth_date))
        for fact, _, day in _FACTS
        if only is None or fact in only
    ]


def _declare_all(
    session: Session, principal: Principal, talent: Talent, statements: list[_Statement]
) -> None:
    assert talent.id is not None
    for s in statements:
        declare(
            session,
            principal,
            talent.id,
            s.fact,
            s.value,
            effective_on=s.effective_on,
            detail=s.detail,
        )
    if statements:
        refresh_profile(session, talent)


def register_talent(
    session: Session, principal: Principal, data: TalentCreate
) -> tuple[Talent, TalentFirm]:
    """The firm's registration of the person, with the person created if the ID is new.

    Known or not, the firm gets the same answer (its registration), so registering is no way to
    learn whether someone else registered the person. A person the firm registered already is
    a retry when the profile sent equals its registration (answered unchanged), else a conflict
    (PATCH changes a registration); both tell the firm only about its own records.
    """
    firm = resolve_firm(session, principal, data.firm_id)
    check_value(session, DeclaredFact.hukou_city, data.hukou_city_code, "body.hukou_city_code")
    identity = parse_identity(data.id_kind, data.id_number, data.nationality)
    profile = data.model_dump(include=set(PROFILE))
    dates = data.model_dump(include=set(DATE_FIELDS))
    statements = _statements(profile, dates, identity.birth_date)  # all checked before writing
    key = identity_key(identity)
    # Registrations of one person take turns: a known person's row is locked (and with it the
    # refresh of its profile from its declarations); a new one is serialised on its look-up key
    # first (PostgreSQL; SQLite writers take turns anyway), so that of two firms registering the
    # same new ID at once the second finds the person the first created. Without it the second
    # would meet the unique key and answer 409, telling that firm that someone else was
    # registering the ID at that moment.
    _serialise_on(session, key)
    talent = session.exec(select(Talent).where(Talent.id_lookup == key).with_for_update()).first()
    if talent is None:
        talent = _new_person(session, identity, key, profile)
    else:
        mine = session.get(TalentFirm, (talent.id, firm.id))
        if mine is not None:
            return talent, _registered_already(talent, mine, profile)
    assert talent.id is not None and firm.id is not None
    registration = TalentFirm(talent_id=talent.id, firm_id=firm.id, **profile)
    session.add(registration)
    _declare_all(session, principal, talent, statements)
    session.flush()
    return talent, registration


def _serialise_on(session: Session, key: str) -> None:
    """A transaction-scoped lock on the person's look-up key, released at commit or rollback."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            sa.text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": key}
        )


def _new_person(session: Session, identity: Identity, key: str, profile: dict[str, Any]) -> Talent:
    talent = Talent(
        id=new_talent_id(session),
        id_kind=identity.kind,
        id_lookup=key,
        id_ciphertext=encrypt_field(identity.number),
        id_masked=mask_id(identity.number),
        nationality=identity.nationality,
        birth_date=identity.birth_date,
        sex=identity.sex,
        **profile,  # the name as first registered; the profile until its declarations refresh it
    )
    session.add(talent)
    session.flush()
    return talent


def _registered_already(talent: Talent, mine: TalentFirm, profile: dict[str, Any]) -> TalentFirm:
    """A retry (the same profile) is answered with the registration unchanged; another profile
    is a conflict: a registration changes by PATCH, where If-Match guards it."""
    if any(getattr(mine, name) != value for name, value in profile.items()):
        raise conflict(
            f"this firm registered the person already, as talent {talent.id}, with another "
            f"profile; change the registration with PATCH /v1/talents/{talent.id}",
            "body.id_number",
        )
    return mine


def update_talent(
    session: Session, principal: Principal, talent_id: int, data: TalentUpdate, expected: int | None
) -> tuple[Talent, TalentFirm | None]:
    """A firm changes its own registration; the province states facts about the person.

    The person's row is locked first in every write (registration, change, profile refresh), so
    writes about one person take turns and the refresh reads every declaration made before it.
    """
    talent = get_visible(session, Talent, talent_id, principal, for_update=True)
    changes = data.model_dump(exclude_unset=True)
    dates = {name: changes.pop(name) for name in DATE_FIELDS if name in changes}
    if principal.role is Role.firm:
        # Visible to the firm means registered by it: the registration exists, and the person's
        # lock above serialises the changes to it.
        registration = session.get(TalentFirm, (talent_id, principal.firm_id))
        assert registration is not None
        check_version(registration.version, expected)
        current: dict[str, Any] = {name: getattr(registration, name) for name in PROFILE}
    else:
        registration = None
        check_version(talent.version, expected)
        current = {name: getattr(talent, name) for name in PROFILE}
    if "hukou_city_code" in changes:
        check_value(
            session, DeclaredFact.hukou_city, changes["hukou_city_code"], "body.hukou_city_code"
        )
    new = current | changes
    if registration is not None:
        # A firm declares what it changes, and what it gives a date for (e.g. a degree's award
        # date it had not stated); sending its current values again declares nothing.
        facts = {
            fact
            for fact, fields, day in _FACTS
            if day in dates or any(new[f] != current[f] for f in fields)
        }
    else:
        # The province's statement is an authority's act: each fact it names is declared (and
        # verified), even one whose value the consolidated profile already shows.
        facts = {
            fact
            for fact, fields, day in _FACTS
            if day in dates or any(f in changes for f in fields)
        }
    statements = _statements(new, dates, talent.birth_date, only=facts)
    _declare_all(session, principal, talent, statements)
    if registration is not None:
        for name, value in changes.items():  # the name too: the firm's name for the person
            setattr(registration, name, value)
        session.add(registration)
    elif "name" in changes:
        # The province corrects the person's name; the profile follows its declarations only.
        # Set after the profile's refresh, so that the person's row is updated once (one version).
        talent.name = changes["name"]
        session.add(talent)
    session.flush()
    return talent, registration
