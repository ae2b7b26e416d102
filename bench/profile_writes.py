"""Where a write's time goes: N talent registrations and hires in process, under cProfile.

Run by hand from the repo root, on a database of your choice (default: a new SQLite file):
    TALENT_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/talent_profile \\
        .venv/bin/python bench/profile_writes.py [N]
The database must be empty or not exist yet (SQLite); it is migrated first.
"""

from __future__ import annotations

import cProfile
import logging
import os
import pstats
import random
import sys
import tempfile
import time
from datetime import date, timedelta

os.environ.setdefault("TALENT_DATABASE_URL", f"sqlite:///{tempfile.mkdtemp()}/profile.db")

from fastapi.testclient import TestClient  # noqa: E402

from talent_service.accounts.service import create_user  # noqa: E402
from talent_service.core.config import get_settings  # noqa: E402
from talent_service.core.migrations import upgrade  # noqa: E402
from talent_service.core.unit_of_work import session_scope  # noqa: E402
from talent_service.firms.schemas import FirmCreate  # noqa: E402
from talent_service.firms.service import create_firm  # noqa: E402
from talent_service.main import create_app  # noqa: E402
from talent_service.reference.enums import Role, Sex  # noqa: E402
from talent_service.reference.identifiers import (  # noqa: E402
    known_region_codes_for,
    synthetic_resident_id,
    synthetic_uscc,
)

logging.disable(logging.INFO)
N = int(sys.argv[1]) if len(sys.argv) > 1 else 300
rng = random.Random(5)
upgrade(get_settings().database_url)
with session_scope() as session:
    firm = create_firm(
        session,
        FirmCreate(uscc=synthetic_uscc(rng, "440500"), name="Profile Ltd", home_city_code="440500"),
    )
    create_user(session, "profile-firm", Role.firm, "profile-password-1", firm_id=firm.id)
region = known_region_codes_for("4405", 1990)[0]
people = [
    synthetic_resident_id(rng, region, date(1990, 1, 1) + timedelta(days=i), Sex.female)
    for i in range(N)
]

with TestClient(create_app()) as client:
    token = client.post(
        "/v1/auth/token",
        data={
            "grant_type": "password",
            "username": "profile-firm",
            "password": "profile-password-1",
        },
    ).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}

    def writes(numbers: list[str]) -> None:
        for number in numbers:
            r = client.post(
                "/v1/talents",
                json={"id_number": number, "name": "测试", "education": "master"},
                headers=headers,
            )
            assert r.status_code == 201, r.text
            hire = {
                "talent_id": r.json()["id"],
                "position": "engineer",
                "hired_on": "2024-03-01",
                "si_city_code": "440500",
            }
            assert client.post("/v1/employments", json=hire, headers=headers).status_code == 201

    writes(people[:20])  # warm-up: caches, pools, compiled statements
    profile = cProfile.Profile()
    started = time.perf_counter()
    profile.runcall(writes, people[20:])
    elapsed = time.perf_counter() - started
count = 2 * (N - 20)
print(f"{count} writes in {elapsed:.2f} s: {1000 * elapsed / count:.2f} ms per write (profiled)")
pstats.Stats(profile).sort_stats("cumulative").print_stats(30)
