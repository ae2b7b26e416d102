"""A database of a province-sized population for the simulation bench's full path (records read
from the database and laid out, then built and simulated), written by plain bulk INSERTs.

Shapes as the service stores them: people with ids drawn in the service's range, spells at
centers (80%) and home sites, each center's status as events (pending, accredited, for some a
suspension and a reinstatement, a few closed), each firm's approved tier periods (some with an
earlier certificate of the tier below), and three declarations per person (education, title,
hukou) in a mix of verification states. Not the demo: no accounts, no registrations, no names
worth reading; only what ``fact_source.load_records`` reads must be realistic.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import insert
from sqlalchemy.engine import Engine

from talent_service.models import (
    Center,
    CenterStatusEvent,
    Declaration,
    Employment,
    Firm,
    FirmTierPeriod,
    Talent,
)
from talent_service.talents.registration import TALENT_ID_HIGH, TALENT_ID_LOW

PRD = ["440300", "440100", "441900", "440600", "442000"]
HOMES = ["440500", "441500", "441400", "440800", "441300"]
TIERS = ["innovative_sme", "provincial_specialized", "little_giant", "key_little_giant"]
EDUCATIONS = ["below_bachelor", "bachelor", "master", "doctor"]
TITLES = ["none", "junior", "intermediate", "associate_senior", "senior"]
STAMP = datetime(2025, 1, 1, tzinfo=UTC)
_CHUNK = 20_000


def _day(base: date, offset: int) -> date:
    return base + timedelta(days=int(offset))


def _insert(engine: Engine, model: type, rows: list[dict[str, Any]]) -> None:
    with engine.begin() as connection:
        for i in range(0, len(rows), _CHUNK):
            connection.execute(insert(model), rows[i : i + _CHUNK])


def seed_population(engine: Engine, n: int, seed: int = 42) -> dict[str, int]:
    """Write the population; return the row counts."""
    rng = np.random.default_rng(seed)
    n_firms, n_centers = 5000, 1500
    firm_home = rng.integers(0, len(HOMES), n_firms)
    _insert(
        engine,
        Firm,
        [
            {
                "id": f + 1,
                "uscc": f"91BENCH{f:011d}",
                "name": f"bench firm {f + 1}",
                "home_city_code": HOMES[firm_home[f]],
                "version": 1,
                "created_at": STAMP,
            }
            for f in range(n_firms)
        ],
    )
    tiers: list[dict[str, Any]] = []
    firm_tier = rng.integers(0, len(TIERS), n_firms)
    issued = rng.integers(0, 1800, n_firms)  # days after 2021-01-01
    for f in range(n_firms):
        if rng.random() < 0.15:
            continue  # no certificate
        start = _day(date(2021, 1, 1), issued[f])
        period = {
            "firm_id": f + 1,
            "tier": TIERS[firm_tier[f]],
            "certificate_no": f"BENCH-{f + 1}",
            "valid_from": start,
            "valid_to": _day(start, 3 * 365 - 1),
            "state": "approved",
            "source": "province",
            "submitted_by": "user:1",
            "submitted_at": STAMP,
            "decided_by": "user:1",
            "decided_at": STAMP,
            "version": 1,
        }
        tiers.append(period)
        if firm_tier[f] > 0 and rng.random() < 0.1:  # moved up on renewal
            tiers.append(
                period
                | {
                    "tier": TIERS[firm_tier[f] - 1],
                    "certificate_no": f"BENCH-{f + 1}-0",
                    "valid_from": _day(start, -3 * 365),
                    "valid_to": _day(start, -1),
                }
            )
    _insert(engine, FirmTierPeriod, tiers)

    center_firm = rng.integers(0, n_firms, n_centers)
    center_host = rng.integers(0, len(PRD), n_centers)
    opened = rng.integers(0, 1500, n_centers)  # days after 2018-01-01
    centers, events = [], []
    for c in range(n_centers):
        opened_on = _day(date(2018, 1, 1), opened[c])
        host = PRD[center_host[c]]
        history = [("pending", opened_on)]
        roll = rng.random()
        if roll > 0.1:
            accredited = _day(opened_on, rng.integers(20, 90))
            history.append(("accredited", accredited))
            if roll > 0.8:
                suspended = _day(accredited, rng.integers(200, 1500))
                history.append(("suspended", suspended))
                if roll > 0.85:
                    history.append(("accredited", _day(suspended, rng.integers(30, 150))))
            elif roll < 0.15:
                history.append(("closed", _day(accredited, rng.integers(400, 1500))))
        status, _ = history[-1]
        centers.append(
            {
                "id": c + 1,
                "firm_id": int(center_firm[c]) + 1,
                "kind": "rnd",
                "host_city_code": host,
                "name": f"bench center {c + 1}",
                "address": "bench",
                "floor_area_m2": 200.0,
                "opened_on": opened_on,
                "closed_on": history[-1][1] if status == "closed" else None,
                "status": status,
                "decided_by": None if status == "pending" else "user:1",
                "decided_at": None if status == "pending" else STAMP,
                "version": 1,
                "created_at": STAMP,
            }
        )
        for state, effective in history:
            events.append(
                {
                    "center_id": c + 1,
                    "status": state,
                    "effective_on": effective,
                    "source": "firm" if state == "pending" else "bureau",
                    "authority": f"firm:{int(center_firm[c]) + 1}" if state == "pending" else host,
                    "recorded_by": "user:1",
                    "recorded_at": STAMP,
                }
            )
    _insert(engine, Center, centers)
    _insert(engine, CenterStatusEvent, events)

    ids = rng.choice(TALENT_ID_HIGH - TALENT_ID_LOW, size=n, replace=False) + TALENT_ID_LOW
    birth = rng.integers(0, 13_000, n)  # days after 1965-01-01
    education = rng.choice(len(EDUCATIONS), size=n, p=[0.1, 0.5, 0.3, 0.1])
    title = rng.integers(0, len(TITLES), n)
    cities: list[str | None] = [*PRD, *HOMES, None]
    hukou = rng.integers(0, len(cities), n)
    _insert(
        engine,
        Talent,
        [
            {
                "id": int(ids[t]),
                "id_kind": "resident_id",
                "id_lookup": f"bench-{t:058d}",
                "id_ciphertext": b"bench",
                "id_masked": "4403**********0000",
                "nationality": "CHN",
                "birth_date": _day(date(1965, 1, 1), birth[t]),
                "name": "bench",
                "education": EDUCATIONS[education[t]],
                "title_level": TITLES[title[t]],
                "hukou_city_code": cities[hukou[t]],
                "version": 1,
                "created_at": STAMP,
            }
            for t in range(n)
        ],
    )
    states = rng.choice(3, size=3 * n, p=[0.55, 0.43, 0.02])  # verified, declared, rejected
    declarations = []
    for t in range(n):
        for k, (fact, value) in enumerate(
            (
                ("education", EDUCATIONS[education[t]]),
                ("title", TITLES[title[t]]),
                ("hukou_city", cities[hukou[t]]),
            )
        ):
            state = ("verified", "declared", "rejected")[states[3 * t + k]]
            declarations.append(
                {
                    "talent_id": int(ids[t]),
                    "fact": fact,
                    "value": value,
                    "effective_on": _day(date(1965, 1, 1), birth[t] + 22 * 365),
                    "source": "firm",
                    "source_firm_id": 1,
                    "recorded_by": "user:1",
                    "recorded_at": STAMP,
                    "verification": state,
                    "reviewed_by": None if state == "declared" else "user:1",
                    "reviewed_at": None if state == "declared" else STAMP,
                    "version": 1,
                }
            )
    _insert(engine, Declaration, declarations)

    spells_per = rng.choice([0, 1, 1, 1, 2, 2, 3], size=n)
    talent_of = np.repeat(np.arange(n), spells_per)
    m = talent_of.size
    hired = rng.integers(0, 4000, m)  # days after 2015-01-01
    stays = rng.integers(30, 3000, m)
    gone = rng.random(m) < 0.5
    at_center = rng.random(m) < 0.8
    center = rng.integers(0, n_centers, m)
    home_firm = rng.integers(0, n_firms, m)
    spells = []
    for s in range(m):
        c = int(center[s]) if at_center[s] else None
        firm = int(center_firm[c]) if c is not None else int(home_firm[s])
        hired_on = _day(date(2015, 1, 1), hired[s])
        if c is not None:
            hired_on = max(hired_on, centers[c]["opened_on"])
        departed = _day(hired_on, stays[s]) if gone[s] else None
        si = PRD[center_host[c]] if c is not None else HOMES[firm_home[firm]]
        spells.append(
            {
                "talent_id": int(ids[talent_of[s]]),
                "firm_id": firm + 1,
                "center_id": None if c is None else c + 1,
                "position": "engineer",
                "key_post": bool(s % 3 == 0),
                "recruited_via_program": bool(s % 5 < 3),
                "hired_on": hired_on,
                "departed_on": departed,
                "departure_reason": "resigned" if departed else None,
                "si_city_code": si,
                "version": 1,
                "created_at": STAMP,
            }
        )
    _insert(engine, Employment, spells)
    return {
        "talents": n,
        "spells": m,
        "declarations": len(declarations),
        "firms": n_firms,
        "tier periods": len(tiers),
        "centers": n_centers,
        "status events": len(events),
    }
