"""Each firm's registration of a person with the profile that firm declared, the dated
declarations behind it and their reviews, and the person's profile by the selection rule.

A firm registering a person on the first hire there declares the person's education (awarded at
graduation, from the person's age), professional title (awarded after graduation, before the hire)
and hukou city (since birth for one born there; else since a move before the hire). The bureau of
the workplace (the center's host city, or the firm's home city for a home-site post) has verified
most older registrations and fewer recent ones; the rest still wait. A person's second firm
declares what it was told then: now and then a promotion since the first registration, and a few
times a degree the bureau could not confirm and rejected. Some center staff moved their hukou to
the host city through the talent program, which that city's bureau records itself (verified at
once). The person's profile (``Talent``) is what ``declarations.selection.holding_on`` picks as of
``AS_OF`` from all of them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from talent_service.declarations.selection import Claim, holding_on
from talent_service.demo.catalog import AS_OF, EVIDENCE, MIN_AGE_AT_HIRE, REJECTIONS
from talent_service.demo.state import (
    DeclarationRow,
    Demo,
    FirmPlan,
    Spell,
    add_years,
    between,
    office_moment,
)
from talent_service.models import Talent, TalentFirm
from talent_service.reference.enums import (
    DeclaredFact,
    Education,
    Source,
    TitleLevel,
    Verification,
)

# Years from graduation to each title, roughly as the title rules require.
_TITLE_YEARS = {
    TitleLevel.junior: 1,
    TitleLevel.intermediate: 5,
    TitleLevel.associate_senior: 10,
    TitleLevel.senior: 15,
}
_LEVELS = list(TitleLevel)
_EDUCATIONS = list(Education)
PROMOTIONS = 0.35  # share of second registrations that declare a title one level up
OVERCLAIMS = (2, 3)  # inclusive range: second registrations claiming a degree, rejected
HUKOU_MOVES = 0.06  # share of long-serving center staff who moved their hukou to the host city
_ALNUM = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"


@dataclass(eq=False)
class _Registration:
    talent: Talent
    firm: FirmPlan
    first: Spell  # the first spell at this firm: when the firm registered the person
    at: datetime
    education: Education
    education_on: date
    title_level: TitleLevel
    title_field: str | None
    title_on: date
    hukou: str | None
    hukou_on: date
    second: bool = False
    overclaim: bool = False
    rows: list[DeclarationRow] = field(default_factory=list)

    @property
    def reviewer(self) -> str:
        """The city whose bureau reviews it: where the person works."""
        center = self.first.center
        return center.host_city_code if center is not None else self.firm.row.home_city_code


def build_declarations(demo: Demo) -> None:
    """Registrations and declarations for every spell's person and firm, drawn from
    ``demo.facts``; the people's profiles are set from them."""
    spells_of: dict[int, list[Spell]] = defaultdict(list)
    for spell in demo.spells:
        spells_of[id(spell.talent)].append(spell)
    registrations: list[_Registration] = []
    for talent in demo.people.talents:
        firsts: dict[int, Spell] = {}
        for spell in sorted(spells_of[id(talent)], key=lambda s: s.hired):
            firsts.setdefault(id(spell.firm), spell)
        earlier: _Registration | None = None
        for spell in firsts.values():
            earlier = _register(demo, talent, spell, earlier)
            registrations.append(earlier)
    _overclaims(demo, registrations)
    for registration in registrations:
        _declare(demo, registration)
    _hukou_moves(demo)
    _consolidate(demo)


def _register(
    demo: Demo, talent: Talent, spell: Spell, earlier: _Registration | None
) -> _Registration:
    facts, hired = demo.facts, spell.hired
    at = office_moment(facts, hired)
    if earlier is None:
        education = talent.education
        graduated = _graduation(demo, talent, hired)
        level, award = talent.title_level, _title_award(demo, talent.title_level, graduated, hired)
        hukou = talent.hukou_city_code
        return _Registration(
            talent,
            spell.firm,
            spell,
            at,
            education,
            graduated,
            level,
            talent.title_field,
            award,
            hukou,
            _hukou_since(demo, talent, graduated, hired),
        )
    level, field_, award = earlier.title_level, earlier.title_field, earlier.title_on
    lo, hi = earlier.first.hired + timedelta(days=180), hired - timedelta(days=14)
    if level is not TitleLevel.senior and lo <= hi and facts.random() < PROMOTIONS:
        level = _LEVELS[_LEVELS.index(level) + 1]
        field_ = field_ or spell.firm.title_field
        award = between(facts, lo, hi)
    return _Registration(
        talent,
        spell.firm,
        spell,
        at,
        earlier.education,
        earlier.education_on,
        level,
        field_,
        award,
        earlier.hukou,
        earlier.hukou_on,
        second=True,
    )


def _graduation(demo: Demo, talent: Talent, hired: date) -> date:
    facts = demo.facts
    if talent.birth_date is not None:
        year = talent.birth_date.year + MIN_AGE_AT_HIRE[talent.education]
        day = date(year, 6, 20) + timedelta(days=facts.randint(0, 20))
    else:
        day = date(hired.year - facts.randint(1, 8), 7, 1)
    return min(day, hired - timedelta(days=7))


def _title_award(demo: Demo, level: TitleLevel, graduated: date, hired: date) -> date:
    if level is TitleLevel.none:
        return graduated  # no title since graduation
    lo, hi = add_years(graduated, _TITLE_YEARS[level]), hired - timedelta(days=7)
    if lo > hi:
        lo = graduated + (hi - graduated) / 2
    return between(demo.facts, lo, hi)


def _hukou_since(demo: Demo, talent: Talent, graduated: date, hired: date) -> date:
    born = talent.birth_date
    origin = demo.people.origins.get(id(talent), talent.hukou_city_code)
    if origin == talent.hukou_city_code:
        # Born there (or, from another province or abroad, never held one in Guangdong).
        return born or graduated
    lo = add_years(born, 18) if born is not None else add_years(hired, -6)
    return between(demo.facts, min(lo, graduated), hired - timedelta(days=1))


def _overclaims(demo: Demo, registrations: list[_Registration]) -> None:
    """A few second firms declared a degree above the first firm's (the bureau rejects it)."""
    facts = demo.facts
    candidates = [
        r
        for r in registrations
        if r.second
        and r.education in (Education.bachelor, Education.master)
        and r.at.date() <= AS_OF - timedelta(days=120)
    ]
    for registration in facts.sample(candidates, min(len(candidates), facts.randint(*OVERCLAIMS))):
        registration.overclaim = True
        registration.education = _EDUCATIONS[_EDUCATIONS.index(registration.education) + 1]
        registration.education_on = registration.first.hired - timedelta(
            days=facts.randint(60, 400)
        )


def _declare(demo: Demo, r: _Registration) -> None:
    facts = demo.facts
    firm_id = r.firm.row.id or 0
    demo.registrations.append(
        (
            r.talent,
            TalentFirm(
                talent_id=0,  # set once the person is written
                firm_id=firm_id,
                name=r.talent.name,
                education=r.education,
                title_level=r.title_level,
                title_field=r.title_field,
                hukou_city_code=r.hukou,
                registered_at=r.at,
            ),
        )
    )
    for fact, value, detail, effective_on in (
        (DeclaredFact.education, r.education.value, None, r.education_on),
        (DeclaredFact.professional_title, r.title_level.value, r.title_field, r.title_on),
        (DeclaredFact.hukou_city, r.hukou, None, r.hukou_on),
    ):
        r.rows.append(
            DeclarationRow(
                fact=fact,
                value=value,
                detail=detail,
                effective_on=effective_on,
                source=Source.firm,
                source_firm_id=firm_id,
                recorded_by=demo.firm_subject[firm_id],
                recorded_at=r.at,
            )
        )
    # The review: older registrations mostly done, recent ones mostly waiting.
    day = r.at.date()
    chance = 0.7 if day < date(2025, 1, 1) else 0.45 if day < date(2025, 10, 1) else 0.2
    reviewed = facts.random() < chance
    reviewed_at = office_moment(facts, day + timedelta(days=facts.randint(5, 120)))
    everything = facts.random() < 0.85  # else the education only, the rest still waiting
    reviewer = demo.bureau_subject[r.reviewer]
    if r.overclaim:
        rejected_at = office_moment(facts, day + timedelta(days=facts.randint(10, 60)))
        checked, reason = facts.choice(REJECTIONS)
        row = r.rows[0]
        row.verification, row.reviewed_by, row.reviewed_at = (
            Verification.rejected,
            reviewer,
            rejected_at,
        )
        row.evidence, row.review_note = checked, reason
    if not reviewed or reviewed_at.date() >= AS_OF:
        demo.declarations.extend((r.talent, row) for row in r.rows)
        return
    for n, row in enumerate(r.rows):
        if row.verification is not Verification.declared or (n > 0 and not everything):
            continue
        row.verification, row.reviewed_by = Verification.verified, reviewer
        row.reviewed_at = reviewed_at + timedelta(minutes=n)
        row.evidence = _evidence(demo, row)
    demo.declarations.extend((r.talent, row) for row in r.rows)


def _evidence(demo: Demo, row: DeclarationRow) -> str:
    code = "".join(demo.facts.choice(_ALNUM) for _ in range(16))
    if row.fact is DeclaredFact.education:
        return EVIDENCE["education"].format(code=code)
    if row.fact is DeclaredFact.professional_title:
        return EVIDENCE["title"].format(code=f"粤{demo.facts.randrange(10**9):09d}")
    if row.value is None:
        return EVIDENCE["no_hukou"]
    return EVIDENCE["hukou_city"].format(city=demo.cities[row.value].name_zh)


def _hukou_moves(demo: Demo) -> None:
    """Center staff of a year or more who moved their hukou to the host city: the host bureau
    records the move itself, so it counts as verified from the start."""
    facts = demo.facts
    seen: set[int] = set()
    candidates: list[Spell] = []
    for spell in demo.spells:
        center = spell.center
        if (
            center is not None
            and spell.departed is None
            and spell.hired <= AS_OF - timedelta(days=380)
            and spell.talent.hukou_city_code != center.host_city_code
            and id(spell.talent) in demo.people.origins
            and id(spell.talent) not in seen
        ):
            seen.add(id(spell.talent))
            candidates.append(spell)
    count = min(len(candidates), max(3, round(len(candidates) * HUKOU_MOVES)))
    for spell in facts.sample(candidates, count):
        assert spell.center is not None
        host = spell.center.host_city_code
        moved = between(facts, spell.hired + timedelta(days=365), AS_OF - timedelta(days=14))
        at = office_moment(facts, moved)
        bureau = demo.bureau_subject[host]
        number = f"{moved.year}{facts.randrange(10**5):05d}"
        declaration = DeclarationRow(
            fact=DeclaredFact.hukou_city,
            value=host,
            effective_on=moved,
            source=Source.bureau,
            source_city_code=host,
            recorded_by=bureau,
            recorded_at=at,
            verification=Verification.verified,
            reviewed_by=bureau,
            reviewed_at=at,
            evidence=EVIDENCE["hukou_move"].format(city=demo.cities[host].name_zh, code=number),
        )
        demo.declarations.append((spell.talent, declaration))


def _consolidate(demo: Demo) -> None:
    """Each person's profile: per fact, the declaration that holds on ``AS_OF`` by the selection
    rule. Claims are numbered in the order the rows are written, as their ids will be."""
    claims: dict[tuple[int, DeclaredFact], list[Claim]] = defaultdict(list)
    for index, (talent, row) in enumerate(demo.declarations, start=1):
        claims[(id(talent), row.fact)].append(
            Claim(
                id=index,
                value=row.value,
                effective_on=row.effective_on,
                verification=row.verification,
                recorded_at=row.recorded_at,
                source=row.source,
                source_firm_id=row.source_firm_id,
                detail=row.detail,
            )
        )
    for talent in demo.people.talents:
        education = holding_on(claims[(id(talent), DeclaredFact.education)], AS_OF)
        title = holding_on(claims[(id(talent), DeclaredFact.professional_title)], AS_OF)
        hukou = holding_on(claims[(id(talent), DeclaredFact.hukou_city)], AS_OF)
        # Every person has a firm's declaration of each fact that no one rejected.
        assert education is not None and title is not None and hukou is not None
        assert education.value is not None and title.value is not None
        talent.education = Education(education.value)
        talent.title_level = TitleLevel(title.value)
        talent.title_field = title.detail
        talent.hukou_city_code = hukou.value
