from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, Engine
from sqlmodel import Session, col, select

from talent_service.auth.principal import Principal
from talent_service.auth.visibility import (
    View,
    employment_rule,
    get_visible,
    scoped,
    view_of,
    visible_rows,
)
from talent_service.centers.service import resolve_firm
from talent_service.cities.service import require_city
from talent_service.core.clock import today
from talent_service.core.errors import not_found, rule_violation
from talent_service.core.pagination import PageParams
from talent_service.core.preconditions import check_version
from talent_service.core.read_batcher import ReadBatcher, per_loop
from talent_service.core.security import decrypt_field, encrypt_field, lookup_hash
from talent_service.employments.filters import spell_filters
from talent_service.models import Employment, Talent, TalentFirm
from talent_service.reference.enums import Education, Role
from talent_service.reference.identifiers import (
    IdentifierError,
    Identity,
    mask_id,
    mask_name,
    validate_identity,
)
from talent_service.talents.schemas import TalentCreate, TalentIdentity, TalentRead, TalentUpdate

log = logging.getLogger("talent_service.talents")
_PROFILE = ("name", "education", "title_level", "title_field", "hukou_city_code")


def identity_key(identity: Identity) -> str:
    """Keyed hash of the normalised identity: the only form in which an ID is searched."""
    return lookup_hash(f"{identity.kind.value}:{identity.nationality}:{identity.number}")


def parse_identity(kind: str, number: str, nationality: str | None) -> Identity:
    try:
        return validate_identity(kind, number, nationality, today=today())
    except IdentifierError as exc:
        field_name = "body.nationality" if exc.code == "nationality" else "body.id_number"
        raise rule_violation(field_name, str(exc)) from None


def register_talent(session: Session, principal: Principal, data: TalentCreate) -> Talent:
    """Create the person, or attach the firm to the person already known by this ID.

    An attaching firm learns nothing another firm recorded: the answer is the same 201 with the
    profile as this firm declared it (the latest declaration becomes the person's profile).
    """
    firm = resolve_firm(session, principal, data.firm_id)
    if data.hukou_city_code is not None:
        require_city(session, data.hukou_city_code, "body.hukou_city_code")
    identity = parse_identity(data.id_kind, data.id_number, data.nationality)
    key = identity_key(identity)
    # Locked when known: two firms attaching to one person at once take turns.
    talent = session.exec(select(Talent).where(Talent.id_lookup == key).with_for_update()).first()
    profile = data.model_dump(include=set(_PROFILE))
    if talent is None:
        talent = Talent(
            id_kind=identity.kind,
            id_lookup=key,
            id_ciphertext=encrypt_field(identity.number),
            id_masked=mask_id(identity.number),
            nationality=identity.nationality,
            birth_date=identity.birth_date,
            sex=identity.sex,
            **profile,
        )
    else:
        for name, value in profile.items():
            setattr(talent, name, value)
    session.add(talent)
    session.flush()
    assert talent.id is not None and firm.id is not None
    if session.get(TalentFirm, (talent.id, firm.id)) is None:
        session.add(TalentFirm(talent_id=talent.id, firm_id=firm.id))
        session.flush()
    return talent


# What a talent read shows; never the ciphertext or the look-up hash.
_SHOWN: tuple[Any, ...] = (
    Talent.id,
    Talent.id_kind,
    Talent.id_masked,
    Talent.nationality,
    Talent.birth_date,
    Talent.sex,
    Talent.name,
    Talent.education,
    Talent.title_level,
    Talent.title_field,
    Talent.hukou_city_code,
    Talent.version,
    Talent.created_at,
)


def to_read(talent: Talent | Mapping[str, Any], principal: Principal) -> TalentRead:
    values = (
        talent if isinstance(talent, Mapping) else {c.key: getattr(talent, c.key) for c in _SHOWN}
    )
    name = values["name"]
    return TalentRead(
        id=values["id"],
        id_kind=values["id_kind"],
        id_number_masked=values["id_masked"],
        nationality=values["nationality"],
        birth_date=values["birth_date"],
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
    return {
        (bind, view): await visible_rows(bind, Talent, keys, view, _SHOWN)
        for (bind, view), keys in groups.items()
    }


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
) -> list[Talent]:
    query = scoped(Talent, principal).where(col(Talent.id) > page.after_id)
    if education is not None:
        query = query.where(Talent.education == education)
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
    return list(session.exec(query.order_by(col(Talent.id)).limit(page.limit + 1)).all())


def update_talent(
    session: Session, principal: Principal, talent_id: int, data: TalentUpdate, expected: int | None
) -> Talent:
    talent = get_visible(session, Talent, talent_id, principal, for_update=True)
    check_version(talent.version, expected)
    changes = data.model_dump(exclude_unset=True)
    if changes.get("hukou_city_code") is not None:
        require_city(session, changes["hukou_city_code"], "body.hukou_city_code")
    for name, value in changes.items():
        setattr(talent, name, value)
    session.add(talent)
    session.flush()
    return talent
