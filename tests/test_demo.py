"""The demo loader: valid rows, the program's story, dated and sourced facts (tier periods, center
status histories, each registration's declarations and their reviews, the profile by the selection
rule), and the same rows for the same seed.

Most checks read one load, made once per module in its own transaction and rolled back at once
(``demo``), so that a dozen checks cost one load. Loads that must happen inside a test (a second
load for determinism, the refusal, logging in) use their own rolled-back transactions.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, func, select
from stdnum.cn import ric, uscc

from talent_service.core.clock import PROVINCE_TZ
from talent_service.core.errors import DomainError
from talent_service.core.security import decrypt_field
from talent_service.declarations.selection import Claim, holding_on
from talent_service.demo.loader import AS_OF, add_years, load_demo
from talent_service.eligibility.engine.months import age_on
from talent_service.models import (
    Center,
    CenterStatusEvent,
    City,
    Declaration,
    Employment,
    Enclave,
    EnclavePartner,
    Firm,
    FirmTierPeriod,
    HouseholdMember,
    Talent,
    TalentFirm,
    User,
)
from talent_service.reference.enums import (
    CenterStatus,
    DeclaredFact,
    Education,
    FirmTier,
    Region,
    Role,
    Source,
    TierState,
    TitleLevel,
    Verification,
)
from talent_service.reference.identifiers import (
    IdKind,
    mask_id,
    validate_foreign_permanent_id,
    validate_identity,
)
from talent_service.talents.registration import TALENT_ID_HIGH, TALENT_ID_LOW
from talent_service.talents.service import identity_key

SEED = 2024
PASSWORD = "demo-password-1"
SHANTOU, SHANWEI, SHENZHEN = "440500", "441500", "440300"
MASTER_OR_ABOVE = {Education.master, Education.doctor}


@dataclass
class Snapshot:
    """Every demo row as plain attribute bags: usable after the transaction is rolled back."""

    summary: list[str]
    cities: dict[str, Any]
    firms: list[Any]
    enclaves: list[Any]
    partners: list[Any]
    centers: list[Any]
    talents: list[Any]
    talent_firms: list[Any]
    spells: list[Any]
    users: list[Any]
    tier_periods: list[Any]
    status_events: list[Any]
    declarations: list[Any]
    children: list[Any]


def _rows(session: Session, model: type[SQLModel]) -> list[Any]:
    return [SimpleNamespace(**row.model_dump()) for row in session.exec(select(model)).all()]


def _snapshot(session: Session, summary: list[str]) -> Snapshot:
    return Snapshot(
        summary=summary,
        cities={c.code: c for c in _rows(session, City)},
        firms=_rows(session, Firm),
        enclaves=_rows(session, Enclave),
        partners=_rows(session, EnclavePartner),
        centers=_rows(session, Center),
        talents=_rows(session, Talent),
        talent_firms=_rows(session, TalentFirm),
        spells=_rows(session, Employment),
        users=_rows(session, User),
        tier_periods=_rows(session, FirmTierPeriod),
        status_events=_rows(session, CenterStatusEvent),
        declarations=_rows(session, Declaration),
        children=_rows(session, HouseholdMember),
    )


def _load_apart(engine: Engine, seed: int) -> Snapshot:
    """Load in a transaction of its own, read everything, roll back."""
    with engine.connect() as connection:
        transaction = connection.begin()
        try:
            with Session(bind=connection, join_transaction_mode="create_savepoint") as session:
                summary = load_demo(session, password=PASSWORD, seed=seed)
                return _snapshot(session, summary)
        finally:
            transaction.rollback()


def _digest(snap: Snapshot) -> str:
    """A hash of every row by natural keys (USCC, ID look-up hash, names), not surrogate ids:
    PostgreSQL sequences do not roll back, so ids may differ between two equal loads. Person ids
    are the exception: drawn from the seed, they are part of the rows."""
    firm = {f.id: f.uscc for f in snap.firms}
    space = {e.id: e.name for e in snap.enclaves}
    center = {c.id: (firm[c.firm_id], c.name) for c in snap.centers}
    person = {t.id: t.id_lookup for t in snap.talents}
    user = {
        u.id: re.sub(r"^firm-\d+$", f"firm-{firm.get(u.firm_id)}", u.username) for u in snap.users
    }
    stamped = (
        [(firm[f.id], f.created_at) for f in snap.firms]
        + [(space[e.id], e.created_at) for e in snap.enclaves]
        + [(center[c.id], c.created_at) for c in snap.centers]
        + [(person[t.id], t.created_at) for t in snap.talents]
        + [(person[e.talent_id], e.hired_on, e.created_at) for e in snap.spells]
    )

    def subject(value: str | None) -> str | None:
        return user[int(value.split(":")[1])] if value else None

    def authority(value: str) -> str:
        return f"firm:{firm[int(value[5:])]}" if value.startswith("firm:") else value

    tables: list[list[tuple[Any, ...]]] = [
        [(f.uscc, f.name, f.home_city_code) for f in snap.firms],
        [
            (
                firm[p.firm_id],
                p.tier,
                p.certificate_no,
                p.valid_from,
                p.valid_to,
                p.state,
                p.source,
                subject(p.submitted_by),
                p.submitted_at,
                subject(p.decided_by),
                p.decided_at,
                p.decision_note,
            )
            for p in snap.tier_periods
        ],
        [
            (e.name, e.host_city_code, e.district, e.operator, e.total_floor_area_m2)
            for e in snap.enclaves
        ],
        [(space[p.enclave_id], p.city_code) for p in snap.partners],
        [
            (
                center[c.id],
                c.kind,
                c.host_city_code,
                space.get(c.enclave_id),
                c.address,
                c.floor_area_m2,
                c.opened_on,
                c.closed_on,
                c.status,
                subject(c.decided_by),
                c.decided_at,
                c.decision_note,
            )
            for c in snap.centers
        ],
        [
            (
                center[e.center_id],
                e.status,
                e.effective_on,
                e.source,
                authority(e.authority),
                subject(e.recorded_by),
                e.note,
                e.recorded_at,
            )
            for e in snap.status_events
        ],
        [
            (
                t.id,  # drawn from the seed, not from a sequence: the same in equal loads
                t.id_lookup,
                t.id_kind,
                t.id_masked,
                t.nationality,
                t.birth_date,
                t.sex,
                t.name,
                t.education,
                t.title_level,
                t.title_field,
                t.hukou_city_code,
            )
            for t in snap.talents
        ],
        [
            (
                person[r.talent_id],
                firm[r.firm_id],
                r.name,
                r.education,
                r.title_level,
                r.title_field,
                r.hukou_city_code,
                r.version,
                r.registered_at,
            )
            for r in snap.talent_firms
        ],
        [
            (
                person[d.talent_id],
                d.fact,
                d.value,
                d.detail,
                d.effective_on,
                d.source,
                firm.get(d.source_firm_id),
                d.source_city_code,
                subject(d.recorded_by),
                d.recorded_at,
                d.verification,
                subject(d.reviewed_by),
                d.reviewed_at,
                d.evidence,
                d.review_note,
            )
            for d in snap.declarations
        ],
        [
            (
                person[e.talent_id],
                firm[e.firm_id],
                center.get(e.center_id),
                e.position,
                e.key_post,
                e.recruited_via_program,
                e.hired_on,
                e.departed_on,
                e.departure_reason,
                e.si_city_code,
            )
            for e in snap.spells
        ],
        [(user[u.id], u.role, u.city_code, firm.get(u.firm_id)) for u in snap.users],
        stamped,
    ]
    text = repr([sorted(tuple(map(str, row)) for row in table) for table in tables])
    return hashlib.sha256(text.encode()).hexdigest()


def _story_firm_id(snap: Snapshot) -> int:
    found = re.search(r"\(firm id (\d+)\)", "\n".join(snap.summary))
    assert found, snap.summary
    return int(found.group(1))


def _ids_out(summary: list[str]) -> list[str]:
    return [re.sub(r"(firm id |firm-)\d+", r"\1<id>", line) for line in summary]


@pytest.fixture(scope="module")
def demo(engine: Engine) -> Snapshot:
    return _load_apart(engine, SEED)


def _spells_by(snap: Snapshot) -> Iterator[tuple[tuple[int, int], list[Any]]]:
    groups: dict[tuple[int, int], list[Any]] = defaultdict(list)
    for spell in snap.spells:
        groups[(spell.talent_id, spell.firm_id)].append(spell)
    for key, spells in groups.items():
        yield key, sorted(spells, key=lambda s: s.hired_on)


# --- shape -----------------------------------------------------------------------


def test_counts_are_in_the_stated_ranges(demo: Snapshot) -> None:
    assert len(demo.cities) == 21
    assert 130 <= len(demo.firms) <= 155
    assert 10 <= len(demo.enclaves) <= 14
    assert 140 <= len(demo.centers) <= 185
    assert 600 <= len(demo.talents) <= 700
    assert 680 <= len(demo.spells) <= 800
    assert len(demo.users) == 1 + 21 + len(demo.firms)
    usernames = {u.username for u in demo.users}
    assert "province" in usernames
    assert {f"bureau-{code}" for code in demo.cities} <= usernames
    assert {f"firm-{f.id}" for f in demo.firms} <= usernames
    assert any(str(len(demo.firms)) in line for line in demo.summary)
    assert any("curl" in line and "/v1/auth/token" in line for line in demo.summary)


def _current_tier(snap: Snapshot) -> dict[int, Any]:
    """Each firm's approved certificate that lasts longest: the tier it holds (or held last)."""
    current: dict[int, Any] = {}
    for period in snap.tier_periods:
        held = current.get(period.firm_id)
        if period.state is TierState.approved and (held is None or period.valid_to > held.valid_to):
            current[period.firm_id] = period
    return current


def test_firms_are_home_region_firms_with_valid_codes_and_realistic_tiers(demo: Snapshot) -> None:
    homes = {c.code for c in demo.cities.values() if c.region is not Region.prd}
    assert {f.home_city_code for f in demo.firms} == homes  # all 12, and never a PRD city
    for firm in demo.firms:
        uscc.validate(firm.uscc)
    assert len({f.uscc for f in demo.firms}) == len(demo.firms)
    current = _current_tier(demo)
    assert set(current) == {f.id for f in demo.firms}  # every firm holds a certificate
    tiers = Counter(p.tier for p in current.values())
    assert tiers.most_common(1)[0][0] is FirmTier.provincial_specialized
    assert tiers[FirmTier.innovative_sme] > tiers[FirmTier.little_giant] > 0
    assert 1 <= tiers[FirmTier.key_little_giant] <= 3
    assert 1 <= tiers[FirmTier.single_champion] <= 2
    expired = sum(1 for p in current.values() if p.valid_to < AS_OF)
    assert 1 <= expired <= len(demo.firms) // 5


def test_enclave_spaces_partner_every_home_city_and_hold_their_centers(demo: Snapshot) -> None:
    for space in demo.enclaves:
        assert demo.cities[space.host_city_code].region is Region.prd
    partners: dict[int, set[str]] = defaultdict(set)
    for row in demo.partners:
        assert demo.cities[row.city_code].region is not Region.prd
        partners[row.enclave_id].add(row.city_code)
    homes = {c.code for c in demo.cities.values() if c.region is not Region.prd}
    assert set[str]().union(*partners.values()) == homes
    # The design brief's example, exactly.
    assert any(
        e.host_city_code == SHENZHEN
        and e.total_floor_area_m2 == 2300
        and partners[e.id] == {SHANWEI}
        and any(c.enclave_id == e.id for c in demo.centers)
        for e in demo.enclaves
    )
    used: Counter[int] = Counter()
    for center in demo.centers:
        if center.enclave_id is not None:
            used[center.enclave_id] += center.floor_area_m2  # rejected and closed ones too
    for space in demo.enclaves:
        assert used[space.id] <= space.total_floor_area_m2, space.name


def test_centers_follow_the_center_rules(demo: Snapshot) -> None:
    firms = {f.id: f for f in demo.firms}
    spaces = {e.id: e for e in demo.enclaves}
    partners = {(p.enclave_id, p.city_code) for p in demo.partners}
    users = {f"user:{u.id}": u for u in demo.users}
    for center in demo.centers:
        firm = firms[center.firm_id]
        assert demo.cities[center.host_city_code].region is Region.prd
        assert demo.cities[firm.home_city_code].region is not Region.prd
        if center.enclave_id is not None:
            assert spaces[center.enclave_id].host_city_code == center.host_city_code
            assert (center.enclave_id, firm.home_city_code) in partners
        assert (center.closed_on is not None) == (center.status is CenterStatus.closed)
        if center.status is CenterStatus.pending:
            assert center.decided_by is None and center.decided_at is None
        else:
            decider = users[center.decided_by]
            assert decider.role is Role.province or (
                decider.role is Role.bureau and decider.city_code == center.host_city_code
            )
            assert center.decided_at is not None
    statuses = Counter(c.status for c in demo.centers)
    assert statuses[CenterStatus.accredited] > len(demo.centers) * 0.6
    assert all(statuses[s] >= 1 for s in CenterStatus)
    assert sum(1 for c in demo.centers if c.enclave_id is not None) > len(demo.centers) * 0.7
    assert {c.kind.value for c in demo.centers} == {"rnd", "technology", "engineering"}


def test_talents_are_stored_as_registration_stores_them(demo: Snapshot) -> None:
    kinds = Counter(t.id_kind for t in demo.talents)
    assert kinds[IdKind.resident_id] >= 600
    assert kinds[IdKind.foreign_permanent_id] >= 2 and kinds[IdKind.passport] >= 2
    for talent in demo.talents:
        number = decrypt_field(talent.id_ciphertext)
        if talent.id_kind is IdKind.resident_id:
            ric.validate(number)  # stdnum's stricter reading, birthplace code included
        elif talent.id_kind is IdKind.foreign_permanent_id:
            validate_foreign_permanent_id(number)
        nationality = None if talent.id_kind is IdKind.resident_id else talent.nationality
        identity = validate_identity(talent.id_kind, number, nationality, today=AS_OF)
        assert talent.id_lookup == identity_key(identity)
        assert talent.id_masked == mask_id(number)
        assert (talent.birth_date, talent.sex) == (identity.birth_date, identity.sex)
        assert talent.birth_date is None or 1970 <= talent.birth_date.year <= 2000
    education = Counter(t.education for t in demo.talents)
    assert (
        education[Education.master]
        > education[Education.bachelor]
        > education[Education.doctor]
        > education[Education.below_bachelor]
        > 0
    )


def test_person_ids_are_drawn_like_the_service_draws_them_not_numbered(demo: Snapshot) -> None:
    ids = [t.id for t in demo.talents]
    assert len(set(ids)) == len(ids)
    assert all(TALENT_ID_LOW <= i < TALENT_ID_HIGH for i in ids)
    # Not a run from anywhere: no id is another's successor, and they spread over the range
    # (662 uniform draws leave no gap near the ends of it).
    assert not set(ids) & {i + 1 for i in ids}
    span = TALENT_ID_HIGH - TALENT_ID_LOW
    assert min(ids) < TALENT_ID_LOW + span // 10 and max(ids) > TALENT_ID_HIGH - span // 10
    # What refers to a person carries the drawn id.
    assert {s.talent_id for s in demo.spells} <= set(ids)
    assert {r.talent_id for r in demo.talent_firms} <= set(ids)
    assert {d.talent_id for d in demo.declarations} <= set(ids)


def test_rows_are_stamped_when_their_firm_recorded_them_not_when_the_demo_ran(
    demo: Snapshot,
) -> None:
    end = _local_day_end(AS_OF)
    registered = {(r.talent_id, r.firm_id): r.registered_at for r in demo.talent_firms}
    first_act: dict[int, Any] = {}
    for firm_id, at in [
        *((p.firm_id, p.submitted_at) for p in demo.tier_periods),
        *((r.firm_id, r.registered_at) for r in demo.talent_firms),
        *((c.firm_id, c.created_at) for c in demo.centers),
    ]:
        first_act[firm_id] = min(at, first_act.get(firm_id, at))
    for firm in demo.firms:
        assert firm.created_at < first_act[firm.id] and firm.version == 1
    pending = {
        e.center_id: e.recorded_at for e in demo.status_events if e.status is CenterStatus.pending
    }
    for center in demo.centers:
        assert center.created_at == pending[center.id]
    for space in demo.enclaves:
        assert space.created_at < min(
            (c.created_at for c in demo.centers if c.enclave_id == space.id), default=end
        )
    for talent in demo.talents:
        assert talent.created_at == min(
            at for (who, _), at in registered.items() if who == talent.id
        )
    for spell in demo.spells:
        assert registered[(spell.talent_id, spell.firm_id)] <= spell.created_at < end
        assert _local_day(spell.created_at) == spell.hired_on


def test_hukou_is_mostly_the_home_city(demo: Snapshot) -> None:
    firm_home = {f.id: f.home_city_code for f in demo.firms}
    first: dict[int, Any] = {}
    for spell in sorted(demo.spells, key=lambda s: s.hired_on):
        first.setdefault(spell.talent_id, spell)
    kinds: Counter[str] = Counter()
    for talent in demo.talents:
        spell = first[talent.id]
        host = next((c.host_city_code for c in demo.centers if c.id == spell.center_id), None)
        if talent.hukou_city_code is None:
            kinds["none"] += 1
        elif talent.hukou_city_code == firm_home[spell.firm_id]:
            kinds["home"] += 1
        elif talent.hukou_city_code == host:
            kinds["host"] += 1
        else:
            kinds["other"] += 1
    assert kinds["home"] > len(demo.talents) / 2
    assert kinds["host"] > 0 and kinds["none"] > 0


def test_spells_follow_the_employment_rules(demo: Snapshot) -> None:
    centers = {c.id: c for c in demo.centers}
    firms = {f.id: f for f in demo.firms}
    registered = {(r.talent_id, r.firm_id) for r in demo.talent_firms}
    assert {(s.talent_id, s.firm_id) for s in demo.spells} == registered
    assert {t.id for t in demo.talents} == {s.talent_id for s in demo.spells}
    for spell in demo.spells:
        assert date(2021, 1, 1) <= spell.hired_on <= date(2025, 12, 31)
        assert (spell.departed_on is None) == (spell.departure_reason is None)
        if spell.departed_on is not None:
            assert spell.hired_on <= spell.departed_on <= AS_OF
        if spell.center_id is None:
            assert spell.si_city_code == firms[spell.firm_id].home_city_code
            continue
        center = centers[spell.center_id]
        assert center.firm_id == spell.firm_id
        assert center.status is not CenterStatus.rejected
        assert spell.hired_on >= center.opened_on
        if center.closed_on is not None:
            assert spell.hired_on <= center.closed_on
            assert spell.departed_on is not None and spell.departed_on <= center.closed_on
        assert spell.si_city_code in (center.host_city_code, firms[spell.firm_id].home_city_code)
    for key, spells in _spells_by(demo):
        for earlier, later in zip(spells, spells[1:], strict=False):
            assert earlier.departed_on is not None and earlier.departed_on < later.hired_on, key
    at_centers = sum(1 for s in demo.spells if s.center_id is not None)
    assert at_centers > len(demo.spells) / 2
    assert sum(1 for s in demo.spells if s.recruited_via_program) > len(demo.spells) * 0.7
    # One person, two firms: the "one person is one record" rule has something to hold.
    firms_per_talent = Counter(r.talent_id for r in demo.talent_firms)
    assert sum(1 for n in firms_per_talent.values() if n >= 2) >= 10
    # And two spells at one firm (home site, then the firm's center).
    assert any(len(spells) >= 2 for _, spells in _spells_by(demo))


# --- dated and sourced facts ------------------------------------------------------------

_RANK = list(FirmTier)  # the ladder, lowest first


def _subjects(snap: Snapshot) -> dict[str, Any]:
    return {f"user:{u.id}": u for u in snap.users}


def _local_day(moment: Any) -> date:
    return moment.astimezone(PROVINCE_TZ).date()


def _local_day_end(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(), PROVINCE_TZ)


def test_tier_certificates_are_periods_with_a_change_a_submission_and_a_refusal(
    demo: Snapshot,
) -> None:
    users = _subjects(demo)
    periods: dict[int, list[Any]] = defaultdict(list)
    for period in demo.tier_periods:
        periods[period.firm_id].append(period)
        assert period.valid_from is not None and period.valid_from <= period.valid_to
        assert period.certificate_no
        assert _local_day(period.submitted_at) <= AS_OF
        submitter = users[period.submitted_by]
        assert submitter.role is Role.province or submitter.firm_id == period.firm_id
        assert period.source is (Source.firm if submitter.role is Role.firm else Source.province)
        if period.state is TierState.submitted:
            assert period.decided_by is None and period.decided_at is None
        else:
            assert users[period.decided_by].role is Role.province
            assert (
                period.submitted_at <= period.decided_at and _local_day(period.decided_at) <= AS_OF
            )
    states = Counter(p.state for p in demo.tier_periods)
    assert states[TierState.submitted] >= 1 and states[TierState.rejected] >= 1
    rejected = next(p for p in demo.tier_periods if p.state is TierState.rejected)
    assert rejected.decision_note
    changes = 0
    for firm_periods in periods.values():
        approved = sorted(
            (p for p in firm_periods if p.state is TierState.approved), key=lambda p: p.valid_from
        )
        for earlier, later in zip(approved, approved[1:], strict=False):
            assert earlier.valid_to < later.valid_from  # approved periods never overlap
            assert _RANK.index(later.tier) > _RANK.index(earlier.tier)  # a move up
            changes += 1
    assert changes >= 3
    # One firm shows the whole ladder: moved up on renewal and now applying for the next rung.
    ladder = [
        firm_periods
        for firm_periods in periods.values()
        if sum(p.state is TierState.approved for p in firm_periods) >= 2
        and any(
            p.state is TierState.submitted
            and _RANK.index(p.tier)
            > max(_RANK.index(q.tier) for q in firm_periods if q.state is TierState.approved)
            for p in firm_periods
        )
    ]
    assert ladder
    assert any(line.strip().startswith("tier periods:") for line in demo.summary)


def _history(snap: Snapshot) -> dict[int, list[Any]]:
    events: dict[int, list[Any]] = defaultdict(list)
    for event in sorted(snap.status_events, key=lambda e: (e.effective_on, e.recorded_at)):
        events[event.center_id].append(event)
    return events


def test_centers_have_status_histories_whose_latest_event_is_the_status(demo: Snapshot) -> None:
    users = _subjects(demo)
    history = _history(demo)
    assert set(history) == {c.id for c in demo.centers}
    for center in demo.centers:
        events = history[center.id]
        first, last = events[0], events[-1]
        # Pending from the opening, as the firm registered it.
        assert (first.status, first.effective_on) == (CenterStatus.pending, center.opened_on)
        assert (first.source, first.authority) == (Source.firm, f"firm:{center.firm_id}")
        assert users[first.recorded_by].firm_id == center.firm_id
        assert last.status is center.status
        if center.status is not CenterStatus.pending:
            assert (last.recorded_by, last.recorded_at) == (center.decided_by, center.decided_at)
        if center.status is CenterStatus.closed:
            assert last.effective_on == center.closed_on
        for event in events[1:]:
            decider = users[event.recorded_by]
            assert center.opened_on < event.effective_on <= AS_OF
            # An effective date never later than the recording, and back-dated within 90 days.
            recorded = _local_day(event.recorded_at)
            assert event.effective_on <= recorded <= event.effective_on + timedelta(days=90)
            if decider.role is Role.province:
                assert (event.source, event.authority) == (Source.province, "province")
            else:
                assert decider.city_code == center.host_city_code
                assert (event.source, event.authority) == (Source.bureau, center.host_city_code)
        # Each step is one the lifecycle allows.
        for before, after in zip(events, events[1:], strict=False):
            assert (before.status, after.status) in {
                (CenterStatus.pending, CenterStatus.accredited),
                (CenterStatus.pending, CenterStatus.rejected),
                (CenterStatus.accredited, CenterStatus.suspended),
                (CenterStatus.accredited, CenterStatus.closed),
                (CenterStatus.suspended, CenterStatus.accredited),
            }
    # Accreditation some weeks or months after the opening, sometimes with effect from before
    # the decision was recorded.
    accredited = [e for e in demo.status_events if e.status is CenterStatus.accredited]
    assert any(e.effective_on < _local_day(e.recorded_at) for e in accredited)
    # A suspension with its dates, then a reinstatement, and the center accredited again.
    reinstated = [
        events
        for events in history.values()
        if [e.status for e in events][-2:] == [CenterStatus.suspended, CenterStatus.accredited]
    ]
    assert reinstated
    for events in reinstated:
        suspended, back = events[-2:]
        assert suspended.effective_on < back.effective_on and suspended.note and back.note


def _registrations(snap: Snapshot) -> dict[tuple[int, int], list[Any]]:
    """Each firm's declarations about each person, by (talent, firm)."""
    found: dict[tuple[int, int], list[Any]] = defaultdict(list)
    for declaration in snap.declarations:
        if declaration.source is Source.firm:
            found[(declaration.talent_id, declaration.source_firm_id)].append(declaration)
    return found


def test_each_registration_keeps_its_firms_profile_and_its_declarations(demo: Snapshot) -> None:
    users = _subjects(demo)
    people = {t.id: t for t in demo.talents}
    declared = _registrations(demo)
    first_hire: dict[tuple[int, int], date] = {}
    for spell in sorted(demo.spells, key=lambda s: s.hired_on):
        first_hire.setdefault((spell.talent_id, spell.firm_id), spell.hired_on)
    assert set(declared) == {(r.talent_id, r.firm_id) for r in demo.talent_firms}
    for registration in demo.talent_firms:
        key = (registration.talent_id, registration.firm_id)
        by_fact = {d.fact: d for d in declared[key]}
        assert len(declared[key]) == 3 and set(by_fact) == set(DeclaredFact)
        assert registration.version == 1
        assert registration.name == people[registration.talent_id].name
        # The registration shows what this firm declared.
        assert registration.education.value == by_fact[DeclaredFact.education].value
        title = by_fact[DeclaredFact.professional_title]
        assert (registration.title_level.value, registration.title_field) == (
            title.value,
            title.detail,
        )
        assert registration.hukou_city_code == by_fact[DeclaredFact.hukou_city].value
        registered = _local_day(registration.registered_at)
        assert registered == first_hire[key]
        for declaration in declared[key]:
            assert users[declaration.recorded_by].firm_id == registration.firm_id
            assert declaration.recorded_at == registration.registered_at
            assert declaration.effective_on is not None
            assert declaration.effective_on <= registered
        # An award date the person's age allows: a degree at 18 or later, a title after it.
        birth = people[registration.talent_id].birth_date
        education = by_fact[DeclaredFact.education]
        if birth is not None:
            assert education.effective_on >= add_years(birth, 18)
        if education.verification is not Verification.rejected:
            assert title.effective_on >= education.effective_on


def test_declarations_some_verified_by_a_bureau_some_waiting_a_few_rejected(
    demo: Snapshot,
) -> None:
    users = _subjects(demo)
    firm_home = {f.id: f.home_city_code for f in demo.firms}
    host = {c.id: c.host_city_code for c in demo.centers}
    cities_of: dict[int, set[str]] = defaultdict(set)  # where each person worked
    for spell in demo.spells:
        cities_of[spell.talent_id].add(host.get(spell.center_id, firm_home[spell.firm_id]))
    states = Counter(d.verification for d in demo.declarations)
    total = len(demo.declarations)
    assert states[Verification.verified] > total * 0.3
    assert states[Verification.declared] > total * 0.2
    assert 1 <= states[Verification.rejected] <= 5
    for d in demo.declarations:
        assert d.version == 1 and d.corrects_id is None
        if d.verification is Verification.declared:
            assert d.reviewed_by is d.reviewed_at is d.evidence is d.review_note is None
            continue
        reviewer = users[d.reviewed_by]
        assert reviewer.role is Role.bureau and reviewer.city_code in cities_of[d.talent_id]
        assert d.recorded_at <= d.reviewed_at and _local_day(d.reviewed_at) <= AS_OF
        assert d.evidence
        if d.verification is Verification.rejected:
            assert d.review_note and d.source is Source.firm
    # Hukou moves the host city's bureau recorded itself: verified from the start.
    moves = [d for d in demo.declarations if d.source is Source.bureau]
    assert moves
    for d in moves:
        assert d.fact is DeclaredFact.hukou_city and d.value == d.source_city_code
        assert d.verification is Verification.verified and d.reviewed_at == d.recorded_at
        assert users[d.recorded_by].city_code == d.source_city_code
    assert any(line.strip().startswith("declarations:") for line in demo.summary)


def test_each_persons_profile_is_what_the_selection_rule_picks_as_of_the_data_date(
    demo: Snapshot,
) -> None:
    claims: dict[tuple[int, DeclaredFact], list[Claim]] = defaultdict(list)
    for d in demo.declarations:
        claims[(d.talent_id, d.fact)].append(
            Claim(
                d.id,
                d.value,
                d.effective_on,
                d.verification,
                d.recorded_at,
                d.source,
                None,
                d.detail,
            )
        )
    for talent in demo.talents:
        education = holding_on(claims[(talent.id, DeclaredFact.education)], AS_OF)
        title = holding_on(claims[(talent.id, DeclaredFact.professional_title)], AS_OF)
        hukou = holding_on(claims[(talent.id, DeclaredFact.hukou_city)], AS_OF)
        assert education is not None and title is not None and hukou is not None
        assert talent.education.value == education.value
        assert (talent.title_level.value, talent.title_field) == (title.value, title.detail)
        assert talent.hukou_city_code == hukou.value
    # And the profile is not simply any one firm's: a rejected claim does not count, a later
    # promotion or hukou move does.
    profile = {t.id: (t.education, t.title_level, t.hukou_city_code) for t in demo.talents}
    differs = [
        r
        for r in demo.talent_firms
        if (r.education, r.title_level, r.hukou_city_code) != profile[r.talent_id]
    ]
    assert len(differs) >= 5
    rejected = [d for d in demo.declarations if d.verification is Verification.rejected]
    assert all(
        profile[d.talent_id][0].value != d.value
        for d in rejected
        if d.fact is DeclaredFact.education
    )
    assert any(t.title_level is not TitleLevel.none for t in demo.talents)


# --- the story ---------------------------------------------------------------------


def test_the_shantou_story_group(demo: Snapshot) -> None:
    education = {t.id: t.education for t in demo.talents}
    groups: dict[int, list[Any]] = defaultdict(list)
    shantou = {f.id for f in demo.firms if f.home_city_code == SHANTOU}
    for spell in demo.spells:
        if (
            spell.firm_id in shantou
            and spell.center_id is None
            and spell.hired_on.year == 2021
            and spell.recruited_via_program
            and education[spell.talent_id] in MASTER_OR_ABOVE
        ):
            groups[spell.firm_id].append(spell)
    story_id = _story_firm_id(demo)
    assert [firm for firm, spells in groups.items() if len(spells) >= 20] == [story_id]
    story = next(f for f in demo.firms if f.id == story_id)
    assert "汕头" in story.name and story.home_city_code == SHANTOU
    group = groups[story_id]
    assert len(group) == 20
    stayed = [
        s for s in group if s.departed_on is None or s.departed_on >= add_years(s.hired_on, 3)
    ]
    assert len(stayed) == 1
    assert all(
        s.departed_on is not None and s.departed_on < add_years(s.hired_on, 3)
        for s in group
        if s not in stayed
    )


def test_enclave_centers_keep_people_longer_than_home_sites(demo: Snapshot) -> None:
    in_space = {c.id for c in demo.centers if c.enclave_id is not None}
    cutoff = add_years(AS_OF, -1)  # hired at least twelve months before the data end

    def kept_12_months(spells: list[Any]) -> float:
        kept = sum(
            1 for s in spells if s.departed_on is None or s.departed_on >= add_years(s.hired_on, 1)
        )
        return kept / len(spells)

    eligible = [s for s in demo.spells if s.hired_on <= cutoff]
    enclave = kept_12_months([s for s in eligible if s.center_id in in_space])
    home = kept_12_months([s for s in eligible if s.center_id is None])
    assert enclave >= home + 0.10, (enclave, home)
    assert 0.75 <= enclave <= 0.95 and 0.45 <= home <= 0.75


# --- determinism, refusal, logging in ---------------------------------------------


def test_same_seed_gives_the_same_rows(engine: Engine, demo: Snapshot) -> None:
    again = _load_apart(engine, SEED)
    assert _ids_out(again.summary) == _ids_out(demo.summary)
    assert _digest(again) == _digest(demo)
    other = _load_apart(engine, SEED + 1)
    assert _digest(other) != _digest(demo)
    assert not {t.id for t in other.talents} & {t.id for t in demo.talents}


def test_some_people_have_a_child_recorded_by_the_firm_of_their_center_spell(
    demo: Snapshot,
) -> None:
    assert len(demo.children) >= 10
    assert any("children: " in line for line in demo.summary)
    born = {t.id: t.birth_date for t in demo.talents}
    center_city = {c.id: c.host_city_code for c in demo.centers}
    at_centers = {
        (s.talent_id, s.firm_id, center_city[s.center_id])
        for s in demo.spells
        if s.center_id is not None
    }
    stages = set()
    for child in demo.children:
        assert child.relation == "child" and child.source == "firm"
        assert (child.talent_id, child.source_firm_id, child.district_code) in at_centers
        assert 3 <= age_on(child.birth_date, AS_OF) <= 14
        assert born[child.talent_id] is None or child.birth_date > born[child.talent_id]
        assert child.birth_date <= child.effective_on <= AS_OF
        stages.add(child.school_stage)
    assert None in stages and "primary" in stages  # some stages a school system must supply


def test_loading_twice_is_refused_and_accounts_log_in(session: Session, client: TestClient) -> None:
    summary = load_demo(session, password=PASSWORD, seed=SEED)
    firms = session.exec(select(func.count()).select_from(Firm)).one()

    with pytest.raises(DomainError, match="empty database"):
        load_demo(session, password=PASSWORD, seed=SEED + 1)
    assert session.exec(select(func.count()).select_from(Firm)).one() == firms

    story_id = int(re.findall(r"\(firm id (\d+)\)", "\n".join(summary))[0])
    for username in ("province", "bureau-440300", f"firm-{story_id}"):
        r = client.post(
            "/v1/auth/token",
            data={"grant_type": "password", "username": username, "password": PASSWORD},
        )
        assert r.status_code == 200, r.text
    token = r.json()["access_token"]
    r = client.get(f"/v1/firms/{story_id}", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200 and "汕头" in r.json()["name"]
    r = client.post(
        "/v1/auth/token",
        data={"grant_type": "password", "username": "province", "password": "wrong-password"},
    )
    assert r.status_code == 400


def _login(client: TestClient, username: str) -> dict[str, str]:
    r = client.post(
        "/v1/auth/token",
        data={"grant_type": "password", "username": username, "password": PASSWORD},
    )
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def test_the_demo_shows_dated_sourced_facts_through_the_api(
    session: Session, client: TestClient
) -> None:
    load_demo(session, password=PASSWORD, seed=SEED)
    snap = _snapshot(session, [])
    users = _subjects(snap)
    province = _login(client, "province")

    # A bureau's queue holds its talent's declarations still waiting, under drawn person ids.
    bureau = _login(client, f"bureau-{SHENZHEN}")
    r = client.get("/v1/declarations", params={"limit": 200}, headers=bureau)
    assert r.status_code == 200, r.text
    waiting = r.json()["items"]
    assert waiting and all(d["verification"] == "declared" for d in waiting)
    assert all(TALENT_ID_LOW <= d["talent_id"] < TALENT_ID_HIGH for d in waiting)

    # A firm's declaration a bureau verified, on evidence, in the person's history.
    verified = next(
        d
        for d in snap.declarations
        if d.verification is Verification.verified and d.source is Source.firm
    )
    reviewer = users[verified.reviewed_by]
    r = client.get(
        f"/v1/talents/{verified.talent_id}/history",
        headers=_login(client, f"bureau-{reviewer.city_code}"),
    )
    assert r.status_code == 200, r.text
    [event] = [
        e
        for e in r.json()["events"]
        if e["kind"] == "verified" and e["declaration_id"] == verified.id
    ]
    assert event["by"] == verified.reviewed_by and event["evidence"] == verified.evidence

    # A rejected one, with its reason.
    rejected = next(d for d in snap.declarations if d.verification is Verification.rejected)
    r = client.get(f"/v1/declarations/{rejected.id}", headers=province)
    assert r.status_code == 200, r.text
    assert r.json()["verification"] == "rejected"
    assert r.json()["review"]["note"] == rejected.review_note and rejected.review_note

    # A tier change: an earlier approved certificate, a later one, and one awaiting the province.
    states: dict[int, list[str]] = defaultdict(list)
    for p in snap.tier_periods:
        states[p.firm_id].append(p.state.value)
    ladder = next(f for f, s in states.items() if s.count("approved") >= 2 and "submitted" in s)
    r = client.get(f"/v1/firms/{ladder}/tiers", headers=province)
    assert r.status_code == 200, r.text
    periods = sorted(r.json()["items"], key=lambda p: p["valid_from"])
    assert [p["state"] for p in periods] == ["approved", "approved", "submitted"]
    assert periods[0]["valid_to"] < periods[1]["valid_from"]
    r = client.get("/v1/firm-tiers", params={"state": "submitted"}, headers=province)
    assert periods[2]["id"] in {p["id"] for p in r.json()["items"]}
    r = client.get(f"/v1/firms/{ladder}/history", headers=province)
    entries = r.json()["entries"]
    assert entries[0]["event"] == "registered"  # before its first certificate, not at load time
    assert entries[0]["at"] < entries[1]["at"]

    # A center suspended with its dates and reinstated; another closed.
    history = _history(snap)
    back = next(
        c
        for c in snap.centers
        if [e.status for e in history[c.id]][-2:]
        == [CenterStatus.suspended, CenterStatus.accredited]
    )
    host = _login(client, f"bureau-{back.host_city_code}")
    r = client.get(f"/v1/centers/{back.id}/history", headers=host)
    assert r.status_code == 200, r.text
    *_, suspended, again = r.json()["periods"]
    assert suspended["status"] == "suspended" and again["status"] == "accredited"
    assert suspended["from_on"] <= suspended["to_on"] < again["from_on"]
    assert again["to_on"] is None
    closed = next(c for c in snap.centers if c.status is CenterStatus.closed)
    r = client.get(f"/v1/centers/{closed.id}/history", headers=province)
    assert r.json()["periods"][-1]["status"] == "closed"
    assert r.json()["periods"][-1]["from_on"] == closed.closed_on.isoformat()

    # One person registered by two firms: each reads the person; a third firm finds no one.
    firms_of: dict[int, list[int]] = defaultdict(list)
    for registration in snap.talent_firms:
        firms_of[registration.talent_id].append(registration.firm_id)
    person, (first, second) = next((t, f) for t, f in firms_of.items() if len(f) == 2)
    for firm_id in (first, second):
        r = client.get(f"/v1/talents/{person}", headers=_login(client, f"firm-{firm_id}"))
        assert r.status_code == 200 and r.json()["id"] == person, r.text
    stranger = next(f.id for f in snap.firms if f.id not in (first, second))
    r = client.get(f"/v1/talents/{person}", headers=_login(client, f"firm-{stranger}"))
    assert r.status_code == 404
