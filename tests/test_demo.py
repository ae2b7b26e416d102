"""The demo loader: valid rows, the program's story, and the same rows for the same seed.

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
from datetime import date
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, func, select
from stdnum.cn import ric, uscc

from talent_service.core.errors import DomainError
from talent_service.core.security import decrypt_field
from talent_service.demo.loader import AS_OF, add_years, load_demo
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
from talent_service.reference.enums import CenterStatus, Education, FirmTier, Region, Role
from talent_service.reference.identifiers import (
    IdKind,
    mask_id,
    validate_foreign_permanent_id,
    validate_identity,
)
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
    PostgreSQL sequences do not roll back, so ids may differ between two equal loads."""
    firm = {f.id: f.uscc for f in snap.firms}
    space = {e.id: e.name for e in snap.enclaves}
    center = {c.id: (firm[c.firm_id], c.name) for c in snap.centers}
    person = {t.id: t.id_lookup for t in snap.talents}
    user = {
        u.id: re.sub(r"^firm-\d+$", f"firm-{firm.get(u.firm_id)}", u.username) for u in snap.users
    }

    def subject(value: str | None) -> str | None:
        return user[int(value.split(":")[1])] if value else None

    tables: list[list[tuple[Any, ...]]] = [
        [
            (f.uscc, f.name, f.home_city_code, f.tier, f.tier_certificate_no, f.tier_expires_on)
            for f in snap.firms
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
        [(person[r.talent_id], firm[r.firm_id]) for r in snap.talent_firms],
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


def test_firms_are_home_region_firms_with_valid_codes_and_realistic_tiers(demo: Snapshot) -> None:
    homes = {c.code for c in demo.cities.values() if c.region is not Region.prd}
    assert {f.home_city_code for f in demo.firms} == homes  # all 12, and never a PRD city
    for firm in demo.firms:
        uscc.validate(firm.uscc)
        assert firm.tier is not None and firm.tier_certificate_no and firm.tier_expires_on
    assert len({f.uscc for f in demo.firms}) == len(demo.firms)
    tiers = Counter(f.tier for f in demo.firms)
    assert tiers.most_common(1)[0][0] is FirmTier.provincial_specialized
    assert tiers[FirmTier.innovative_sme] > tiers[FirmTier.little_giant] > 0
    assert 1 <= tiers[FirmTier.key_little_giant] <= 3
    assert 1 <= tiers[FirmTier.single_champion] <= 2
    expired = sum(1 for f in demo.firms if f.tier_expires_on < AS_OF)
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
