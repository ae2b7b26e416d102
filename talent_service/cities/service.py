"""Cities are reference data loaded by a migration; they change only with a new migration, so
one read per process is enough."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from talent_service.cities.schemas import CityRead
from talent_service.core.errors import not_found, rule_violation
from talent_service.models import City
from talent_service.reference.enums import Region

# Per database (engine). Read on a miss through the caller's own session: a second connection
# would wait for the write lock that the caller's transaction may hold (SQLite).
_by_engine: dict[Engine, dict[str, CityRead]] = {}


def all_cities(session: Session) -> dict[str, CityRead]:
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    cities = _by_engine.get(engine)
    if cities is None:
        rows = session.exec(select(City).order_by(City.code)).all()
        cities = _by_engine[engine] = {row.code: CityRead.model_validate(row) for row in rows}
    return cities


def get_city(session: Session, code: str) -> CityRead:
    city = all_cities(session).get(code)
    if city is None:
        raise not_found("city", code)
    return city


def require_city(
    session: Session, code: str, field_name: str, *, prd: bool | None = None
) -> CityRead:
    """The city, or a rule violation naming the field: unknown code, or wrong side of the program.

    ``prd=True`` requires a Pearl River Delta city (a host), ``prd=False`` one outside it (a home).
    """
    city = all_cities(session).get(code)
    if city is None:
        raise rule_violation(field_name, f"unknown city code {code!r} (GB/T 2260, e.g. 440300)")
    if prd is True and city.region is not Region.prd:
        raise rule_violation(
            field_name, f"{city.name_en} ({code}) is not a Pearl River Delta city; hosts must be"
        )
    if prd is False and city.region is Region.prd:
        raise rule_violation(
            field_name,
            f"{city.name_en} ({code}) is a Pearl River Delta city; the program serves firms "
            "based in eastern, western and northern Guangdong",
        )
    return city
