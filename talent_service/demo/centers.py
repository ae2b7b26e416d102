"""Demo enclave spaces and centers, and each center's status history as dated events.

A center is pending from its opening (the firm registers it); the host city's bureau (now and then
the province) accredits it some weeks or months later, sometimes with effect from a few weeks
before the decision; a few are rejected, suspended or closed later on, and a few were suspended
for some months and reinstated. ``Center.status`` and its ``decided_*`` columns are those of the
latest event.
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta

from talent_service.demo import catalog
from talent_service.demo.catalog import AS_OF, CENTER_AREA, CENTER_KINDS, CENTERS
from talent_service.demo.state import (
    CenterPlan,
    Demo,
    FirmPlan,
    between,
    office_moment,
    short,
    weighted,
)
from talent_service.models import Center, CenterStatusEvent, Enclave, EnclavePartner
from talent_service.reference.enums import CenterKind, CenterStatus, Source
from talent_service.reference.labels import CENTER_KIND

CENTER_OPEN_START, CENTER_OPEN_END = date(2020, 6, 1), date(2025, 9, 30)
STORY_CENTER_OPENED = date(2022, 4, 18)
REINSTATED = (3, 6)  # inclusive range: centers suspended for a while, then reinstated


def build_enclaves_and_centers(demo: Demo) -> None:
    rng = demo.rng
    for index, spec in enumerate(catalog.ENCLAVES):
        for home in spec.partners:
            demo.enclave_partners.setdefault(home, []).append(index)
    used = [0.0] * len(catalog.ENCLAVES)
    # Centers are planned before the spaces are written, so that a space's area can be
    # sized to what it holds.
    assert demo.story is not None
    story_space = next(
        i for i, s in enumerate(catalog.ENCLAVES) if s.partners == (catalog.SHANTOU,)
    )
    planned = [
        CenterPlan(
            demo.story,
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
    others = [f for f in demo.firms if f is not demo.story]
    # Each fixed-size space (the brief's Shenzhen space) gets R&D centers of two partner
    # firms before anyone else, so it always hosts some whatever the seed.
    anchors: dict[int, int] = {}  # id(firm plan) -> space index
    for index, spec in enumerate(catalog.ENCLAVES):
        if spec.area_m2 is not None:
            partners = [f for f in others if f.row.home_city_code in spec.partners]
            for plan in rng.sample(partners, min(2, len(partners))):
                anchors[id(plan)] = index
    counts = {
        id(plan): weighted(rng, ((0, 0.15), (1, 0.63), (2, 0.19), (3, 0.03))) for plan in others
    }
    for key in anchors:
        counts[key] = max(1, counts[key])
    # About 160 in all, whatever the seed.
    while sum(counts.values()) < CENTERS[0] - 1:
        counts[id(rng.choice([f for f in others if counts[id(f)] < 3]))] += 1
    while sum(counts.values()) > CENTERS[1] - 1:
        counts[id(rng.choice([f for f in others if counts[id(f)] > 1]))] -= 1
    jobs: list[tuple[FirmPlan, int | None]] = [
        (plan, anchors.get(id(plan))) for plan in others if id(plan) in anchors
    ]
    jobs += [(plan, None) for plan in others if id(plan) in anchors and counts[id(plan)] > 1]
    jobs += [(plan, None) for plan in others if id(plan) not in anchors]
    for plan, anchor in jobs:
        repeat = 1 if anchor is not None else counts[id(plan)] - (id(plan) in anchors)
        for _ in range(repeat):
            kind = CenterKind.rnd if anchor is not None else weighted(rng, CENTER_KINDS)
            lo, hi = CENTER_AREA[kind]
            area = float(rng.randrange(lo, hi + 1, 10))
            # Most centers opened in the program's early years, fewer lately.
            span = (CENTER_OPEN_END - CENTER_OPEN_START).days
            opened = CENTER_OPEN_START + timedelta(days=int(span * rng.random() ** 1.5))
            center = _status(demo, CenterPlan(plan, kind, area, opened, CenterStatus.pending))
            if anchor is not None:
                center.space = anchor
            # An R&D center of a Shanwei firm looks for the brief's space first.
            elif (
                kind is CenterKind.rnd
                and any(
                    catalog.ENCLAVES[i].area_m2 is not None
                    for i in demo.enclave_partners.get(plan.row.home_city_code, [])
                )
            ) or rng.random() < 0.86:
                center.space = _pick_space(demo, plan.row.home_city_code, kind, area, used)
            if center.space is not None:
                used[center.space] += area
            planned.append(center)
    _ensure_every_status(demo, planned)
    for index, spec in enumerate(catalog.ENCLAVES):
        total = spec.area_m2
        if total is None:
            # Sized with room to spare: 60-85% taken, never below 800 m².
            total = max(800.0, math.ceil(used[index] / rng.uniform(0.60, 0.85) / 100) * 100)
        assert used[index] <= total
        demo.enclaves.append(
            Enclave(
                name=spec.name,
                host_city_code=spec.host,
                district=spec.district,
                operator=spec.operator,
                total_floor_area_m2=total,
            )
        )
    demo.session.add_all(demo.enclaves)
    demo.session.flush()
    demo.session.add_all(
        [
            EnclavePartner(enclave_id=enclave.id or 0, city_code=home)
            for enclave, spec in zip(demo.enclaves, catalog.ENCLAVES, strict=True)
            for home in spec.partners
        ]
    )
    names: set[tuple[int, str]] = set()
    for center_plan in planned:
        row = _center(demo, center_plan, names)
        center_plan.firm.centers.append(row)
        demo.centers.append(row)
        demo.center_plans.append(center_plan)
    demo.session.add_all(demo.centers)
    demo.session.flush()


def _pick_space(
    demo: Demo, home: str, kind: CenterKind, area: float, used: list[float]
) -> int | None:
    """A space partnering the firm's home city with room for ``area``, if there is one.

    A space of fixed size (the brief's Shenzhen space for Shanwei firms' R&D centers) takes
    R&D centers only, and they go there first while it has room.
    """
    options = list(demo.enclave_partners.get(home, []))
    demo.rng.shuffle(options)
    fixed = [i for i in options if catalog.ENCLAVES[i].area_m2 is not None]
    sized = [i for i in options if catalog.ENCLAVES[i].area_m2 is None]
    for index in fixed if kind is CenterKind.rnd else []:
        limit = catalog.ENCLAVES[index].area_m2
        if limit is not None and used[index] + area <= limit:
            return index
    return sized[0] if sized else None


def _status(demo: Demo, center: CenterPlan) -> CenterPlan:
    """Most accredited; recent ones often pending; a few rejected, suspended or closed."""
    rng, opened = demo.rng, center.opened
    if opened >= date(2025, 1, 1) and rng.random() < 0.55:
        return center  # pending: no decision yet
    roll, mature = rng.random(), opened + timedelta(days=400) < AS_OF
    if roll < 0.05:
        return _decide(demo, center, CenterStatus.rejected)
    if roll < 0.10 and mature:
        return _decide(demo, center, CenterStatus.suspended)
    if roll < 0.17 and mature:
        return _decide(demo, center, CenterStatus.closed)
    return _decide(demo, center, CenterStatus.accredited)


def _decide(demo: Demo, center: CenterPlan, status: CenterStatus) -> CenterPlan:
    """The latest decision about the center: its status, the day of it, a note."""
    rng, opened = demo.rng, center.opened
    center.status, center.closed = status, None
    if status is CenterStatus.rejected:
        center.decided_on = opened + timedelta(days=rng.randint(20, 60))
    elif status is CenterStatus.suspended:
        center.decided_on = between(rng, opened + timedelta(days=400), AS_OF)
    elif status is CenterStatus.closed:
        center.closed = center.decided_on = between(rng, opened + timedelta(days=365), AS_OF)
    else:
        center.decided_on = opened + timedelta(days=rng.randint(20, 90))
    center.note = rng.choice(catalog.NOTES[status.value])
    return center


def _ensure_every_status(demo: Demo, planned: list[CenterPlan]) -> None:
    """A few of each outcome, whatever the seed: the API's filters need something to find."""
    for status in (CenterStatus.rejected, CenterStatus.suspended, CenterStatus.closed):
        if any(p.status is status for p in planned):
            continue
        candidates = [
            p
            for p in planned
            if p.status is CenterStatus.accredited
            and p.firm is not demo.story
            and p.opened + timedelta(days=400) < AS_OF
        ]
        _decide(demo, demo.rng.choice(candidates), status)


def _center(demo: Demo, plan: CenterPlan, names: set[tuple[int, str]]) -> Center:
    """The row: host city and address from the space (or a standalone PRD site)."""
    rng = demo.rng
    if plan.space is not None:
        spec = catalog.ENCLAVES[plan.space]
        host = spec.host
        address = f"{spec.address}{rng.randint(3, 22)}层{rng.randint(1, 30):02d}室"
        enclave_id = demo.enclaves[plan.space].id
    else:
        hosts = sorted(catalog.STANDALONE_HOSTS)
        host = rng.choices(hosts, weights=[catalog.STANDALONE_HOSTS[h][0] for h in hosts])[0]
        _, districts, roads = catalog.STANDALONE_HOSTS[host]
        address = (
            f"{demo.cities[host].name_zh}{rng.choice(districts)}{rng.choice(roads)}"
            f"{rng.randint(1, 999)}号"
        )
        enclave_id = None
    decided_by = decided_at = None
    if plan.decided_on is not None:
        decided_by = _decider(demo, rng.random(), host)
        decided_at = office_moment(rng, plan.decided_on)
    firm_id = plan.firm.row.id
    assert firm_id is not None
    label = CENTER_KIND[plan.kind][0]
    base = f"{plan.firm.trade}{plan.firm.industry_short}{short(demo.cities[host])}{label}"
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


def _decider(demo: Demo, roll: float, host: str) -> str:
    # The host city's bureau decides; now and then the province does.
    return demo.bureau_subject[host] if roll < 0.85 else demo.province_subject


# --- status history ---------------------------------------------------------------------------


def build_status_history(demo: Demo) -> None:
    """Every center's events, drawn from ``demo.facts``; the row keeps the latest one."""
    facts = demo.facts
    candidates = [
        (row, plan)
        for row, plan in zip(demo.centers, demo.center_plans, strict=True)
        if plan.status is CenterStatus.accredited
        and plan.firm is not demo.story
        and plan.opened + timedelta(days=600) < AS_OF
    ]
    reinstated = {
        id(row)
        for row, _ in facts.sample(candidates, min(len(candidates), facts.randint(*REINSTATED)))
    }
    demo.reinstated = len(reinstated)
    for row, plan in zip(demo.centers, demo.center_plans, strict=True):
        firm_id = row.firm_id
        _event(
            demo,
            row,
            CenterStatus.pending,
            row.opened_on,
            demo.firm_subject[firm_id],
            office_moment(facts, row.opened_on),
        )
        if plan.status is CenterStatus.pending:
            continue
        assert plan.decided_on is not None and row.decided_by is not None
        assert row.decided_at is not None
        latest = (row.decided_by, row.decided_at)
        if plan.status is CenterStatus.rejected:
            _event(demo, row, CenterStatus.rejected, plan.decided_on, *latest)
            continue
        if plan.status is CenterStatus.accredited and id(row) not in reinstated:
            _accredit(
                demo,
                row,
                plan.decided_on,
                latest,
                row.decision_note,
                backdate=plan.firm is not demo.story,
            )
            continue
        # Accredited first, then suspended or closed on the row's decision day, or suspended
        # for a while and reinstated.
        accredited = row.opened_on + timedelta(days=facts.randint(20, 90))
        earlier = _decider(demo, facts.random(), row.host_city_code)
        note = facts.choice(catalog.NOTES["accredited"])
        _accredit(demo, row, accredited, (earlier, office_moment(facts, accredited)), note)
        if plan.status is not CenterStatus.accredited:
            _event(demo, row, plan.status, plan.decided_on, *latest, note=row.decision_note)
            continue
        suspended = between(facts, accredited + timedelta(days=180), AS_OF - timedelta(days=150))
        back = suspended + timedelta(days=facts.randint(30, 120))
        by = _decider(demo, facts.random(), row.host_city_code)
        note = facts.choice(catalog.NOTES["suspended"])
        _event(
            demo,
            row,
            CenterStatus.suspended,
            suspended,
            by,
            office_moment(facts, suspended),
            note=note,
        )
        row.decided_by = _decider(demo, facts.random(), row.host_city_code)
        row.decided_at = office_moment(facts, back)
        row.decision_note = facts.choice(catalog.NOTES["reinstated"])
        _event(
            demo,
            row,
            CenterStatus.accredited,
            back,
            row.decided_by,
            row.decided_at,
            note=row.decision_note,
        )
    demo.session.add_all(demo.status_events)


def _accredit(
    demo: Demo,
    row: Center,
    decided_on: date,
    by: tuple[str, datetime],
    note: str | None,
    *,
    backdate: bool = True,
) -> None:
    """An accreditation decided on ``decided_on``, now and then with effect from a few weeks
    before (the application's completion), never before the day after the opening."""
    facts = demo.facts
    effective = decided_on
    if backdate and facts.random() < 0.3:
        effective = max(
            row.opened_on + timedelta(days=1), decided_on - timedelta(days=facts.randint(10, 40))
        )
    _event(demo, row, CenterStatus.accredited, effective, *by, note=note)


def _event(
    demo: Demo,
    row: Center,
    status: CenterStatus,
    effective_on: date,
    recorded_by: str,
    recorded_at: datetime,
    *,
    note: str | None = None,
) -> None:
    if recorded_by == demo.province_subject:
        source, authority = Source.province, "province"
    elif status is CenterStatus.pending:
        source, authority = Source.firm, f"firm:{row.firm_id}"
    else:
        source, authority = Source.bureau, row.host_city_code
    demo.status_events.append(
        CenterStatusEvent(
            center_id=row.id or 0,
            status=status,
            effective_on=effective_on,
            source=source,
            authority=authority,
            recorded_by=recorded_by,
            note=note if status is not CenterStatus.pending else None,
            recorded_at=recorded_at,
        )
    )
