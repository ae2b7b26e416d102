"""Profile the population simulation's database path (records read and laid out, then built and
simulated), on a province-sized database kept between runs. Run by hand from the repo root:

    PYTHONPATH=. .venv/bin/python bench/profile_simulation.py [--population shenzhen] [--top 30]

The database (``bench.population_db``) is written once into ``--database-url`` (default: a SQLite
file in the temporary folder, named after ``--talents``) when it has no talent yet; a PostgreSQL
URL (``TALENT_DATABASE_URL`` style) must name a database the bench may fill. The profiled call
reads every talent (``--population all``) or is ``simulation.population_table`` as ``POST
/v1/policies/{id}/simulate`` makes it for the Shenzhen bureau (``--population shenzhen``), with
verified declarations only; then build (host 440300).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import tempfile
import time
from datetime import date
from pathlib import Path

os.environ.setdefault("TALENT_ENVIRONMENT", "test")

from sqlalchemy import func
from sqlmodel import Session, select

from bench.population_db import seed_population
from talent_service.auth.principal import ROLE_SCOPES, Principal
from talent_service.core.db import make_engine
from talent_service.core.migrations import upgrade
from talent_service.eligibility.engine.fact_builder import build
from talent_service.eligibility.engine.population_layout import columns_on
from talent_service.eligibility.policies.population_source import load_columns
from talent_service.eligibility.policies.simulation import population_columns, population_table
from talent_service.models import Talent
from talent_service.reference.enums import DeclaredFact, Role, Verification
from tests.factories import SHENZHEN

AS_OF = date(2025, 6, 30)
ACCEPT = {fact: frozenset({Verification.verified}) for fact in DeclaredFact}


def ready_engine(url: str | None, n: int):  # type: ignore[no-untyped-def]
    url = url or f"sqlite:///{Path(tempfile.gettempdir()) / f'talent-population-{n}.db'}"
    upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session:
        present = session.exec(select(func.count()).select_from(Talent)).one()
    if not present:
        start = time.perf_counter()
        seed_population(engine, n)
        print(f"wrote the population into {url} in {time.perf_counter() - start:.1f} s")
    return engine


def principal(population: str) -> Principal:
    if population == "shenzhen":
        return Principal("user:bench", Role.bureau, SHENZHEN, scopes=ROLE_SCOPES[Role.bureau])
    return Principal("user:bench", Role.province, scopes=ROLE_SCOPES[Role.province])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--talents", type=int, default=100_000)
    parser.add_argument("--database-url", default=os.environ.get("TALENT_DATABASE_URL"))
    parser.add_argument("--population", choices=["all", "shenzhen"], default="all")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--sort", default="tottime")
    args = parser.parse_args()
    engine = ready_engine(args.database_url, args.talents)
    who = principal(args.population)
    city, side = (SHENZHEN, "host")

    def once() -> int:
        with Session(engine) as session:
            if args.population == "all":  # every talent, as the simulation reads them
                inputs = columns_on(load_columns(session, select(Talent.id)), AS_OF, ACCEPT)
                return build(inputs, city, side, AS_OF).table.n_rows
            cols = population_columns(session, who, city, side)
            return population_table(cols, city, side, AS_OF, ACCEPT).n_rows

    once()  # warm-up
    start = time.perf_counter()
    rows = once()
    print(f"population_table: {rows:,} talents in {time.perf_counter() - start:.3f} s (unprofiled)")
    profile = cProfile.Profile()
    profile.runcall(once)
    pstats.Stats(profile).sort_stats(args.sort).print_stats(args.top)
    engine.dispose()


if __name__ == "__main__":
    main()
