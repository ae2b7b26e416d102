"""What the retention endpoints take and return.

Rates are shares in [0, 1]; times are whole days since hire; a rate is ``null`` when it is
withheld (group below the size floor) or not identified (nobody followed that long).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Literal

from pydantic import Field

from talent_service.core.types import ResponseModel
from talent_service.reference import labels
from talent_service.reference.enums import Region
from talent_service.reference.labels import heading
from talent_service.retention.survival import MIN_GROUP_SIZE

DEFAULT_HORIZONS = (12, 24, 36)
MAX_HORIZON_MONTHS = 120
MAX_HORIZONS = 12
EARLIEST_AS_OF = date(1990, 1, 1)


class GroupBy(StrEnum):
    home_city = "home_city"
    host_city = "host_city"
    region = "region"
    firm = "firm"
    center = "center"  # type: ignore[assignment]  # shadows str.center, on purpose
    education = "education"
    hire_year = "hire_year"
    site = "site"


class Site(StrEnum):
    """Where a spell is worked: the firm's home site, or one of its enclave centers."""

    home = "home"
    enclave = "enclave"


class Level(StrEnum):
    firm = "firm"
    center = "center"  # type: ignore[assignment]  # shadows str.center, on purpose


@dataclass(frozen=True)
class PopulationQuery:
    """Which spells are counted. ``as_of=None`` means today in Asia/Shanghai."""

    as_of: date | None = None
    recruited_only: bool = True
    hire_years: tuple[int, ...] = ()
    home_city_code: str | None = None
    host_city_code: str | None = None
    firm_id: int | None = None
    center_id: int | None = None
    site: Site | None = None


# --- responses ----------------------------------------------------------------------------------


class Scope(ResponseModel):
    """Whose spells the caller may count: the visibility rule, stated."""

    level: Literal["province", "city", "firm"]
    city_code: str | None = None
    firm_id: int | None = None


class Population(ResponseModel):
    """The population definition, echoed back so a figure is never read without it."""

    as_of: date = Field(
        description="Spells hired after it are excluded; open spells are censored at it"
    )
    recruited_only: bool = Field(description="Only spells of talent recruited via the program")
    hire_years: list[int] = Field(description="Hire cohorts counted; empty means all")
    home_city_code: str | None
    host_city_code: str | None
    firm_id: int | None
    center_id: int | None
    site: Site | None
    scope: Scope


class Method(ResponseModel):
    estimator: str = "Kaplan–Meier (product-limit)"
    confidence_level: float = 0.95
    confidence_band: str = "exponential Greenwood (log-log), as lifelines"
    censoring: str = (
        "a spell still open on as_of, or whose departure falls after as_of, is censored at as_of"
    )
    months_to_days: str = "days = months * 365 // 12 (12, 24, 36 months = 365, 730, 1095 days)"
    min_group_size: int = MIN_GROUP_SIZE
    suppression: str = (
        f"groups with fewer than {MIN_GROUP_SIZE} spells report counts only; rates are withheld"
    )


class CurvePoint(ResponseModel):
    days: int = Field(description="Days since hire")
    survival: float = Field(description="Share still employed after this day")
    ci_lower: float
    ci_upper: float
    at_risk: int = Field(description="Spells still followed at the start of this day")
    left: int = Field(description="Departures on this day")
    censored: int = Field(description="Spells censored on this day")


class CurveRead(ResponseModel):
    population: Population
    method: Method
    n: int
    events: int = Field(description="Departures observed by as_of")
    censored: int
    median_tenure_days: int | None = Field(description="First day S <= 0.5; null if not reached")
    withheld: bool
    withheld_reason: str | None
    points: list[CurvePoint]


class GroupLabel(ResponseModel):
    """A group's key and names: Chinese and English for reference data, the registered name
    for firms and centers."""

    key: str
    name: str | None = None
    name_zh: str | None = None
    name_en: str | None = None

    @property
    def display_zh(self) -> str:
        return self.name_zh or self.name or self.key

    @property
    def display_en(self) -> str:
        return self.name_en or self.name or self.key


class HorizonRead(ResponseModel):
    months: int
    days: int
    at_risk: int = Field(description="Spells followed at least this long")
    survival: float | None
    ci_lower: float | None
    ci_upper: float | None


class GroupRow(ResponseModel):
    label: GroupLabel
    n: int
    events: int
    censored: int
    suppressed: bool
    suppression_reason: str | None
    median_tenure_days: int | None
    horizons: list[HorizonRead]


class SummaryRead(ResponseModel):
    population: Population
    method: Method
    group_by: GroupBy
    horizons_months: list[int]
    groups: list[GroupRow]
    total: GroupRow


class ComparisonSide(ResponseModel):
    site: Site
    n: int
    events: int
    censored: int
    suppressed: bool
    median_tenure_days: int | None
    horizons: list[HorizonRead]


class LogRankRead(ResponseModel):
    statistic: float
    p_value: float
    degrees_of_freedom: int


class ComparisonRead(ResponseModel):
    population: Population
    method: Method
    firms_compared: int = Field(description="Firms with both enclave-center and home-site spells")
    horizons_months: list[int]
    enclave: ComparisonSide
    home: ComparisonSide
    logrank: LogRankRead | None = Field(description="Null when either side is withheld")
    withheld_reason: str | None


class LowRetentionRow(ResponseModel):
    label: GroupLabel
    firm_id: int
    host_city_code: str | None = Field(description="For centers: the host city")
    n: int
    events: int
    censored: int
    at_risk: int
    survival: float
    ci_lower: float
    ci_upper: float
    clearly_below: bool = Field(description="The whole 95% band is below the threshold")


class LowRetentionRead(ResponseModel):
    population: Population
    method: Method
    level: Level
    horizon_months: int
    horizon_days: int
    threshold: float
    min_spells: int
    groups_considered: int = Field(description="Groups with spells in the population")
    too_small: int = Field(description="Groups left out: fewer than min_spells spells")
    not_followed_long_enough: int = Field(description="Groups left out: nobody followed that long")
    items: list[LowRetentionRow] = Field(description="Below the threshold, worst first")


# Group names come from the one table of names (reference/labels.py), as headings.
REGION_LABELS: dict[Region, tuple[str, str]] = {
    Region(r): (z, heading(e)) for r, (z, e) in labels.REGION.items()
}
EDUCATION_LABELS: dict[str, tuple[str, str]] = {
    str(v): (z, heading(e)) for v, (z, e) in labels.EDUCATION.items()
}
SITE_LABELS: dict[Site, tuple[str, str]] = {
    Site.home: ("企业本部", "Home site"),
    Site.enclave: ("飞地中心", "Enclave center"),
}
