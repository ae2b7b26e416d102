"""Demo people and their employment spells: the story firm's 2021 group, hires at centers and
home sites across 2021-2025, foreign talent, transfers to a firm's own center, and people who
moved from one firm to another. Planned here; written with their registrations (``loader``).
"""

from __future__ import annotations

import math
from collections import Counter
from datetime import date, timedelta

from talent_service.demo import catalog
from talent_service.demo.catalog import (
    AS_OF,
    ATTRITION,
    DEPARTURE_REASONS,
    EDUCATION_MIX,
    FOREIGN_TALENT,
    HIRING_WEIGHT,
    MOVERS,
    RANDOM_TALENTS,
    TRANSFERS,
)
from talent_service.demo.state import (
    Demo,
    FirmPlan,
    Spell,
    add_years,
    between,
    later_between,
    weighted,
)
from talent_service.models import Center, Talent
from talent_service.reference.enums import CenterStatus, DepartureReason, Education

HIRE_START, HIRE_END = date(2021, 1, 1), date(2025, 12, 31)
STORY_GROUP_SIZE = 20

# The program's thesis, as the generator's 12-month retention targets (exponential spells;
# education shifts them a little, center closures cut some center spells short).
RETENTION_12M_CENTER = 0.86
RETENTION_12M_HOME = 0.60


def build_spells(demo: Demo) -> None:
    rng = demo.rng
    _story_group(demo)
    hiring = [f for f in demo.firms if f is not demo.story or f.centers]
    weights = [HIRING_WEIGHT[f.tier] for f in hiring]
    for _ in range(rng.randint(*RANDOM_TALENTS)):
        while True:
            plan = rng.choices(hiring, weights=weights)[0]
            site = _site(demo, plan, HIRE_START, HIRE_END, prefer_center=0.72)
            if site is not None:
                break
        center, hired = site
        education = weighted(rng, EDUCATION_MIX)
        talent = _resident(demo, plan, center, hired, education)
        _spell(demo, talent, plan, center, hired, education)
    for nationality, kind in FOREIGN_TALENT:
        while True:
            plan = rng.choices(hiring, weights=weights)[0]
            site = _site(demo, plan, HIRE_START, HIRE_END, prefer_center=0.9)
            if site is not None:
                break
        center, hired = site
        education = Education.doctor if rng.random() < 0.6 else Education.master
        talent = demo.people.foreign(nationality, kind, education)
        _spell(demo, talent, plan, center, hired, education)
    _transfers(demo)
    _movers(demo)


def _story_group(demo: Demo) -> None:
    """Twenty master's-or-above hires at the story firm's home site in 2021; one stays."""
    rng = demo.rng
    plan = demo.story
    assert plan is not None
    stayer = rng.randrange(STORY_GROUP_SIZE)
    doctors = set(rng.sample(range(STORY_GROUP_SIZE), 5))
    for i in range(STORY_GROUP_SIZE):
        hired = between(rng, date(2021, 1, 4), date(2021, 12, 20))
        education = Education.doctor if i in doctors else Education.master
        talent = _resident(demo, plan, None, hired, education)
        spell = _spell(demo, talent, plan, None, hired, education, via_program=True)
        if i == stayer:
            spell.departed, spell.reason = None, None
        else:
            # Gone within three years of the hire, most in the first eighteen months.
            last = (add_years(hired, 3) - hired).days - 10
            spell.departed = hired + timedelta(days=int(rng.triangular(45, last, 200)))
            spell.reason = (
                DepartureReason.resigned if rng.random() < 0.9 else DepartureReason.contract_ended
            )
        demo.story_spells.append(spell)


def _resident(
    demo: Demo, plan: FirmPlan, center: Center | None, hired: date, education: Education
) -> Talent:
    return demo.people.resident(
        home=plan.row.home_city_code,
        host=center.host_city_code if center is not None else None,
        hired=hired,
        education=education,
        title_field=plan.title_field,
    )


def _site(
    demo: Demo, plan: FirmPlan, earliest: date, latest: date, *, prefer_center: float
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
    if windows and (plan is demo.story or demo.rng.random() < prefer_center):
        # A center hires at a steady rate while open: a longer window, more hires.
        weights = [(hi - lo).days + 30 for _, lo, hi in windows]
        center, lo, hi = demo.rng.choices(windows, weights=weights)[0]
        return center, between(demo.rng, lo, hi)
    if plan is demo.story:
        return None
    return None, later_between(demo.rng, earliest, latest)


def _spell(
    demo: Demo,
    talent: Talent,
    plan: FirmPlan,
    center: Center | None,
    hired: date,
    education: Education,
    *,
    via_program: bool | None = None,
) -> Spell:
    rng = demo.rng
    departed, reason = _departure(demo, hired, center, education)
    home = plan.row.home_city_code
    # Center staff mostly pay social insurance in the host city; some stay on the home side.
    si_city = home
    if center is not None and rng.random() < 0.88:
        si_city = center.host_city_code
    if via_program is None:
        via_program = rng.random() < (0.9 if center is not None else 0.7)
    spell = Spell(
        talent=talent,
        firm=plan,
        center=center,
        hired=hired,
        departed=departed,
        reason=reason,
        si_city=si_city,
        via_program=via_program,
        key_post=rng.random() < (0.3 if education is Education.doctor else 0.15),
        position=weighted(rng, catalog.POSITIONS),
    )
    demo.spells.append(spell)
    return spell


def _departure(
    demo: Demo, hired: date, center: Center | None, education: Education
) -> tuple[date | None, DepartureReason | None]:
    rng = demo.rng
    target = RETENTION_12M_CENTER if center is not None else RETENTION_12M_HOME
    hazard = -math.log(target) / 365.25 * ATTRITION[education]
    departed = hired + timedelta(days=max(21, int(rng.expovariate(hazard))))
    closed = center.closed_on if center is not None else None
    if closed is not None and departed > closed:
        # The center closed: its people left or moved back to the home site that day.
        return closed, weighted(
            rng, ((DepartureReason.contract_ended, 0.5), (DepartureReason.transferred, 0.5))
        )
    if departed > AS_OF:
        return None, None
    return departed, weighted(rng, DEPARTURE_REASONS)


def _transfers(demo: Demo) -> None:
    """Home-site engineers moved to their firm's PRD center: two spells, one firm."""
    rng = demo.rng
    spells_of = Counter(id(s.talent) for s in demo.spells)
    candidates = [
        s
        for s in demo.spells
        if s.center is None and s.firm is not demo.story and spells_of[id(s.talent)] == 1
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
        moved = between(rng, lo, hi)
        spell.departed = moved - timedelta(days=1)
        spell.reason = DepartureReason.transferred
        education = spell.talent.education
        new = _spell(
            demo, spell.talent, spell.firm, center, moved, education, via_program=spell.via_program
        )
        new.position = spell.position
        done += 1


def _movers(demo: Demo) -> None:
    """People who left one firm and joined another: one person, two firms, two spells."""
    rng = demo.rng
    story = {id(s.talent) for s in demo.story_spells}
    spells_of = Counter(id(s.talent) for s in demo.spells)
    candidates = [
        s
        for s in demo.spells
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
            for f in demo.firms
            if f is not spell.firm and f.row.home_city_code == spell.firm.row.home_city_code
        ]
        pool = (
            same_city
            if same_city and rng.random() < 0.5
            else [f for f in demo.firms if f is not spell.firm]
        )
        plan = rng.choice(pool)
        earliest = spell.departed + timedelta(days=15)
        latest = min(spell.departed + timedelta(days=180), HIRE_END)
        if earliest > latest:
            continue
        site = _site(demo, plan, earliest, latest, prefer_center=0.72)
        if site is None:
            continue
        center, hired = site
        _spell(demo, spell.talent, plan, center, hired, spell.talent.education)
        done += 1
