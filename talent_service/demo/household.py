"""Children of some demo talents, so that the illustrative education policies have someone to
decide about: recorded by the firm of the person's latest spell at an enclave center, in the
center's city, some with their school stage and some without (a school system supplies it).

Drawn from a stream of its own, after everything else, so the rest of the demo stays as drawn.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta

from talent_service.core.clock import PROVINCE_TZ
from talent_service.demo.catalog import AS_OF
from talent_service.demo.state import Demo, Spell, add_years
from talent_service.models import HouseholdMember
from talent_service.reference.enums import HouseholdRelation, SchoolStage, Source

SHARE_WITH_A_CHILD = 0.3
SHARE_WITH_STAGE = 0.7


def _stage(age: int) -> SchoolStage:
    if age < 6:
        return SchoolStage.kindergarten
    return SchoolStage.primary if age < 12 else SchoolStage.junior_secondary


def build_household(demo: Demo, rng: random.Random) -> list[HouseholdMember]:
    """One child for about a third of the people who worked at an enclave center (people must
    have their ids: call after they are written)."""
    latest: dict[int, Spell] = {}
    for s in demo.spells:
        if s.center is not None and s.hired <= AS_OF:
            key = id(s.talent)
            if key not in latest or s.hired > latest[key].hired:
                latest[key] = s
    rows = []
    for s in latest.values():
        if rng.random() >= SHARE_WITH_A_CHILD or s.center is None or s.talent.id is None:
            continue
        age = rng.randrange(3, 15)
        birth = add_years(AS_OF, -age) - timedelta(days=rng.randrange(1, 360))
        on = max(birth, s.hired)
        firm_id = s.firm.row.id
        rows.append(
            HouseholdMember(
                talent_id=s.talent.id,
                relation=HouseholdRelation.child,
                birth_date=birth,
                school_stage=_stage(age) if rng.random() < SHARE_WITH_STAGE else None,
                district_code=s.center.host_city_code,
                effective_on=on,
                source=Source.firm,
                source_firm_id=firm_id,
                recorded_by=demo.firm_subject[firm_id or 0],
                recorded_at=datetime.combine(on, time(11), PROVINCE_TZ).astimezone(UTC),
            )
        )
    demo.session.add_all(rows)
    return rows
