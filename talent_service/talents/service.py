"""A person as each caller may see them: identity helpers, the hot read by id, lists.

A firm sees its own registration of a person (the profile as it declared it, the registration's
version and date) beside the person's identity fields; it never sees what another firm, a bureau
or the province recorded, nor whether anyone registered the person before it. Bureaus, the
province and machine clients see the person's consolidated profile (``Talent``), maintained from
every declaration by ``declarations.service.refresh_profile``. Writes: ``registration.py``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, Engine
from sqlmodel import Session, col, select

from talent_service.audit import record as audit
from talent_service.auth.disclosure import birth_year, shown_id
from talent_service.auth.principal import Principal
from talent_service.auth.visibility import (
    Reach,
    View,
    employment_rule,
    get_visible,
    own_registrations,
    registered_rows,
    talent_rule,
    view_of,
    visible_rows,
)
from talent_service.core.clock import today
from talent_service.core.errors import not_found, rule_violation
from talent_service.core.pagination import PageParams
from talent_service.core.read_batcher import ReadBatcher, per_loop
from talent_service.core.security import decrypt_field, lookup_hash
from talent_service.employments.filters import spell_filters
from talent_service.models import Employment, Talent, TalentFirm
from talent_service.reference.enums import Education, Role
from talent_service.reference.identifiers import (
    IdentifierError,
    Identity,
    mask_name,
    validate_identity,
)
from talent_service.talents.schemas import TalentIdentity, TalentRead

log = logging.getLogger("talent_service.talents")
PROFILE = ("name", "education", "title_level", "title_field", "hukou_city_code")


def identity_key(identity: Identity) -> str:
    """Keyed hash of the normalised identity: the only form in which an ID is searched."""
    return lookup_hash(f"{identity.kind.value}:{identity.nationality}:{identity.number}")


def parse_identity(kind: str, number: str, nationality: str | None) -> Identity:
    try:
        return validate_identity(kind, number, nationality, today=today())
    except IdentifierError as exc:
        field_name = "body.nationality" if exc.code == "nationality" else "body.id_number"
        raise rule_violation(field_name, str(exc)) from None


# What a talent read shows; never the ciphertext or the look-up hash. Identity is the person's.
_IDENTITY: tuple[Any, ...] = (
    Talent.id,
    Talent.id_kind,
    Talent.id_masked,
    Talent.nationality,
    Talent.birth_date,
    Talent.sex,
)
_SHOWN: tuple[Any, ...] = (
    *_IDENTITY,
    Talent.name,
    Talent.education,
    Talent.title_level,
    Talent.title_field,
    Talent.hukou_city_code,
    Talent.version,
    Talent.created_at,
)
# ... and what a firm reads: the rest from its own registration, under the same keys.
_SHOWN_TO_FIRM: tuple[Any, ...] = (
    *_IDENTITY,
    TalentFirm.name,
    TalentFirm.education,
    TalentFirm.title_level,
    TalentFirm.title_field,
    TalentFirm.hukou_city_code,
    TalentFirm.version,
    col(TalentFirm.registered_at).label("created_at"),
)


def shown(talent: Talent, registration: TalentFirm | None = None) -> dict[str, Any]:
    """What a read shows, from the ORM rows: the registration's profile when there is one."""
    values = {c.key: getattr(talent, c.key) for c in _IDENTITY}
    if registration is None:
        return values | {c.key: getattr(talent, c.key) for c in _SHOWN[len(_IDENTITY) :]}
    return values | {
        **{name: getattr(registration, name) for name in PROFILE},
        "version": registration.version,
        "created_at": registration.registered_at,
    }


def to_read(
    talent: Talent | Mapping[str, Any],
    principal: Principal,
    registration: TalentFirm | None = None,
) -> TalentRead:
    values = talent if isinstance(talent, Mapping) else shown(talent, registration)
    name = values["name"]
    return TalentRead(
        id=values["id"],
        id_kind=values["id_kind"],
        # One rule for how a person is shown (auth/disclosure.py): 4 + 2 and the year.
        id_number_masked=shown_id(values["id_masked"]),
        nationality=values["nationality"],
        birth_year=birth_year(values["birth_date"]),
        sex=values["sex"],
        # Machine clients verify and count; they never need a person's name.
        name=mask_name(name) if principal.role is Role.client else name,
        education=values["education"],
        title_level=values["title_level"],
        title_field=values["title_field"],
        hukou_city_code=values["hukou_city_code"],
        version=values["version"],
        created_at=values["created_at"],
    )


def get_talent(session: Session, principal: Principal, talent_id: int) -> Talent:
    return get_visible(session, Talent, talent_id, principal)


# Reads by id group by database and by what the caller may see; see core/read_batcher.py.
_Group = tuple[Engine | Connection, View]


async def _fetch_talents(
    groups: dict[_Group, list[int]],
) -> dict[_Group, dict[int, dict[str, Any]]]:
    found = {}
    for (bind, view), keys in groups.items():
        if view.reach is Reach.firm:  # one firm per group: its registrations, joined
            found[bind, view] = await registered_rows(bind, keys, view, _SHOWN_TO_FIRM)
        else:
            found[bind, view] = await visible_rows(bind, Talent, keys, view, _SHOWN)
    return found


_talent_reads = per_loop(lambda: ReadBatcher(_fetch_talents))


async def read_talent(
    bind: Engine | Connection, principal: Principal, talent_id: int
) -> TalentRead:
    """The person as the caller may see them (the hot path: batched, plain rows; see routes)."""
    row = await _talent_reads().get((bind, view_of(principal, Talent)), talent_id)
    if row is None:
        raise not_found("talent", talent_id)
    return to_read(row, principal)


def disclose_identity(session: Session, principal: Principal, talent_id: int) -> TalentIdentity:
    talent = get_talent(session, principal, talent_id)
    # Who saw whose number is worth a log line; the number itself never is.
    log.info("identity of talent %s disclosed to %s", talent_id, principal.subject)
    # ... and an audit entry, committed before the number is sent (the route's WriteSessionDep).
    audit.record(session, principal, "talent.identity", "talent", talent_id, "disclosed")
    return TalentIdentity(
        id=talent_id,
        id_kind=talent.id_kind,
        id_number=decrypt_field(talent.id_ciphertext),
        nationality=talent.nationality,
    )


def list_talents(
    session: Session,
    principal: Principal,
    page: PageParams,
    *,
    firm_id: int | None = None,
    center_id: int | None = None,
    host_city_code: str | None = None,
    home_city_code: str | None = None,
    hire_year: int | None = None,
    still_employed: bool | None = None,
    education: Education | None = None,
) -> list[tuple[Talent, TalentFirm | None]]:
    """Each person with the caller's registration of them (a firm), or None (everyone else)."""
    query: Any
    if principal.role is Role.firm:
        # A firm filters on what it declared: filtering on the consolidated profile would tell
        # it what other parties declared about its people.
        query = own_registrations(principal)
        education_column: Any = TalentFirm.education
    else:
        query = select(Talent).where(talent_rule(principal))
        education_column = Talent.education
    query = query.where(col(Talent.id) > page.after_id)
    if education is not None:
        query = query.where(education_column == education)
    # Filters on employment look only at the spells the caller may see.
    on_spells = spell_filters(
        firm_id=firm_id,
        center_id=center_id,
        host_city_code=host_city_code,
        home_city_code=home_city_code,
        hire_years=() if hire_year is None else (hire_year,),
        still_employed=True if still_employed else None,  # "no longer employed": below
    )
    if on_spells:
        spells = select(Employment.talent_id).where(employment_rule(principal), *on_spells)
        query = query.where(col(Talent.id).in_(spells))
    if still_employed is False:
        open_spells = select(Employment.talent_id).where(
            employment_rule(principal), col(Employment.departed_on).is_(None)
        )
        query = query.where(col(Talent.id).not_in(open_spells))
    rows = session.exec(query.order_by(col(Talent.id)).limit(page.limit + 1)).all()
    if principal.role is Role.firm:
        return [(talent, registration) for talent, registration in rows]
    return [(talent, None) for talent in rows]
