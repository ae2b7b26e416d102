"""Enclave spaces. Used and free floor area derive from the centers in a space, never stored."""

from __future__ import annotations

from sqlalchemy.orm.attributes import flag_modified
from sqlmodel import Session, col, delete, select

from talent_service.auth.principal import Principal
from talent_service.auth.visibility import get_visible, scoped
from talent_service.cities.service import require_city
from talent_service.core.errors import forbidden, rule_violation
from talent_service.core.pagination import PageParams
from talent_service.core.preconditions import check_version
from talent_service.enclaves.queries import partner_cities, used_areas
from talent_service.enclaves.schemas import EnclaveCreate, EnclaveRead, EnclaveUpdate
from talent_service.models import Enclave, EnclavePartner
from talent_service.reference.enums import Role


def _require_host_authority(principal: Principal, host_city_code: str) -> None:
    if principal.role is Role.bureau and principal.city_code != host_city_code:
        raise forbidden("a city's bureau registers and edits the enclave spaces of its own city")


def _check_partners(session: Session, codes: list[str]) -> None:
    for index, code in enumerate(codes):
        require_city(session, code, f"body.partner_city_codes.{index}", prd=False)


def to_read(session: Session, enclaves: list[Enclave]) -> list[EnclaveRead]:
    ids = [e.id for e in enclaves if e.id is not None]
    used, partners = used_areas(session, ids), partner_cities(session, ids)
    out = []
    for enclave in enclaves:
        assert enclave.id is not None
        occupied = round(used.get(enclave.id, 0.0), 2)
        out.append(
            EnclaveRead(
                **enclave.model_dump(),
                used_floor_area_m2=occupied,
                free_floor_area_m2=round(enclave.total_floor_area_m2 - occupied, 2),
                partner_city_codes=partners.get(enclave.id, []),
            )
        )
    return out


def create_enclave(session: Session, principal: Principal, data: EnclaveCreate) -> Enclave:
    require_city(session, data.host_city_code, "body.host_city_code", prd=True)
    _require_host_authority(principal, data.host_city_code)
    _check_partners(session, data.partner_city_codes)
    enclave = Enclave(**data.model_dump(exclude={"partner_city_codes"}))
    session.add(enclave)
    session.flush()
    assert enclave.id is not None
    session.add_all(
        EnclavePartner(enclave_id=enclave.id, city_code=c) for c in data.partner_city_codes
    )
    session.flush()
    return enclave


def get_enclave(session: Session, principal: Principal, enclave_id: int) -> Enclave:
    return get_visible(session, Enclave, enclave_id, principal)


def list_enclaves(
    session: Session,
    principal: Principal,
    page: PageParams,
    *,
    host_city_code: str | None = None,
    partner_city_code: str | None = None,
) -> list[Enclave]:
    query = scoped(Enclave, principal).where(col(Enclave.id) > page.after_id)
    if host_city_code is not None:
        query = query.where(Enclave.host_city_code == host_city_code)
    if partner_city_code is not None:
        partnering = select(EnclavePartner.enclave_id).where(
            EnclavePartner.city_code == partner_city_code
        )
        query = query.where(col(Enclave.id).in_(partnering))
    return list(session.exec(query.order_by(col(Enclave.id)).limit(page.limit + 1)).all())


def update_enclave(
    session: Session,
    principal: Principal,
    enclave_id: int,
    data: EnclaveUpdate,
    expected: int | None,
) -> Enclave:
    # Locked: a center registered meanwhile must not land in a space shrinking below its use.
    enclave = get_visible(session, Enclave, enclave_id, principal, for_update=True)
    _require_host_authority(principal, enclave.host_city_code)
    check_version(enclave.version, expected)
    changes = data.model_dump(exclude_unset=True, exclude={"partner_city_codes"})
    if changes.get("total_floor_area_m2") is not None:
        used = used_areas(session, [enclave_id]).get(enclave_id, 0.0)
        if changes["total_floor_area_m2"] < used:
            raise rule_violation(
                "body.total_floor_area_m2",
                f"centers already occupy {used:g} m²; the space cannot shrink below that",
            )
    for key, value in changes.items():
        setattr(enclave, key, value)
    if data.partner_city_codes is not None:
        _check_partners(session, data.partner_city_codes)
        session.exec(delete(EnclavePartner).where(col(EnclavePartner.enclave_id) == enclave_id))
        session.add_all(
            EnclavePartner(enclave_id=enclave_id, city_code=c) for c in data.partner_city_codes
        )
    # An UPDATE even when only partners changed, so the version moves and races are detected.
    flag_modified(enclave, "name")
    session.add(enclave)
    session.flush()
    return enclave
