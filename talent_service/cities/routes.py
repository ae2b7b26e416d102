from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Query

from talent_service.auth.access import Access
from talent_service.auth.principal import SCOPE_REGISTRY_READ, Principal
from talent_service.cities import service
from talent_service.cities.schemas import CityRead
from talent_service.core.problems import problem_responses
from talent_service.core.unit_of_work import SessionDep, api_router
from talent_service.reference.enums import Region, Role

router = api_router(prefix="/cities", tags=["cities"])
READ = Access(Role.province, Role.bureau, Role.firm, Role.client, scope=SCOPE_REGISTRY_READ)


@router.get("", response_model=list[CityRead], summary="List Guangdong's 21 cities")
def list_cities(
    _: Annotated[Principal, Depends(READ)],
    session: SessionDep,
    region: Annotated[Region | None, Query()] = None,
) -> list[CityRead]:
    cities = service.all_cities(session).values()
    return [city for city in cities if region is None or city.region is region]


@router.get(
    "/{city_code}",
    response_model=CityRead,
    summary="Read one city",
    responses=problem_responses(404),
)
def read_city(
    _: Annotated[Principal, Depends(READ)],
    session: SessionDep,
    city_code: Annotated[str, Path(pattern=r"^\d{6}$")],
) -> CityRead:
    return service.get_city(session, city_code)
