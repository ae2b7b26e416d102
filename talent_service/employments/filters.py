"""What callers filter spells by, as WHERE clauses: shared by the talent and spell lists and the
retention population, so a filter means the same everywhere."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import ColumnElement, and_, or_
from sqlmodel import col, select

from talent_service.models import Center, Employment, Firm


def hired_in(years: Iterable[int]) -> ColumnElement[bool]:
    # A date range per year, not extract(year): the hired_on index stays usable.
    hired = col(Employment.hired_on)
    return or_(*(and_(hired >= date(y, 1, 1), hired < date(y + 1, 1, 1)) for y in sorted(years)))


def spell_filters(
    *,
    firm_id: int | None = None,
    center_id: int | None = None,
    host_city_code: str | None = None,
    home_city_code: str | None = None,
    hire_years: Iterable[int] = (),
    still_employed: bool | None = None,
) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = []
    if firm_id is not None:
        clauses.append(col(Employment.firm_id) == firm_id)
    if center_id is not None:
        clauses.append(col(Employment.center_id) == center_id)
    if host_city_code is not None:
        hosted = select(Center.id).where(Center.host_city_code == host_city_code)
        clauses.append(col(Employment.center_id).in_(hosted))
    if home_city_code is not None:
        based = select(Firm.id).where(Firm.home_city_code == home_city_code)
        clauses.append(col(Employment.firm_id).in_(based))
    years = set(hire_years)
    if years:
        clauses.append(hired_in(years))
    if still_employed is not None:
        departed = col(Employment.departed_on)
        clauses.append(departed.is_(None) if still_employed else departed.is_not(None))
    return clauses
