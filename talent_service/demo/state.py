"""What the demo's stages share: the plan of each firm, center and spell, the rows written so far,
and the small date helpers every stage draws with.

Two random streams: ``rng`` draws the registry (firms, centers, people, spells) exactly as it was
drawn before facts were dated, ``facts`` draws their history (tier periods, status events,
declarations and reviews) on top, so that adding history never reshuffles the people.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar

from sqlmodel import Session

from talent_service.core.clock import PROVINCE_TZ
from talent_service.demo.people import People
from talent_service.models import (
    Center,
    CenterStatusEvent,
    City,
    Enclave,
    Firm,
    FirmTierPeriod,
    Talent,
    TalentFirm,
)
from talent_service.reference.enums import (
    CenterKind,
    CenterStatus,
    DeclaredFact,
    DepartureReason,
    FirmTier,
    Source,
    Verification,
)

T = TypeVar("T")


@dataclass(eq=False)
class FirmPlan:
    row: Firm
    tier: FirmTier  # the tier of its latest approved certificate
    trade: str
    industry_short: str
    title_field: str
    centers: list[Center] = field(default_factory=list)
    issued: date | None = None  # the latest approved certificate's first day


@dataclass(eq=False)
class CenterPlan:
    firm: FirmPlan
    kind: CenterKind
    area: float
    opened: date
    status: CenterStatus
    space: int | None = None  # index into catalog.ENCLAVES
    closed: date | None = None
    decided_on: date | None = None
    note: str | None = None


@dataclass(eq=False)
class Spell:
    talent: Talent
    firm: FirmPlan
    center: Center | None
    hired: date
    departed: date | None
    reason: DepartureReason | None
    si_city: str
    via_program: bool
    key_post: bool
    position: str


@dataclass(slots=True, eq=False)
class DeclarationRow:
    """A ``Declaration`` to write. There are thousands: they go in as one bulk insert of plain
    values, not as ORM objects (each costs a model's validation and a unit-of-work entry)."""

    fact: DeclaredFact
    value: str | None
    effective_on: date
    source: Source
    recorded_by: str
    recorded_at: datetime
    detail: str | None = None
    source_firm_id: int | None = None
    source_city_code: str | None = None
    verification: Verification = Verification.declared
    reviewed_by: str | None = None
    reviewed_at: datetime | None = None
    evidence: str | None = None
    review_note: str | None = None

    def values(self, talent_id: int) -> dict[str, Any]:
        return {"talent_id": talent_id, "version": 1} | {
            f.name: getattr(self, f.name) for f in fields(self)
        }


@dataclass
class Demo:
    """The load in progress: inputs, plans, and the rows each stage adds."""

    session: Session
    rng: random.Random
    facts: random.Random
    cities: dict[str, City]
    people: People
    hosts: list[str] = field(default_factory=list)
    homes: list[str] = field(default_factory=list)
    firms: list[FirmPlan] = field(default_factory=list)
    story: FirmPlan | None = None
    province_subject: str = ""
    bureau_subject: dict[str, str] = field(default_factory=dict)  # city code -> "user:<id>"
    firm_subject: dict[int, str] = field(default_factory=dict)  # firm id -> "user:<id>"
    users: int = 0
    enclaves: list[Enclave] = field(default_factory=list)
    enclave_partners: dict[str, list[int]] = field(default_factory=dict)  # home -> ENCLAVES idx
    centers: list[Center] = field(default_factory=list)
    center_plans: list[CenterPlan] = field(default_factory=list)  # beside ``centers``
    spells: list[Spell] = field(default_factory=list)
    story_spells: list[Spell] = field(default_factory=list)
    tier_periods: list[FirmTierPeriod] = field(default_factory=list)
    tier_changes: int = 0
    status_events: list[CenterStatusEvent] = field(default_factory=list)
    reinstated: int = 0
    # Rows about a person, beside the person: their talent_id is known once people are written.
    registrations: list[tuple[Talent, TalentFirm]] = field(default_factory=list)
    declarations: list[tuple[Talent, DeclarationRow]] = field(default_factory=list)


def weighted(rng: random.Random, pairs: tuple[tuple[T, float], ...]) -> T:
    return rng.choices([value for value, _ in pairs], weights=[w for _, w in pairs])[0]


def between(rng: random.Random, lo: date, hi: date) -> date:
    return lo + timedelta(days=rng.randint(0, (hi - lo).days))


def later_between(rng: random.Random, lo: date, hi: date) -> date:
    """A date in [lo, hi] leaning a little later: the program ramps up, so do its hires."""
    return lo + timedelta(days=int((hi - lo).days * rng.random() ** 0.9))


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def office_moment(rng: random.Random, day: date) -> datetime:
    """A working-hours moment on ``day`` in the province's timezone, stored in UTC."""
    moment = time(rng.randint(9, 17), rng.choice((0, 15, 30, 45)))
    return datetime.combine(day, moment, PROVINCE_TZ).astimezone(UTC)


def short(city: City) -> str:
    return city.name_zh.removesuffix("市")
