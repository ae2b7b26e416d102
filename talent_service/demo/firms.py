"""Demo firms, their accounts, and their tier certificates as dated periods.

Every firm holds an approved certificate (valid three years from its issue); on top of that a few
firms moved up a tier on renewal (an earlier approved certificate of the tier below, up to the day
before the current one), a few have a certificate submitted and not yet decided (a lapsed one's
renewal; one of the firms that moved up applying for the next tier), and one submission was
rejected.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from talent_service.core.security import hash_password
from talent_service.demo import catalog
from talent_service.demo.catalog import AS_OF, BASE_TIERS, CERT_PREFIX, FIRMS_PER_CITY
from talent_service.demo.names import CITY_INDUSTRIES, brand, firm_name
from talent_service.demo.state import Demo, FirmPlan, add_years, between, office_moment, weighted
from talent_service.models import City, Firm, FirmTierPeriod, User
from talent_service.reference.enums import FirmTier, Role, SignUpState, Source, TierState
from talent_service.reference.identifiers import known_region_codes_for, synthetic_uscc

# The design brief's story: a Shantou firm kept 1 of the 20 master's-or-above recruits it hired.
STORY_FIRM_NAME = "汕头市粤东精工智能装备有限公司"

# The rung below each tier: what a firm that moved up held before.
_BELOW = {
    FirmTier.provincial_specialized: FirmTier.innovative_sme,
    FirmTier.little_giant: FirmTier.provincial_specialized,
    FirmTier.key_little_giant: FirmTier.little_giant,
    FirmTier.single_champion: FirmTier.key_little_giant,
}
_ABOVE = {below: above for above, below in _BELOW.items()}
TIER_CHANGES = (4, 7)  # inclusive range: firms that moved up a tier on renewal
_APPROVED_NOTE = "证书信息与公示名单一致，予以确认"
_REJECTED_NOTE = "证书编号未见于工业和信息化部公示名单，不予确认"


def build_firms(demo: Demo) -> None:
    """The firms, drawn from ``demo.rng`` exactly as before tiers were dated."""
    rng = demo.rng
    names: set[str] = set()
    usccs: set[str] = set()
    # The story's Shantou first, so that on a fresh database its firm is firm 1.
    for code in sorted(demo.homes, key=lambda c: c != catalog.SHANTOU):
        city = demo.cities[code]
        for index in range(FIRMS_PER_CITY.get(code, 10)):
            industry, short_name, title_field = rng.choice(CITY_INDUSTRIES[code])
            is_story = code == catalog.SHANTOU and index == 0
            trade = "粤东精工" if is_story else _unique_trade(demo, city, industry, names)
            tier = FirmTier.provincial_specialized if is_story else weighted(rng, BASE_TIERS)
            joint_stock = tier is FirmTier.little_giant and rng.random() < 0.5
            name = (
                STORY_FIRM_NAME
                if is_story
                else firm_name(city.name_zh, trade, industry, joint_stock=joint_stock)
            )
            names.add(name)
            plan = FirmPlan(
                row=Firm(
                    uscc=_uscc(demo, code, usccs),
                    name=name,
                    home_city_code=code,
                    sign_up_state=SignUpState.approved,  # seeded: as if approved long ago
                ),
                tier=tier,
                trade=trade,
                industry_short="智能装备" if is_story else short_name,
                title_field="机械工程" if is_story else title_field,
            )
            if is_story:
                demo.story = plan
            demo.firms.append(plan)
    # The top of the ladder is rare: 1-3 key little giants, 1-2 single champions.
    others = [f for f in demo.firms if f is not demo.story]
    key_count, champion_count = rng.randint(1, 3), rng.randint(1, 2)
    for i, plan in enumerate(rng.sample(others, key_count + champion_count)):
        plan.tier = FirmTier.key_little_giant if i < key_count else FirmTier.single_champion
        name = firm_name("", plan.trade, plan.industry_short, joint_stock=True)
        if name in names:
            name = name.replace("股份有限公司", "集团股份有限公司")
        plan.row.name = name
        names.add(name)
    for plan in demo.firms:
        if rng.random() < 0.07 and plan is not demo.story:
            plan.issued = between(rng, date(2020, 1, 1), date(2022, 12, 31))  # lapsed
        else:
            plan.issued = between(rng, date(2023, 7, 1), date(2025, 12, 31))
    demo.session.add_all([f.row for f in demo.firms])
    demo.session.flush()


def _unique_trade(demo: Demo, city: City, industry: str, names: set[str]) -> str:
    while True:
        trade = brand(demo.rng)
        forms = {firm_name(city.name_zh, trade, industry, joint_stock=j) for j in (False, True)}
        if not forms & names:
            return trade


def _uscc(demo: Demo, home: str, taken: set[str]) -> str:
    counties = known_region_codes_for(home[:4], 2024)
    while True:
        number = synthetic_uscc(demo.rng, demo.rng.choice([home, *counties]))
        if number not in taken:
            taken.add(number)
            return number


def build_accounts(demo: Demo, password: str) -> None:
    # Argon2 is deliberately slow (~60 ms a hash): hashing the one demo password once and
    # sharing the hash keeps 160+ accounts to a single hash. Every account accepts the
    # password; a real deployment creates accounts one by one with their own passwords.
    password_hash = hash_password(password)
    province = User(username="province", password_hash=password_hash, role=Role.province)
    bureaus = [
        User(
            username=f"bureau-{code}", password_hash=password_hash, role=Role.bureau, city_code=code
        )
        for code in sorted(demo.cities)
    ]
    firm_users = [
        User(
            username=f"firm-{f.row.id}",
            password_hash=password_hash,
            role=Role.firm,
            firm_id=f.row.id,
        )
        for f in demo.firms
    ]
    demo.session.add_all([province, *bureaus, *firm_users])
    demo.session.flush()
    demo.province_subject = f"user:{province.id}"
    demo.bureau_subject = {u.city_code or "": f"user:{u.id}" for u in bureaus}
    demo.firm_subject = {u.firm_id or 0: f"user:{u.id}" for u in firm_users}
    demo.users = 1 + len(bureaus) + len(firm_users)


# --- tier certificates as periods ----------------------------------------------------------


class _Certificates:
    """Numbers certificates: the tier's issuer prefix, the year of issue, a serial."""

    def __init__(self, firms: int) -> None:
        self.serial = firms  # the current certificates take serials 1..firms, in firm order

    def number(self, tier: FirmTier, issued: date, serial: int | None = None) -> str:
        if serial is None:
            self.serial += 1
            serial = self.serial
        return f"{CERT_PREFIX[tier]}-{issued.year}-{serial:04d}"


def build_tier_history(demo: Demo) -> None:
    """The certificates of every firm as periods, drawn from ``demo.facts``."""
    facts = demo.facts
    numbers = _Certificates(len(demo.firms))
    for serial, plan in enumerate(demo.firms, start=1):
        assert plan.issued is not None
        _approved(
            demo, plan, plan.tier, numbers.number(plan.tier, plan.issued, serial), plan.issued
        )
    others = [f for f in demo.firms if f is not demo.story]
    # Moved up on renewal: the tier below for the three years before the current certificate.
    movers = [f for f in others if f.tier in _BELOW and (f.issued or AS_OF) >= date(2023, 7, 1)]
    changed = facts.sample(movers, min(len(movers), facts.randint(*TIER_CHANGES)))
    for plan in changed:
        assert plan.issued is not None
        below, start = _BELOW[plan.tier], add_years(plan.issued, -3)
        _approved(demo, plan, below, numbers.number(below, start), start, plan.issued)
    demo.tier_changes = len(changed)
    # Awaiting the province: renewals of lapsed certificates, an application for a higher tier.
    lapsed = [f for f in others if _valid_to(f.issued) < AS_OF]
    renewing = facts.sample(lapsed, min(len(lapsed), 2))
    # The applicant is a firm that moved up already and now asks for the next rung, so one firm
    # shows the whole ladder: an earlier approved period, a later one, a submission pending.
    busy = {id(f) for f in changed + renewing}
    climbing = [f for f in others if f.tier in _ABOVE and id(f) not in busy]
    climbed = [f for f in changed if f.tier in _ABOVE]
    applicant = facts.choice(climbed) if climbed else facts.choice(climbing)
    refused = facts.choice([f for f in climbing if f is not applicant])
    for plan, tier in [(f, f.tier) for f in renewing] + [(applicant, _ABOVE[applicant.tier])]:
        start = between(facts, date(2026, 4, 1), date(2026, 6, 15))
        _submitted(demo, plan, tier, numbers.number(tier, start), start)
    # And one the province refused: a certificate number not on the ministry's list.
    tier, start = _ABOVE[refused.tier], between(facts, date(2024, 9, 1), date(2025, 9, 30))
    period = _submitted(demo, refused, tier, numbers.number(tier, start), start)
    period.state = TierState.rejected
    period.decided_by = demo.province_subject
    period.decided_at = office_moment(facts, start + timedelta(days=facts.randint(15, 45)))
    period.decision_note = _REJECTED_NOTE
    demo.session.add_all(demo.tier_periods)


def _valid_to(issued: date | None) -> date:
    assert issued is not None
    return add_years(issued, 3) - timedelta(days=1)


def _approved(
    demo: Demo,
    plan: FirmPlan,
    tier: FirmTier,
    number: str,
    start: date,
    superseded_on: date | None = None,
) -> None:
    """An approved certificate from ``start`` for three years (to the day before
    ``superseded_on`` when a higher one replaced it): most submitted by the firm and approved by
    the province a few weeks later, some recorded by the province itself."""
    facts = demo.facts
    end = _valid_to(start) if superseded_on is None else superseded_on - timedelta(days=1)
    decided = office_moment(facts, start + timedelta(days=facts.randint(10, 60)))
    by_firm = facts.random() < 0.7
    submitted: datetime = (
        office_moment(facts, start + timedelta(days=facts.randint(2, 8))) if by_firm else decided
    )
    demo.tier_periods.append(
        FirmTierPeriod(
            firm_id=plan.row.id or 0,
            tier=tier,
            certificate_no=number,
            valid_from=start,
            valid_to=end,
            state=TierState.approved,
            source=Source.firm if by_firm else Source.province,
            submitted_by=demo.firm_subject[plan.row.id or 0] if by_firm else demo.province_subject,
            submitted_at=submitted,
            decided_by=demo.province_subject,
            decided_at=decided,
            decision_note=_APPROVED_NOTE if by_firm else None,
        )
    )


def _submitted(
    demo: Demo, plan: FirmPlan, tier: FirmTier, number: str, start: date
) -> FirmTierPeriod:
    facts = demo.facts
    filed = min(AS_OF, start + timedelta(days=facts.randint(2, 12)))
    period = FirmTierPeriod(
        firm_id=plan.row.id or 0,
        tier=tier,
        certificate_no=number,
        valid_from=start,
        valid_to=_valid_to(start),
        state=TierState.submitted,
        source=Source.firm,
        submitted_by=demo.firm_subject[plan.row.id or 0],
        submitted_at=office_moment(facts, filed),
    )
    demo.tier_periods.append(period)
    return period
