"""Retention endpoints: curve, summary (JSON, CSV, XLSX), comparison, low-retention list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import Depends, Query, Request, Response
from pydantic import Field

from talent_service.audit import record as audit
from talent_service.auth.access import Access
from talent_service.auth.principal import SCOPE_RETENTION_READ, Principal
from talent_service.core.problems import problem_responses
from talent_service.core.types import CityQuery, IdQuery
from talent_service.core.unit_of_work import SessionDep, api_router, own_unit
from talent_service.reference.enums import Role
from talent_service.retention import export, service
from talent_service.retention.schemas import (
    MAX_HORIZON_MONTHS,
    MAX_HORIZONS,
    ComparisonRead,
    CurveRead,
    GroupBy,
    Level,
    LowRetentionRead,
    PopulationQuery,
    Site,
    SummaryRead,
)
from talent_service.retention.survival import MIN_GROUP_SIZE

router = api_router(prefix="/retention", tags=["retention"])

READ = Access(Role.province, Role.bureau, Role.firm, Role.client, scope=SCOPE_RETENTION_READ)
ReaderDep = Annotated[Principal, Depends(READ)]
Months = Annotated[int, Field(ge=1, le=MAX_HORIZON_MONTHS)]
Year = Annotated[int, Field(ge=1990, le=2100)]
HorizonsQuery = Annotated[
    list[Months] | None,
    Query(
        max_length=MAX_HORIZONS,
        description="Months after hire, repeatable (horizons=12&horizons=24); default 12, 24, 36",
    ),
]
PROBLEMS = problem_responses(422)


def _population(
    as_of: date | None,
    recruited_only: bool,
    hire_year: list[int] | None,
    home_city_code: str | None,
    firm_id: int | None,
    host_city_code: str | None = None,
    center_id: int | None = None,
    site: Site | None = None,
) -> PopulationQuery:
    return PopulationQuery(
        as_of=as_of,
        recruited_only=recruited_only,
        hire_years=tuple(hire_year or ()),
        home_city_code=home_city_code,
        host_city_code=host_city_code,
        firm_id=firm_id,
        center_id=center_id,
        site=site,
    )


AsOfQuery = Annotated[
    date | None,
    Query(
        description="Count as of this date (default today, Asia/Shanghai): later hires are "
        "excluded, spells still open then are censored at it"
    ),
]
RecruitedQuery = Annotated[
    bool, Query(description="Only talent recruited via the program (false: every spell)")
]
HireYearQuery = Annotated[
    list[Year] | None, Query(max_length=30, description="Hire cohort(s), repeatable")
]


def population_params(
    as_of: AsOfQuery = None,
    recruited_only: RecruitedQuery = True,
    hire_year: HireYearQuery = None,
    home_city_code: CityQuery = None,
    host_city_code: CityQuery = None,
    firm_id: IdQuery = None,
    center_id: IdQuery = None,
    site: Annotated[Site | None, Query(description="home site or enclave center")] = None,
) -> PopulationQuery:
    return _population(
        as_of, recruited_only, hire_year, home_city_code, firm_id, host_city_code, center_id, site
    )


def paired_population_params(
    as_of: AsOfQuery = None,
    recruited_only: RecruitedQuery = True,
    hire_year: HireYearQuery = None,
    home_city_code: CityQuery = None,
    firm_id: IdQuery = None,
) -> PopulationQuery:
    """The comparison takes both sites of each firm, so it has no site/center/host filter."""
    return _population(as_of, recruited_only, hire_year, home_city_code, firm_id)


PopulationDep = Annotated[PopulationQuery, Depends(population_params)]


@dataclass(frozen=True)
class SummaryParams:
    group_by: GroupBy
    horizons: list[int] | None


def summary_params(
    group_by: Annotated[GroupBy, Query(description="What to group the spells by")] = (
        GroupBy.home_city
    ),
    horizons: HorizonsQuery = None,
) -> SummaryParams:
    return SummaryParams(group_by, horizons)


SummaryParamsDep = Annotated[SummaryParams, Depends(summary_params)]


@router.get(
    "/curve",
    response_model=CurveRead,
    summary="Kaplan–Meier retention curve of a population",
    responses=PROBLEMS,
)
def read_curve(principal: ReaderDep, session: SessionDep, population: PopulationDep) -> CurveRead:
    return service.curve(session, principal, population)


@router.get(
    "/summary",
    response_model=SummaryRead,
    summary="Retention at horizons, counts and median tenure per group",
    responses=PROBLEMS,
)
def read_summary(
    principal: ReaderDep, session: SessionDep, population: PopulationDep, params: SummaryParamsDep
) -> SummaryRead:
    return service.summary(session, principal, population, params.group_by, params.horizons)


def _summary(
    request: Request, principal: Principal, population: PopulationQuery, params: SummaryParams
) -> SummaryRead:
    """An export's figures, on a read unit of its own that ends before ``_exported`` begins."""
    with own_unit(request, writes=False) as session:
        return service.summary(session, principal, population, params.group_by, params.horizons)


def _exported(request: Request, principal: Principal, name: str) -> None:
    """The export's audit entry, committed before the file is sent, in a short unit of its own
    after the figures were computed: on SQLite a writing unit holds the one write lock, which a
    long computation must not keep from every other writer."""
    with own_unit(request, writes=True) as session:
        audit.record(session, principal, "retention.export", "retention_summary", name, "exported")


def _file_response(body: bytes, media_type: str, name: str) -> Response:
    disposition = {"Content-Disposition": export.content_disposition(name)}
    return Response(body, media_type=media_type, headers=disposition)


def _file_doc(media_type: str, what: str) -> dict[int | str, dict[str, Any]]:
    return {
        200: {
            "description": what,
            "content": {media_type: {"schema": {"type": "string", "format": "binary"}}},
        },
        **PROBLEMS,
    }


@router.get(
    "/summary.csv",
    response_class=Response,
    summary="The summary as CSV (UTF-8 with BOM, Chinese headers)",
    responses=_file_doc("text/csv", "CSV, one row per group and a total row"),
)
def download_summary_csv(
    principal: ReaderDep, population: PopulationDep, params: SummaryParamsDep, request: Request
) -> Response:
    summary = _summary(request, principal, population, params)
    name = export.filename(summary, "csv")
    body = export.summary_csv(summary)
    _exported(request, principal, name)
    return _file_response(body, export.CSV_MEDIA_TYPE, name)


@router.get(
    "/summary.xlsx",
    response_class=Response,
    summary="The summary as an XLSX workbook (Chinese headers, method sheet)",
    responses=_file_doc(export.XLSX_MEDIA_TYPE, "Workbook: summary sheet and About sheet"),
)
def download_summary_xlsx(
    principal: ReaderDep, population: PopulationDep, params: SummaryParamsDep, request: Request
) -> Response:
    summary = _summary(request, principal, population, params)
    name = export.filename(summary, "xlsx")
    body = export.summary_xlsx(summary)
    _exported(request, principal, name)
    return _file_response(body, export.XLSX_MEDIA_TYPE, name)


@router.get(
    "/comparison",
    response_model=ComparisonRead,
    summary="Enclave-center vs home-site retention of the same firms, with a log-rank test",
    responses=PROBLEMS,
)
def read_comparison(
    principal: ReaderDep,
    session: SessionDep,
    population: Annotated[PopulationQuery, Depends(paired_population_params)],
    horizons: HorizonsQuery = None,
) -> ComparisonRead:
    return service.comparison(session, principal, population, horizons)


@router.get(
    "/low-retention",
    response_model=LowRetentionRead,
    summary="Firms or centers whose retention at a horizon is below a threshold, worst first",
    responses=PROBLEMS,
)
def read_low_retention(
    principal: ReaderDep,
    session: SessionDep,
    population: PopulationDep,
    level: Annotated[Level, Query(description="firm or center")] = Level.firm,
    horizon_months: Annotated[int, Query(ge=1, le=MAX_HORIZON_MONTHS)] = 12,
    threshold: Annotated[
        float, Query(gt=0, lt=1, description="Retention below it is listed")
    ] = 0.6,
    min_spells: Annotated[
        int, Query(ge=MIN_GROUP_SIZE, le=1_000_000, description="Smaller groups are left out")
    ] = MIN_GROUP_SIZE,
) -> LowRetentionRead:
    return service.low_retention(
        session, principal, population, level, horizon_months, threshold, min_spells
    )
