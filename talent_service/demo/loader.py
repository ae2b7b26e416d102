"""Deterministic demo data for an empty database (``talent-service demo``).

Everything is drawn from one ``random.Random(seed)`` against fixed dates, so the same seed gives
the same rows (apart from surrogate ids, ciphertext nonces and ``created_at`` stamps). The data
describe the program as of ``AS_OF`` (2026-06-30): hires run 2021-2025 and no departure, closure
or decision is later than that date. Nothing here reads the clock.

The rows are written as the services would write them (same identifier normalisation, keyed
look-up hash, encryption and masking as ``talents.service.register_talent``; the center rules of
``centers.service``: PRD host, non-PRD home, host city = the space's host city, a space partners
the firm's home city, the floor area fits) but in batches: a flush per stage, not per row.

The loader flushes and never commits; the caller's unit of work commits.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar

from sqlmodel import Session, col, select

from talent_service.accounts.service import MIN_PASSWORD
from talent_service.core.clock import PROVINCE_TZ
from talent_service.core.errors import CONFLICT, DomainError, rule_violation
from talent_service.core.security import hash_password
from talent_service.demo import catalog
from talent_service.demo.catalog import (
    AS_OF,
    ATTRITION,
    BASE_TIERS,
    CENTER_AREA,
    CENTER_KINDS,
    CENTERS,
    CERT_PREFIX,
    DEPARTURE_REASONS,
    EDUCATION_MIX,
    FIRMS_PER_CITY,
    FOREIGN_TALENT,
    HIRING_WEIGHT,
    MOVERS,
    RANDOM_TALENTS,
    TRANSFERS,
)
from talent_service.demo.names import CITY_INDUSTRIES, brand, firm_name
from talent_service.demo.people import People
from talent_service.models import (
    Center,
    City,
    Employment,
    Enclave,
    EnclavePartner,
    Firm,
    Talent,
    TalentFirm,
    User,
)
from talent_service.reference.enums import (
    LABELS,
    CenterKind,
    CenterStatus,
    DepartureReason,
    Education,
    FirmTier,
    Region,
    Role,
)
from talent_service.reference.identifiers import (
    IdKind,
    known_region_codes_for,
    synthetic_uscc,
)

HIRE_START, HIRE_END = date(2021, 1, 1), date(2025, 12, 31)
CENTER_OPEN_START, CENTER_OPEN_END = date(2020, 6, 1), date(2025, 9, 30)

# The design brief's story: a Shantou firm kept 1 of the 20 master's-or-above recruits it hired.
STORY_FIRM_NAME = "汕头市粤东精工智能装备有限公司"
STORY_GROUP_SIZE = 20
STORY_CENTER_OPENED = date(2022, 4, 18)

# The program's thesis, as the generator's 12-month retention targets (exponential spells;
# education shifts them a little, center closures cut some center spells short).
RETENTION_12M_CENTER = 0.86
RETENTION_12M_HOME = 0.60


@dataclass
class _FirmPlan:
    row: Firm
    trade: str
    industry_short: str
    title_field: str
    centers: list[Center] = field(default_factory=list)


@dataclass
class _CenterPlan:
    firm: _FirmPlan
    kind: CenterKind
    area: float
    opened: date
    status: CenterStatus
    space: int | None = None  # index into catalog.ENCLAVES
    closed: date | None = None
    decided_on: date | None = None
    note: str | None = None


@dataclass
class _Spell:
    talent: Talent
    firm: _FirmPlan
    center: Center | None
    hired: date
    departed: date | None
    reason: DepartureReason | None
    si_city: str
    via_program: bool
    key_post: bool
    position: str


T = TypeVar("T")


def _weighted(rng: random.Random, pairs: tuple[tuple[T, float], ...]) -> T:
    return rng.choices([value for value, _ in pairs], weights=[w for _, w in pairs])[0]


def _between(rng: random.Random, lo: date, hi: date) -> date:
    return lo + timedelta(days=rng.randint(0, (hi - lo).days))


def _later_between(rng: random.Random, lo: date, hi: date) -> date:
    """A date in [lo, hi] leaning a little later: the program ramps up, so do its hires."""
    return lo + timedelta(days=int((hi - lo).days * rng.random() ** 0.9))


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _decided_at(rng: random.Random, day: date) -> datetime:
    """A working-hours moment on ``day`` in the province's timezone, stored in UTC."""
    moment = time(rng.randint(9, 17), rng.choice((0, 15, 30, 45)))
    return datetime.combine(day, moment, PROVINCE_TZ).astimezone(UTC)


def _short(city: City) -> str:
    return city.name_zh.removesuffix("市")


class _Builder:
    def __init__(self, session: Session, rng: random.Random, cities: list[City]) -> None:
        self.session = session
        self.rng = rng
        self.cities = {c.code: c for c in cities}
        self.hosts = [c.code for c in cities if c.region is Region.prd]
        self.homes = [c.code for c in cities if c.region is not Region.prd]
        self.firms: list[_FirmPlan] = []
        self.story: _FirmPlan | None = None
        self.bureau_subject: dict[str, str] = {}
        self.province_subject = ""
        self.enclaves: list[Enclave] = []
        self.enclave_partners: dict[str, list[int]] = {}  # home city -> indexes into ENCLAVES
        self.centers: list[Center] = []
        self.people = People(rng, {c.code: c.region for c in cities})
        self.spells: list[_Spell] = []
        self.story_spells: list[_Spell] = []
        self.users = 0
        self._usccs: set[str] = set()
        self._firm_names: set[str] = set()

    # --- firms ----------------------------------------------------------------
    def build_firms(self) -> None:
        rng = self.rng
        # The story's Shantou first, so that on a fresh database its firm is firm 1.
        for code in sorted(self.homes, key=lambda c: c != catalog.SHANTOU):
            city = self.cities[code]
            for index in range(FIRMS_PER_CITY.get(code, 10)):
                industry, short, title_field = rng.choice(CITY_INDUSTRIES[code])
                is_story = code == catalog.SHANTOU and index == 0
                trade = "粤东精工" if is_story else self._unique_trade(city, industry)
                tier = FirmTier.provincial_specialized if is_story else _weighted(rng, BASE_TIERS)
                joint_stock = tier is FirmTier.little_giant and rng.random() < 0.5
                name = (
                    STORY_FIRM_NAME
                    if is_story
                    else firm_name(city.name_zh, trade, industry, joint_stock=joint_stock)
                )
                self._firm_names.add(name)
                plan = _FirmPlan(
                    row=Firm(
                        uscc=self._uscc(code),
                        name=name,
                        home_city_code=code,
                        tier=tier,
                    ),
                    trade=trade,
                    industry_short="智能装备" if is_story else short,
                    title_field="机械工程" if is_story else title_field,
                )
                if is_story:
                    self.story = plan
                self.firms.append(plan)
        # The top of the ladder is rare: 1-3 key little giants, 1-2 single champions.
        others = [f for f in self.firms if f is not self.story]
        key_count, champion_count = rng.randint(1, 3), rng.randint(1, 2)
        for i, plan in enumerate(rng.sample(others, key_count + champion_count)):
            plan.row.tier = FirmTier.key_little_giant if i < key_count else FirmTier.single_champion
            name = firm_name("", plan.trade, plan.industry_short, joint_stock=True)
            if name in self._firm_names:
                name = name.replace("股份有限公司", "集团股份有限公司")
            plan.row.name = name
            self._firm_names.add(name)
        for cert_serial, plan in enumerate(self.firms, start=1):
            held = plan.row.tier
            assert held is not None
            if rng.random() < 0.07 and plan is not self.story:
                issued = _between(rng, date(2020, 1, 1), date(2022, 12, 31))  # lapsed
            else:
                issued = _between(rng, date(2023, 7, 1), date(2025, 12, 31))
            plan.row.tier_certificate_no = f"{CERT_PREFIX[held]}-{issued.year}-{cert_serial:04d}"
            plan.row.tier_expires_on = add_years(issued, 3) - timedelta(days=1)
        self.session.add_all([f.row for f in self.firms])
        self.session.flush()

    def _unique_trade(self, city: City, industry: str) -> str:
        while True:
            trade = brand(self.rng)
            forms = {firm_name(city.name_zh, trade, industry, joint_stock=j) for j in (False, True)}
            if not forms & self._firm_names:
                return trade

    def _uscc(self, home: str) -> str:
        counties = known_region_codes_for(home[:4], 2024)
        while True:
            number = synthetic_uscc(self.rng, self.rng.choice([home, *counties]))
            if number not in self._usccs:
                self._usccs.add(number)
                return number

    # --- accounts -------------------------------------------------------------
    def build_accounts(self, password: str) -> None:
        # Argon2 is deliberately slow (~60 ms a hash): hashing the one demo password once and
        # sharing the hash keeps 160+ accounts to a single hash. Every account accepts the
        # password; a real deployment creates accounts one by one with their own passwords.
        password_hash = hash_password(password)
        province = User(username="province", password_hash=password_hash, role=Role.province)
        bureaus = [
            User(
                username=f"bureau-{code}",
                password_hash=password_hash,
                role=Role.bureau,
                city_code=code,
            )
            for code in sorted(self.cities)
        ]
        firm_users = [
            User(
                username=f"firm-{f.row.id}",
                password_hash=password_hash,
                role=Role.firm,
                firm_id=f.row.id,
            )
            for f in self.firms
        ]
        self.session.add_all([province, *bureaus, *firm_users])
        self.session.flush()
        self.province_subject = f"user:{province.id}"
        self.bureau_subject = {u.city_code or "": f"user:{u.id}" for u in bureaus}
        self.users = 1 + len(bureaus) + len(firm_users)

    # --- enclave spaces and centers --------------------------------------------
    def build_enclaves_and_centers(self) -> None:
        rng = self.rng
        for index, spec in enumerate(catalog.ENCLAVES):
            for home in spec.partners:
                self.enclave_partners.setdefault(home, []).append(index)
        used = [0.0] * len(catalog.ENCLAVES)
        # Centers are planned before the spaces are written, so that a space's area can be
        # sized to what it holds.
        assert self.story is not None
        story_space = next(
            i for i, s in enumerate(catalog.ENCLAVES) if s.partners == (catalog.SHANTOU,)
        )
        planned = [
            _CenterPlan(
                self.story,
                CenterKind.rnd,
                260.0,
                STORY_CENTER_OPENED,
                CenterStatus.accredited,
                space=story_space,
                decided_on=STORY_CENTER_OPENED + timedelta(days=35),
                note=catalog.NOTES["accredited"][0],
            )
        ]
        used[story_space] += 260.0
        others = [f for f in self.firms if f is not self.story]
        # Each fixed-size space (the brief's Shenzhen space) gets R&D centers of two partner
        # firms before anyone else, so it always hosts some whatever the seed.
        anchors: dict[int, int] = {}  # id(firm plan) -> space index
        for index, spec in enumerate(catalog.ENCLAVES):
            if spec.area_m2 is not None:
                partners = [f for f in others if f.row.home_city_code in spec.partners]
                for plan in rng.sample(partners, min(2, len(partners))):
                    anchors[id(plan)] = index
        counts = {
            id(plan): _weighted(rng, ((0, 0.15), (1, 0.63), (2, 0.19), (3, 0.03)))
            for plan in others
        }
        for key in anchors:
            counts[key] = max(1, counts[key])
        # About 160 in all, whatever the seed.
        while sum(counts.values()) < CENTERS[0] - 1:
            counts[id(rng.choice([f for f in others if counts[id(f)] < 3]))] += 1
        while sum(counts.values()) > CENTERS[1] - 1:
            counts[id(rng.choice([f for f in others if counts[id(f)] > 1]))] -= 1
        jobs = [(plan, anchors.get(id(plan))) for plan in others if id(plan) in anchors]
        jobs += [(plan, None) for plan in others if id(plan) in anchors and counts[id(plan)] > 1]
        jobs += [(plan, None) for plan in others if id(plan) not in anchors]
        for plan, anchor in jobs:
            repeat = 1 if anchor is not None else counts[id(plan)] - (id(plan) in anchors)
            for _ in range(repeat):
                kind = CenterKind.rnd if anchor is not None else _weighted(rng, CENTER_KINDS)
                lo, hi = CENTER_AREA[kind]
                area = float(rng.randrange(lo, hi + 1, 10))
                # Most centers opened in the program's early years, fewer lately.
                span = (CENTER_OPEN_END - CENTER_OPEN_START).days
                opened = CENTER_OPEN_START + timedelta(days=int(span * rng.random() ** 1.5))
                center = self._status(_CenterPlan(plan, kind, area, opened, CenterStatus.pending))
                if anchor is not None:
                    center.space = anchor
                # An R&D center of a Shanwei firm looks for the brief's space first.
                elif (
                    kind is CenterKind.rnd
                    and any(
                        catalog.ENCLAVES[i].area_m2 is not None
                        for i in self.enclave_partners.get(plan.row.home_city_code, [])
                    )
                ) or rng.random() < 0.86:
                    center.space = self._pick_space(plan.row.home_city_code, kind, area, used)
                if center.space is not None:
                    used[center.space] += area
                planned.append(center)
        self._ensure_every_status(planned)
        for index, spec in enumerate(catalog.ENCLAVES):
            total = spec.area_m2
            if total is None:
                # Sized with room to spare: 60-85% taken, never below 800 m².
                total = max(800.0, math.ceil(used[index] / rng.uniform(0.60, 0.85) / 100) * 100)
            assert used[index] <= total
            self.enclaves.append(
                Enclave(
                    name=spec.name,
                    host_city_code=spec.host,
                    district=spec.district,
                    operator=spec.operator,
                    total_floor_area_m2=total,
                )
            )
        self.session.add_all(self.enclaves)
        self.session.flush()
        self.session.add_all(
            [
                EnclavePartner(enclave_id=enclave.id or 0, city_code=home)
                for enclave, spec in zip(self.enclaves, catalog.ENCLAVES, strict=True)
                for home in spec.partners
            ]
        )
        names: set[tuple[int, str]] = set()
        for center_plan in planned:
            row = self._center(center_plan, names)
            center_plan.firm.centers.append(row)
            self.centers.append(row)
        self.session.add_all(self.centers)
        self.session.flush()

    def _pick_space(
        self, home: str, kind: CenterKind, area: float, used: list[float]
    ) -> int | None:
        """A space partnering the firm's home city with room for ``area``, if there is one.

        A space of fixed size (the brief's Shenzhen space for Shanwei firms' R&D centers) takes
        R&D centers only, and they go there first while it has room.
        """
        options = list(self.enclave_partners.get(home, []))
        self.rng.shuffle(options)
        fixed = [i for i in options if catalog.ENCLAVES[i].area_m2 is not None]
        sized = [i for i in options if catalog.ENCLAVES[i].area_m2 is None]
        for index in fixed if kind is CenterKind.rnd else []:
            limit = catalog.ENCLAVES[index].area_m2
            if limit is not None and used[index] + area <= limit:
                return index
        return sized[0] if sized else None

    def _status(self, center: _CenterPlan) -> _CenterPlan:
        """Most accredited; recent ones often pending; a few rejected, suspended or closed."""
        rng, opened = self.rng, center.opened
        if opened >= date(2025, 1, 1) and rng.random() < 0.55:
            return center  # pending: no decision yet
        roll, mature = rng.random(), opened + timedelta(days=400) < AS_OF
        if roll < 0.05:
            return self._decide(center, CenterStatus.rejected)
        if roll < 0.10 and mature:
            return self._decide(center, CenterStatus.suspended)
        if roll < 0.17 and mature:
            return self._decide(center, CenterStatus.closed)
        return self._decide(center, CenterStatus.accredited)

    def _decide(self, center: _CenterPlan, status: CenterStatus) -> _CenterPlan:
        rng, opened = self.rng, center.opened
        center.status, center.closed = status, None
        if status is CenterStatus.rejected:
            center.decided_on = opened + timedelta(days=rng.randint(20, 60))
        elif status is CenterStatus.suspended:
            center.decided_on = _between(rng, opened + timedelta(days=400), AS_OF)
        elif status is CenterStatus.closed:
            center.closed = center.decided_on = _between(rng, opened + timedelta(days=365), AS_OF)
        else:
            center.decided_on = opened + timedelta(days=rng.randint(20, 90))
        center.note = rng.choice(catalog.NOTES[status.value])
        return center

    def _ensure_every_status(self, planned: list[_CenterPlan]) -> None:
        """A few of each outcome, whatever the seed: the API's filters need something to find."""
        for status in (CenterStatus.rejected, CenterStatus.suspended, CenterStatus.closed):
            if any(p.status is status for p in planned):
                continue
            candidates = [
                p
                for p in planned
                if p.status is CenterStatus.accredited
                and p.firm is not self.story
                and p.opened + timedelta(days=400) < AS_OF
            ]
            self._decide(self.rng.choice(candidates), status)

    def _center(self, plan: _CenterPlan, names: set[tuple[int, str]]) -> Center:
        """The row: host city and address from the space (or a standalone PRD site)."""
        rng = self.rng
        if plan.space is not None:
            spec = catalog.ENCLAVES[plan.space]
            host = spec.host
            address = f"{spec.address}{rng.randint(3, 22)}层{rng.randint(1, 30):02d}室"
            enclave_id = self.enclaves[plan.space].id
        else:
            hosts = sorted(catalog.STANDALONE_HOSTS)
            host = rng.choices(hosts, weights=[catalog.STANDALONE_HOSTS[h][0] for h in hosts])[0]
            _, districts, roads = catalog.STANDALONE_HOSTS[host]
            address = (
                f"{self.cities[host].name_zh}{rng.choice(districts)}{rng.choice(roads)}"
                f"{rng.randint(1, 999)}号"
            )
            enclave_id = None
        decided_by = decided_at = None
        if plan.decided_on is not None:
            # The host city's bureau decides; now and then the province does.
            decided_by = self.bureau_subject[host] if rng.random() < 0.85 else self.province_subject
            decided_at = _decided_at(rng, plan.decided_on)
        firm_id = plan.firm.row.id
        assert firm_id is not None
        label = LABELS[plan.kind.value][0]
        base = f"{plan.firm.trade}{plan.firm.industry_short}{_short(self.cities[host])}{label}"
        name, n = base, 1
        while (firm_id, name) in names:
            n += 1
            name = f"{base}（{'一二三四五'[n - 1]}部）"
        names.add((firm_id, name))
        return Center(
            firm_id=firm_id,
            kind=plan.kind,
            host_city_code=host,
            enclave_id=enclave_id,
            name=name,
            address=address,
            floor_area_m2=plan.area,
            opened_on=plan.opened,
            closed_on=plan.closed,
            status=plan.status,
            decided_by=decided_by,
            decided_at=decided_at,
            decision_note=plan.note,
        )

    # --- talent and employment -------------------------------------------------
    def build_people(self) -> None:
        self._story_group()
        rng = self.rng
        hiring = [f for f in self.firms if f is not self.story or f.centers]
        weights = [HIRING_WEIGHT[f.row.tier or FirmTier.provincial_specialized] for f in hiring]
        for _ in range(rng.randint(*RANDOM_TALENTS)):
            while True:
                plan = rng.choices(hiring, weights=weights)[0]
                site = self._site(plan, HIRE_START, HIRE_END, prefer_center=0.72)
                if site is not None:
                    break
            center, hired = site
            education = _weighted(rng, EDUCATION_MIX)
            talent = self._resident(plan, center, hired, education)
            self._spell(talent, plan, center, hired, education)
        for nationality, kind in FOREIGN_TALENT:
            while True:
                plan = rng.choices(hiring, weights=weights)[0]
                site = self._site(plan, HIRE_START, HIRE_END, prefer_center=0.9)
                if site is not None:
                    break
            center, hired = site
            education = Education.doctor if rng.random() < 0.6 else Education.master
            talent = self.people.foreign(nationality, kind, education)
            self._spell(talent, plan, center, hired, education)
        self._transfers()
        self._movers()
        self.session.add_all(self.people.talents)
        self.session.flush()
        pairs = sorted({(s.talent.id or 0, s.firm.row.id or 0) for s in self.spells})
        self.session.add_all([TalentFirm(talent_id=t, firm_id=f) for t, f in pairs])
        self.session.add_all(
            [
                Employment(
                    talent_id=s.talent.id or 0,
                    firm_id=s.firm.row.id or 0,
                    center_id=s.center.id if s.center is not None else None,
                    position=s.position,
                    key_post=s.key_post,
                    recruited_via_program=s.via_program,
                    hired_on=s.hired,
                    departed_on=s.departed,
                    departure_reason=s.reason,
                    si_city_code=s.si_city,
                )
                for s in self.spells
            ]
        )
        self.session.flush()

    def _story_group(self) -> None:
        """Twenty master's-or-above hires at the story firm's home site in 2021; one stays."""
        rng = self.rng
        plan = self.story
        assert plan is not None
        stayer = rng.randrange(STORY_GROUP_SIZE)
        doctors = set(rng.sample(range(STORY_GROUP_SIZE), 5))
        for i in range(STORY_GROUP_SIZE):
            hired = _between(rng, date(2021, 1, 4), date(2021, 12, 20))
            education = Education.doctor if i in doctors else Education.master
            talent = self._resident(plan, None, hired, education)
            spell = self._spell(talent, plan, None, hired, education, via_program=True)
            if i == stayer:
                spell.departed, spell.reason = None, None
            else:
                # Gone within three years of the hire, most in the first eighteen months.
                last = (add_years(hired, 3) - hired).days - 10
                spell.departed = hired + timedelta(days=int(rng.triangular(45, last, 200)))
                spell.reason = (
                    DepartureReason.resigned
                    if rng.random() < 0.9
                    else DepartureReason.contract_ended
                )
            self.story_spells.append(spell)

    def _resident(
        self, plan: _FirmPlan, center: Center | None, hired: date, education: Education
    ) -> Talent:
        return self.people.resident(
            home=plan.row.home_city_code,
            host=center.host_city_code if center is not None else None,
            hired=hired,
            education=education,
            title_field=plan.title_field,
        )

    def _site(
        self, plan: _FirmPlan, earliest: date, latest: date, *, prefer_center: float
    ) -> tuple[Center | None, date] | None:
        """Where and when a hire happens: one of the firm's centers open then, or the home site.

        The story firm hires only at its center, so its 2021 home-site group stays exactly 20.
        """
        windows = []
        for center in plan.centers:
            if center.status is CenterStatus.rejected:
                continue  # the service refuses hires at a rejected center
            lo = max(earliest, center.opened_on)
            hi = (
                latest
                if center.closed_on is None
                else min(latest, center.closed_on - timedelta(days=60))
            )
            if lo <= hi:
                windows.append((center, lo, hi))
        if windows and (plan is self.story or self.rng.random() < prefer_center):
            # A center hires at a steady rate while open: a longer window, more hires.
            weights = [(hi - lo).days + 30 for _, lo, hi in windows]
            center, lo, hi = self.rng.choices(windows, weights=weights)[0]
            return center, _between(self.rng, lo, hi)
        if plan is self.story:
            return None
        return None, _later_between(self.rng, earliest, latest)

    def _spell(
        self,
        talent: Talent,
        plan: _FirmPlan,
        center: Center | None,
        hired: date,
        education: Education,
        *,
        via_program: bool | None = None,
    ) -> _Spell:
        rng = self.rng
        departed, reason = self._departure(hired, center, education)
        home = plan.row.home_city_code
        # Center staff mostly pay social insurance in the host city; some stay on the home side.
        si_city = home
        if center is not None and rng.random() < 0.88:
            si_city = center.host_city_code
        if via_program is None:
            via_program = rng.random() < (0.9 if center is not None else 0.7)
        spell = _Spell(
            talent=talent,
            firm=plan,
            center=center,
            hired=hired,
            departed=departed,
            reason=reason,
            si_city=si_city,
            via_program=via_program,
            key_post=rng.random() < (0.3 if education is Education.doctor else 0.15),
            position=_weighted(rng, catalog.POSITIONS),
        )
        self.spells.append(spell)
        return spell

    def _departure(
        self, hired: date, center: Center | None, education: Education
    ) -> tuple[date | None, DepartureReason | None]:
        rng = self.rng
        target = RETENTION_12M_CENTER if center is not None else RETENTION_12M_HOME
        hazard = -math.log(target) / 365.25 * ATTRITION[education]
        departed = hired + timedelta(days=max(21, int(rng.expovariate(hazard))))
        closed = center.closed_on if center is not None else None
        if closed is not None and departed > closed:
            # The center closed: its people left or moved back to the home site that day.
            return closed, _weighted(
                rng, ((DepartureReason.contract_ended, 0.5), (DepartureReason.transferred, 0.5))
            )
        if departed > AS_OF:
            return None, None
        return departed, _weighted(rng, DEPARTURE_REASONS)

    def _transfers(self) -> None:
        """Home-site engineers moved to their firm's PRD center: two spells, one firm."""
        rng = self.rng
        spells_of = Counter(id(s.talent) for s in self.spells)
        candidates = [
            s
            for s in self.spells
            if s.center is None and s.firm is not self.story and spells_of[id(s.talent)] == 1
        ]
        done = 0
        for spell in rng.sample(candidates, len(candidates)):
            if done == TRANSFERS:
                break
            centers = [c for c in spell.firm.centers if c.status is not CenterStatus.rejected]
            if not centers:
                continue
            center = rng.choice(centers)
            lo = max(spell.hired + timedelta(days=180), center.opened_on)
            hi = HIRE_END
            if center.closed_on is not None:
                hi = min(hi, center.closed_on - timedelta(days=60))
            if spell.departed is not None:
                hi = min(hi, spell.departed)
            if lo > hi:
                continue
            moved = _between(rng, lo, hi)
            spell.departed = moved - timedelta(days=1)
            spell.reason = DepartureReason.transferred
            education = spell.talent.education
            new = self._spell(
                spell.talent, spell.firm, center, moved, education, via_program=spell.via_program
            )
            new.position = spell.position
            done += 1

    def _movers(self) -> None:
        """People who left one firm and joined another: one person, two firms, two spells."""
        rng = self.rng
        story = {id(s.talent) for s in self.story_spells}
        spells_of = Counter(id(s.talent) for s in self.spells)
        candidates = [
            s
            for s in self.spells
            if s.reason is DepartureReason.resigned
            and s.departed is not None
            and s.departed <= date(2025, 9, 30)
            and spells_of[id(s.talent)] == 1
            and id(s.talent) not in story
        ]
        done = 0
        for spell in rng.sample(candidates, len(candidates)):
            if done == MOVERS:
                break
            assert spell.departed is not None
            same_city = [
                f
                for f in self.firms
                if f is not spell.firm and f.row.home_city_code == spell.firm.row.home_city_code
            ]
            pool = (
                same_city
                if same_city and rng.random() < 0.5
                else [f for f in self.firms if f is not spell.firm]
            )
            plan = rng.choice(pool)
            earliest = spell.departed + timedelta(days=15)
            latest = min(spell.departed + timedelta(days=180), HIRE_END)
            if earliest > latest:
                continue
            site = self._site(plan, earliest, latest, prefer_center=0.72)
            if site is None:
                continue
            center, hired = site
            self._spell(spell.talent, plan, center, hired, spell.talent.education)
            done += 1

    # --- summary --------------------------------------------------------------
    def summary(self, seed: int) -> list[str]:
        tiers = Counter(f.row.tier for f in self.firms)
        expired = sum(
            1 for f in self.firms if f.row.tier_expires_on and f.row.tier_expires_on < AS_OF
        )
        statuses = Counter(c.status for c in self.centers)
        in_spaces = sum(1 for c in self.centers if c.enclave_id is not None)
        total_area = sum(e.total_floor_area_m2 for e in self.enclaves)
        used_area = sum(c.floor_area_m2 for c in self.centers if c.enclave_id is not None)
        education = Counter(t.education for t in self.people.talents)
        foreign = sum(1 for t in self.people.talents if t.id_kind is not IdKind.resident_id)
        firms_of = Counter(t for t, _ in {(s.talent.id, s.firm.row.id) for s in self.spells})
        at_centers = sum(1 for s in self.spells if s.center is not None)
        still = sum(1 for s in self.spells if s.departed is None)
        story = self.story
        assert story is not None
        kept = sum(
            1
            for s in self.story_spells
            if s.departed is None or s.departed >= add_years(s.hired, 3)
        )

        def retention(in_space: bool) -> str:
            cutoff = add_years(AS_OF, -1)
            group = [
                s
                for s in self.spells
                if s.hired <= cutoff
                and (
                    (s.center is not None and s.center.enclave_id is not None)
                    if in_space
                    else s.center is None
                )
            ]
            kept = sum(
                1 for s in group if s.departed is None or s.departed >= add_years(s.hired, 1)
            )
            return f"{kept / len(group):.0%} of {len(group)}"

        def counts(counter: Counter[Any], order: list[Any]) -> str:
            return ", ".join(f"{counter[k]} {k.value}" for k in order if counter[k])

        return [
            f"Demo data loaded (seed {seed}); the data run to {AS_OF.isoformat()}.",
            f"  cities:         {len(self.cities)} ({len(self.hosts)} PRD host cities, "
            f"{len(self.homes)} home cities), loaded by the migration",
            f"  firms:          {len(self.firms)}: {counts(tiers, list(FirmTier))}; "
            f"{expired} tier certificates expired",
            f"  enclave spaces: {len(self.enclaves)} in "
            f"{len({e.host_city_code for e in self.enclaves})} PRD cities, "
            f"{total_area:,.0f} m² ({used_area:,.0f} m² taken by centers)",
            f"  centers:        {len(self.centers)}: {counts(statuses, list(CenterStatus))}; "
            f"{in_spaces} in enclave spaces",
            f"  talents:        {len(self.people.talents)} ({foreign} foreign): "
            f"{counts(education, [Education.master, Education.bachelor, Education.doctor, Education.below_bachelor])}; "  # noqa: E501
            f"{sum(1 for n in firms_of.values() if n > 1)} registered by two firms",
            f"  employment:     {len(self.spells)} spells: {at_centers} at centers, "
            f"{len(self.spells) - at_centers} at home sites; {still} still employed",
            f"  12-month retention: {retention(True)} at enclave centers, "
            f"{retention(False)} at home sites",
            f"  story firm:     {story.row.name} (firm id {story.row.id}): "
            f"{len(self.story_spells)} master's-or-above home-site hires in 2021, "
            f"{kept} still employed three years after hire",
            f"  accounts:       {self.users}: province, bureau-<city code> for each city, "
            "firm-<firm id> for each firm; all take the --password given",
            "  log in:         curl -d grant_type=password -d username=bureau-440300 "
            "-d password=<the password> http://127.0.0.1:8000/v1/auth/token",
            f"                  (or username=province, or username=firm-{story.row.id} "
            "for the story firm)",
        ]


def load_demo(session: Session, *, password: str, seed: int) -> list[str]:
    """Fill an empty database with deterministic demo data; return summary lines to print.

    Refuses (``DomainError``, conflict) when firms or demo accounts already exist. Flushes only.
    """
    if len(password) < MIN_PASSWORD:
        raise rule_violation("password", f"at least {MIN_PASSWORD} characters")
    if session.exec(select(Firm.id).limit(1)).first() is not None:
        raise DomainError(
            CONFLICT,
            "the database already holds firms; the demo loads into an empty database only "
            "(use a new TALENT_DATABASE_URL)",
        )
    cities = list(session.exec(select(City).order_by(col(City.code))).all())
    regions = Counter(c.region for c in cities)
    if len(cities) != 21 or regions[Region.prd] != 9:
        raise DomainError(
            CONFLICT, f"expected the 21 Guangdong cities from the migration, found {len(cities)}"
        )
    demo_users = ["province", *(f"bureau-{c.code}" for c in cities)]
    taken = session.exec(select(User.username).where(col(User.username).in_(demo_users))).first()
    if taken is not None:
        raise DomainError(
            CONFLICT, f"account {taken!r} already exists; the demo loads into an empty database"
        )
    builder = _Builder(session, random.Random(seed), cities)
    builder.build_firms()
    builder.build_accounts(password)
    builder.build_enclaves_and_centers()
    builder.build_people()
    return builder.summary(seed)
