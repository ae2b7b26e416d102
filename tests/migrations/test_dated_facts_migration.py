"""Revision 0003 on a populated database: the undated state of 0002 becomes the first dated,
sourced entries; a downgrade gives the undated state back, row for row; upgrading again gives the
same entries as the first time.

The rows are written with plain SQL through tables reflected at 0002 (the models describe the
newest schema, not that one), covering each shape the migration treats differently: firms with
and without a tier, a tier without an expiry or without a certificate number, a center in each
status, a person registered by two firms, spells open and closed.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session

from talent_service.core.db import make_engine
from talent_service.core.migrations import current_and_head, downgrade, head_revision, upgrade
from talent_service.reference.enums import FirmTier, TierState
from tests.factories import Factory
from tests.migrations.databases import ALEMBIC_TABLE, app_tables, fresh_database

BEFORE = "0002"
SHANTOU, MEIZHOU, SHANWEI, JIEYANG, SHENZHEN = "440500", "441400", "441500", "445200", "440300"
T0 = datetime(2024, 3, 4, 2, 30, tzinfo=UTC)
MIGRATED_BY = "migration:0003"
FOREVER = date(2099, 12, 31)


def _at(hours: int) -> datetime:
    return T0 + timedelta(hours=hours)


# (id, home, tier, certificate, expiry): a tier that expires, one that never does (NULL expiry:
# valid for ever), no tier, and a tier without a certificate number (before one was required).
FIRMS = (
    (1, SHANTOU, "provincial_specialized", "GD-ZJTX-2024-0001", date(2027, 6, 30)),
    (2, MEIZHOU, "little_giant", "MIIT-XJR-2023-0002", None),
    (3, SHANWEI, None, None, None),
    (4, JIEYANG, "innovative_sme", None, date(2026, 3, 31)),
)
# (id, firm, status, opened, closed, decided_at)
CENTERS = (
    (1, 1, "pending", date(2025, 5, 6), None, None),
    (2, 1, "accredited", date(2022, 4, 18), None, _at(100)),
    (3, 2, "suspended", date(2021, 9, 1), None, _at(200)),
    (4, 2, "closed", date(2021, 3, 15), date(2024, 9, 30), _at(300)),
    (5, 4, "rejected", date(2023, 11, 20), None, _at(400)),
)
# (id, name, education, title level, title field, hukou)
TALENTS = (
    (1, "陈志强", "master", "intermediate", "机械工程", SHANTOU),
    (2, "林晓燕", "doctor", "none", None, None),
    (3, "黄俊杰", "bachelor", "junior", "电子信息", MEIZHOU),
)
# Person 1 is registered by two firms.
REGISTRATIONS = ((1, 1), (1, 2), (2, 1), (3, 2))
# (talent, firm, center, hired, departed, reason, social insurance city)
SPELLS = (
    (1, 1, 2, date(2022, 5, 9), date(2023, 8, 31), "resigned", SHENZHEN),
    (1, 2, 3, date(2023, 10, 9), None, None, SHENZHEN),
    (2, 1, None, date(2021, 7, 1), None, None, SHANTOU),
    (3, 2, 4, date(2021, 4, 1), date(2024, 9, 30), "contract_ended", SHENZHEN),
)


def _reflect(connection: Connection) -> dict[str, sa.Table]:
    metadata = sa.MetaData()
    metadata.reflect(connection)
    return dict(metadata.tables)


def populate(engine: Engine) -> None:
    with engine.begin() as connection:
        t = _reflect(connection)

        def insert(table: str, *rows: dict[str, Any]) -> None:
            connection.execute(t[table].insert(), list(rows))

        insert(
            "firm",
            *(
                {
                    "id": id_,
                    "uscc": f"91{home}MA{id_:08d}",
                    "name": f"示例企业{id_}有限公司",
                    "home_city_code": home,
                    "tier": tier,
                    "tier_certificate_no": certificate,
                    "tier_expires_on": expiry,
                    "version": 1,
                    "created_at": _at(id_),
                }
                for id_, home, tier, certificate, expiry in FIRMS
            ),
        )
        insert(
            "enclave",
            {
                "id": 1,
                "name": "深圳南山·示例飞地",
                "host_city_code": SHENZHEN,
                "district": "南山区",
                "operator": "示例运营有限公司",
                "total_floor_area_m2": 2300.0,
                "version": 1,
                "created_at": _at(10),
            },
        )
        insert(
            "enclave_partner",
            {"enclave_id": 1, "city_code": SHANTOU},
            {"enclave_id": 1, "city_code": MEIZHOU},
        )
        insert(
            "center",
            *(
                {
                    "id": id_,
                    "firm_id": firm,
                    "kind": "rnd",
                    "host_city_code": SHENZHEN,
                    "enclave_id": 1,
                    "name": f"示例研发中心{id_}",
                    "address": f"深圳市南山区科苑路{id_}号",
                    "floor_area_m2": 200.0,
                    "opened_on": opened,
                    "closed_on": closed,
                    "status": status,
                    "decided_by": "user:2" if decided_at else None,
                    "decided_at": decided_at,
                    "decision_note": f"{status} by the bureau" if decided_at else None,
                    "version": 1 if decided_at is None else 2,
                    "created_at": _at(20 + id_),
                }
                for id_, firm, status, opened, closed, decided_at in CENTERS
            ),
        )
        insert(
            "talent",
            *(
                {
                    "id": id_,
                    "id_kind": "resident_id",
                    "id_lookup": f"lookup-{id_}",
                    "id_ciphertext": f"ciphertext-{id_}".encode(),
                    "id_masked": f"4405**********{id_:04d}",
                    "nationality": "CHN",
                    "birth_date": date(1990, 1, id_),
                    "sex": "male",
                    "name": name,
                    "education": education,
                    "title_level": level,
                    "title_field": field,
                    "hukou_city_code": hukou,
                    "version": 1,
                    "created_at": _at(30 + id_),
                }
                for id_, name, education, level, field, hukou in TALENTS
            ),
        )
        insert(
            "talent_firm",
            *(
                {"talent_id": talent, "firm_id": firm, "registered_at": _at(40 + i)}
                for i, (talent, firm) in enumerate(REGISTRATIONS)
            ),
        )
        insert(
            "employment",
            *(
                {
                    "id": i,
                    "talent_id": talent,
                    "firm_id": firm,
                    "center_id": center,
                    "position": "研发工程师",
                    "key_post": i == 1,
                    "recruited_via_program": True,
                    "hired_on": hired,
                    "departed_on": departed,
                    "departure_reason": reason,
                    "si_city_code": si_city,
                    "version": 1,
                    "created_at": _at(50 + i),
                }
                for i, (talent, firm, center, hired, departed, reason, si_city) in enumerate(
                    SPELLS, start=1
                )
            ),
        )
        insert(
            "user_account",
            *(
                {
                    "id": id_,
                    "username": username,
                    "password_hash": "x",
                    "role": role,
                    "city_code": city,
                    "firm_id": firm,
                    "is_active": True,
                    "created_at": _at(60 + id_),
                }
                for id_, username, role, city, firm in (
                    (1, "province", "province", None, None),
                    (2, "bureau-440300", "bureau", SHENZHEN, None),
                    (3, "firm-1", "firm", None, 1),
                )
            ),
        )
        insert(
            "api_client",
            {
                "id": 1,
                "client_id": "school-system",
                "secret_hash": "x",
                "name": "School system",
                "scopes": "talents:read",
                "city_code": SHENZHEN,
                "is_active": True,
                "created_at": _at(70),
            },
        )
        insert(
            "policy",
            {
                "id": 1,
                "city_code": SHENZHEN,
                "benefit": "hukou",
                "side": "host",
                "name_zh": "人才入户",
                "name_en": "Talent hukou",
                "created_at": _at(80),
            },
        )
        insert(
            "policy_version",
            {
                "id": 1,
                "policy_id": 1,
                "version": 1,
                "status": "published",
                "effective_from": date(2024, 1, 1),
                "effective_to": None,
                "document_ref": "深人社规〔2024〕1号",
                "description_zh": "示例",
                "description_en": "Example",
                "rule": {"all": [{"fact": "education", "at_least": "master"}]},
                "parameter_types": {},
                "published_at": _at(81),
                "published_by": "user:1",
                "created_at": _at(80),
            },
        )
        insert(
            "policy_parameter",
            {
                "id": 1,
                "policy_id": 1,
                "name": "months",
                "value": 24,
                "effective_from": date(2024, 1, 1),
                "effective_to": None,
                "created_at": _at(80),
            },
        )
        insert(
            "decision",
            {
                "id": "4f3c2b1a-0000-4000-8000-000000000001",
                "talent_id": 1,
                "policy_version_id": 1,
                "city_code": SHENZHEN,
                "benefit": "hukou",
                "side": "host",
                "as_of": date(2025, 6, 30),
                "outcome": "eligible",
                "engine_version": "1",
                "document": {"outcome": "eligible"},
                "content_hash": "sha256:0",
                "signature": "sig",
                "attestation_signature": "att",
                "key_id": "k1",
                "requested_by": "user:2",
                "created_at": _at(90),
            },
        )


def snapshot(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table, as dicts in primary-key order."""
    with engine.connect() as connection:
        tables = _reflect(connection)
        out: dict[str, list[dict[str, Any]]] = {}
        for name, table in sorted(tables.items()):
            if name == ALEMBIC_TABLE:
                continue
            order = list(table.primary_key.columns) or list(table.columns)
            rows = connection.execute(sa.select(table).order_by(*order)).mappings().all()
            out[name] = [dict(row) for row in rows]
        return out


def _without(rows: list[dict[str, Any]], *columns: str) -> list[dict[str, Any]]:
    return [{k: v for k, v in row.items() if k not in columns} for row in rows]


def _entries(state: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    """What 0003 added, surrogate ids left out (sorted by content)."""
    out = {}
    for table in ("declaration", "firm_tier_period", "center_status_event"):
        out[table] = sorted(_without(state[table], "id"), key=repr)
    out["talent_firm"] = state["talent_firm"]
    return out


@dataclass(frozen=True)
class History:
    """The database's rows at each step: populated at 0002, upgraded, downgraded, upgraded."""

    before: dict[str, list[dict[str, Any]]]
    first: dict[str, list[dict[str, Any]]]
    back: dict[str, list[dict[str, Any]]]
    again: dict[str, list[dict[str, Any]]]
    tables_again: set[str]


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> History:
    # One database through all four steps, read by every test: the migrations are the slow
    # part, and no test writes.
    with fresh_database(tmp_path_factory.mktemp("dated-facts")) as url:
        engine = make_engine(url)
        try:
            upgrade(url, BEFORE)
            populate(engine)
            before = snapshot(engine)
            upgrade(url)
            engine.dispose()
            first = snapshot(engine)
            downgrade(url, BEFORE)
            engine.dispose()
            back = snapshot(engine)
            upgrade(url)
            engine.dispose()
            assert current_and_head(engine) == (head_revision(), head_revision())
            return History(before, first, back, snapshot(engine), app_tables(engine))
        finally:
            engine.dispose()


def test_the_cities_are_seeded_by_the_first_revision(history: History) -> None:
    assert len(history.before["city"]) == 21
    assert history.first["city"] == history.before["city"]


def test_each_person_gets_undated_migrated_declarations_with_their_profile(
    history: History,
) -> None:
    before, after = history.before, history.first
    expected = sorted(
        (t["id"], fact, value, detail, t["created_at"])
        for t in before["talent"]
        for fact, value, detail in (
            ("education", t["education"], None),
            ("title", t["title_level"], t["title_field"]),
            ("hukou_city", t["hukou_city_code"], None),
        )
        # A hukou that was not known stays unknown: no declaration, not "outside Guangdong".
        if not (fact == "hukou_city" and value is None)
    )
    found = sorted(
        (d["talent_id"], d["fact"], d["value"], d["detail"], d["recorded_at"])
        for d in after["declaration"]
    )
    assert found == expected
    assert Counter(d["talent_id"] for d in after["declaration"]) == {1: 3, 2: 2, 3: 3}
    for d in after["declaration"]:
        assert d["effective_on"] is None  # true since before the records began
        assert (d["source"], d["recorded_by"], d["verification"]) == (
            "migration",
            MIGRATED_BY,
            "declared",
        )
        assert d["source_firm_id"] is d["source_city_code"] is d["corrects_id"] is None
        assert d["reviewed_by"] is d["reviewed_at"] is d["evidence"] is None
        assert d["version"] == 1
    # The person's consolidated profile stays as it was.
    assert after["talent"] == before["talent"]


def test_each_registration_keeps_the_profile_it_was_made_with_at_version_1(
    history: History,
) -> None:
    before, after = history.before, history.first
    people = {t["id"]: t for t in before["talent"]}
    profile = ("name", "education", "title_level", "title_field", "hukou_city_code")
    assert len(after["talent_firm"]) == len(REGISTRATIONS)
    for old, new in zip(before["talent_firm"], after["talent_firm"], strict=True):
        assert {k: new[k] for k in old} == old
        assert {k: new[k] for k in profile} == {k: people[new["talent_id"]][k] for k in profile}
        assert new["version"] == 1
    # Two firms registering one person: each has its own copy.
    assert [r["firm_id"] for r in after["talent_firm"] if r["talent_id"] == 1] == [1, 2]


def test_each_tiered_firm_gets_an_approved_period_from_before_the_records(
    history: History,
) -> None:
    before, after = history.before, history.first
    created = {f["id"]: f["created_at"] for f in before["firm"]}
    periods = {p["firm_id"]: p for p in after["firm_tier_period"]}
    assert len(after["firm_tier_period"]) == 3
    assert set(periods) == {1, 2, 4}  # firm 3 has no tier: no period
    expected = {
        1: ("provincial_specialized", "GD-ZJTX-2024-0001", date(2027, 6, 30)),
        2: ("little_giant", "MIIT-XJR-2023-0002", FOREVER),  # no expiry: valid for ever
        4: ("innovative_sme", "", date(2026, 3, 31)),  # no certificate number recorded
    }
    for firm_id, (tier, certificate, valid_to) in expected.items():
        period = periods[firm_id]
        assert (period["tier"], period["certificate_no"], period["valid_to"]) == (
            tier,
            certificate,
            valid_to,
        )
        assert period["valid_from"] is None
        assert (period["state"], period["source"]) == ("approved", "migration")
        assert period["submitted_by"] == period["decided_by"] == MIGRATED_BY
        assert period["submitted_at"] == period["decided_at"] == created[firm_id]
        assert period["version"] == 1
    # The firm lost its tier columns and nothing else (0009 then adds its sign-up state: every
    # firm registered before it is approved).
    assert _without(after["firm"], "sign_up_state") == _without(
        before["firm"], "tier", "tier_certificate_no", "tier_expires_on"
    )
    assert {f["sign_up_state"] for f in after["firm"]} == {"approved"}


def test_each_center_gets_its_status_from_its_opening_and_a_closed_one_its_closing(
    history: History,
) -> None:
    before, after = history.before, history.first
    centers = {c["id"]: c for c in before["center"]}
    events: dict[int, list[tuple[str, date]]] = {}
    for event in sorted(after["center_status_event"], key=lambda e: (e["effective_on"], e["id"])):
        events.setdefault(event["center_id"], []).append((event["status"], event["effective_on"]))
        center = centers[event["center_id"]]
        assert event["recorded_at"] == (center["decided_at"] or center["created_at"])
        assert (event["source"], event["authority"], event["recorded_by"]) == (
            "migration",
            "migration",
            MIGRATED_BY,
        )
    assert events == {
        1: [("pending", date(2025, 5, 6))],
        2: [("accredited", date(2022, 4, 18))],
        3: [("suspended", date(2021, 9, 1))],
        4: [("pending", date(2021, 3, 15)), ("closed", date(2024, 9, 30))],
        5: [("rejected", date(2023, 11, 20))],
    }
    assert after["center"] == before["center"]  # the current status is kept beside the events


def test_down_gives_back_the_undated_state_row_for_row(history: History) -> None:
    before, back = history.before, history.back
    assert set(back) == set(before)
    assert {t: len(rows) for t, rows in back.items()} == {
        t: len(rows) for t, rows in before.items()
    }
    # Tiers back on the firm with the same values, a NULL expiry and a NULL certificate number
    # included (the upgrade's 2099-12-31 and '' stand for them).
    assert back["firm"] == before["firm"]
    assert [(f["tier_certificate_no"], f["tier_expires_on"]) for f in back["firm"]] == [
        (certificate, expiry) for _, _, _, certificate, expiry in FIRMS
    ]
    for table in before:
        assert back[table] == before[table], table


def test_up_again_gives_the_same_entries_as_the_first_time(history: History) -> None:
    assert history.tables_again == set(history.first)
    assert _entries(history.again) == _entries(history.first)
    assert history.again == history.first | {
        t: history.again[t] for t in ("declaration", "firm_tier_period", "center_status_event")
    }


def test_down_from_dated_tiers_puts_back_the_approved_period_that_lasts_longest(
    fresh_url: str, engine_for: Engine
) -> None:
    upgrade(fresh_url)
    with Session(engine_for) as session:
        make = Factory(session)
        changed = make.firm(
            SHANTOU,
            tier=FirmTier.innovative_sme,
            tier_certificate_no="GD-CXZX-2021-0001",
            tier_valid_from=date(2021, 1, 1),
            tier_expires_on=date(2023, 12, 31),
        )
        make.tier(
            changed,
            FirmTier.provincial_specialized,
            "GD-ZJTX-2024-0001",
            date(2024, 1, 1),
            date(2026, 12, 31),
        )
        # Neither a submitted nor a rejected certificate was ever the firm's tier.
        make.tier(
            changed,
            FirmTier.little_giant,
            "MIIT-XJR-2026-0001",
            date(2026, 5, 1),
            date(2029, 4, 30),
            state=TierState.submitted,
        )
        make.tier(
            changed,
            FirmTier.single_champion,
            "MIIT-DXGJ-2026-0001",
            date(2026, 5, 1),
            date(2030, 4, 30),
            state=TierState.rejected,
        )
        pending = make.firm(MEIZHOU, tier=None)
        make.tier(pending, FirmTier.little_giant, state=TierState.submitted)
        session.commit()
        ids = (changed.id, pending.id)
    downgrade(fresh_url, BEFORE)
    engine_for.dispose()
    firms = {f["id"]: f for f in snapshot(engine_for)["firm"]}
    assert (
        firms[ids[0]]["tier"],
        firms[ids[0]]["tier_certificate_no"],
        firms[ids[0]]["tier_expires_on"],
    ) == ("provincial_specialized", "GD-ZJTX-2024-0001", date(2026, 12, 31))
    assert (
        firms[ids[1]]["tier"],
        firms[ids[1]]["tier_certificate_no"],
        firms[ids[1]]["tier_expires_on"],
    ) == (None, None, None)
