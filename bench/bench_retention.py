"""Hand-run benchmark: the retention summary over 1,000,000 spells read from the database.

    cd /work/main && PYTHONPATH=. .venv/bin/python bench/bench_retention.py

Not a test. For each database (SQLite in a temporary folder, and a PostgreSQL database created
for the run and dropped afterwards) it builds the schema with the migrations, bulk-inserts a
few hundred firms and centers, a few thousand talent rows (dummy ciphertext) and N spells
(executemany on SQLite, COPY on PostgreSQL; foreign keys checked), then times, in interleaved
rounds (best and median reported) so that other load on the machine falls on all alike:

* the summary service end to end (visibility-ruled query, numpy arrays, Kaplan–Meier per group,
  response schema), for several groupings;
* lifelines' KaplanMeierFitter on the same durations: fit alone (durations in memory), and end
  to end after reading the same spells from the same database: row by row through Core with
  integer day numbers (the usual fast way), with our packed read, and with ``pandas.read_sql``.

Options: --spells N, --rounds R, --sqlite-only, --postgres-only, --postgres BASE_URL, and
--existing-sqlite FILE / --existing-postgres URL to time an already populated database.
"""

from __future__ import annotations

import argparse
import itertools
import random
import statistics
import sys
import tempfile
import time
import uuid
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from lifelines import KaplanMeierFitter
from sqlalchemy import Integer, cast, create_engine, func, insert, literal_column, select, text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session

from talent_service.auth.principal import ROLE_SCOPES, Principal
from talent_service.core.db import make_engine
from talent_service.core.migrations import upgrade
from talent_service.models import Center, Employment, Firm, Talent
from talent_service.reference.enums import Education, Role
from talent_service.reference.identifiers import synthetic_uscc
from talent_service.retention import queries, service
from talent_service.retention.schemas import GroupBy, PopulationQuery

AS_OF = date(2025, 6, 30)
AS_DAY = (AS_OF - date(1970, 1, 1)).days
FIRST_HIRE = date(2015, 1, 1)
N_FIRMS, N_CENTERS, N_TALENTS = 400, 250, 5000
HOME_CITIES = ["440500", "441500", "441400", "440200", "440800", "440900", "445100", "445200"]
HOST_CITIES = ["440300", "440100", "441900", "440600", "442000"]
PROVINCE = Principal("user:bench", Role.province, scopes=ROLE_SCOPES[Role.province])


# --- data ---------------------------------------------------------------------------------------


def _reference_rows(rng: random.Random) -> tuple[list[dict[str, Any]], ...]:
    now = datetime.now(UTC)
    firms = [
        {
            "id": i,
            "uscc": synthetic_uscc(rng, home := HOME_CITIES[i % len(HOME_CITIES)]),
            "name": f"基准企业{i:04d}",
            "home_city_code": home,
            "version": 1,
            "created_at": now,
        }
        for i in range(1, N_FIRMS + 1)
    ]
    centers = [
        {
            "id": i,
            "firm_id": rng.randint(1, N_FIRMS),
            "kind": "rnd",
            "host_city_code": rng.choice(HOST_CITIES),
            "name": f"基准研发中心{i:04d}",
            "address": "1 Bench Road",
            "floor_area_m2": 300.0,
            "opened_on": date(2014, 1, 1),
            "status": "accredited",
            "version": 1,
            "created_at": now,
        }
        for i in range(1, N_CENTERS + 1)
    ]
    educations = [e.value for e in Education]
    talents = [
        {
            "id": i,
            "id_kind": "passport",
            "id_lookup": f"bench-{i:08d}",
            "id_ciphertext": b"\x00" * 28,  # dummy: never decrypted here
            "id_masked": "E****0000",
            "nationality": "CHN",
            "name": f"人才{i}",
            "education": educations[i % len(educations)],
            "title_level": "none",
            "version": 1,
            "created_at": now,
        }
        for i in range(1, N_TALENTS + 1)
    ]
    return firms, centers, talents


def _spell_columns(n: int, seed: int, centers: Sequence[dict[str, Any]]) -> dict[str, np.ndarray]:
    """Hires over ten years before AS_OF, departures roughly exponential, 40% at centers."""
    rng = np.random.default_rng(seed)
    first, last = np.datetime64(FIRST_HIRE, "D"), np.datetime64(AS_OF, "D")
    hired = first + rng.integers(0, (last - first).astype(np.int64) + 1, n)
    tenure = np.ceil(rng.exponential(1100.0, n)).astype(np.int64)
    departed = hired + tenure
    left = departed <= last
    center_firm = np.array([c["firm_id"] for c in centers])
    at_center = rng.random(n) < 0.4
    center = np.where(at_center, rng.integers(1, len(centers) + 1, n), 0)
    home_firm = rng.integers(1, N_FIRMS + 1, n)
    firm = np.where(at_center, center_firm[np.maximum(center, 1) - 1], home_firm)
    return {
        "talent_id": rng.integers(1, N_TALENTS + 1, n),
        "firm_id": firm,
        "center_id": center,
        "recruited": rng.random(n) < 0.85,
        "hired": hired,
        "departed": departed,
        "left": left,
    }


def _spell_rows(cols: dict[str, np.ndarray], centers: Sequence[dict[str, Any]]) -> Iterator[tuple]:
    now = datetime.now(UTC)
    host = [""] + [c["host_city_code"] for c in centers]
    firm_home = [""] + [HOME_CITIES[i % len(HOME_CITIES)] for i in range(1, N_FIRMS + 1)]
    hired = cols["hired"].astype("datetime64[D]").tolist()
    departed = cols["departed"].astype("datetime64[D]").tolist()
    for i, (talent, firm, center, recruited, left) in enumerate(
        zip(
            cols["talent_id"].tolist(),
            cols["firm_id"].tolist(),
            cols["center_id"].tolist(),
            cols["recruited"].tolist(),
            cols["left"].tolist(),
            strict=True,
        )
    ):
        yield (
            talent,
            firm,
            center or None,
            "Engineer",
            False,
            recruited,
            hired[i],
            departed[i] if left else None,
            "resigned" if left else None,
            host[center] if center else firm_home[firm],
            1,
            now,
        )


SPELL_COLUMNS = (
    "talent_id",
    "firm_id",
    "center_id",
    "position",
    "key_post",
    "recruited_via_program",
    "hired_on",
    "departed_on",
    "departure_reason",
    "si_city_code",
    "version",
    "created_at",
)


def _sqlite_row(row: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(
        v.strftime("%Y-%m-%d %H:%M:%S.%f")
        if isinstance(v, datetime)  # as SQLAlchemy writes
        else v.isoformat()
        if isinstance(v, date)
        else v
        for v in row
    )


def populate(engine: Engine, n: int, seed: int = 20250630) -> float:
    """Reference rows and n spells; returns the seconds the spells took to insert."""
    firms, centers, talents = _reference_rows(random.Random(seed))
    with engine.begin() as conn:
        conn.execute(insert(Firm.__table__), firms)  # type: ignore[attr-defined]
        conn.execute(insert(Center.__table__), centers)  # type: ignore[attr-defined]
        conn.execute(insert(Talent.__table__), talents)  # type: ignore[attr-defined]
    cols = _spell_columns(n, seed, centers)
    start = time.perf_counter()
    rows = _spell_rows(cols, centers)
    if engine.dialect.name == "postgresql":
        raw = engine.raw_connection()
        try:
            with raw.cursor() as cur:  # type: ignore[attr-defined]
                names = ", ".join(SPELL_COLUMNS)
                with cur.copy(f"COPY employment ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                for table in ("firm", "center", "talent"):
                    cur.execute(f"SELECT setval('{table}_id_seq', (SELECT max(id) FROM {table}))")
            raw.commit()
        finally:
            raw.close()
        with engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
    else:
        # Plain DBAPI executemany with ISO dates: SQLAlchemy's per-row date processing and
        # dict parameters would triple the load time, and this is set-up, not the measurement.
        marks = ", ".join("?" * len(SPELL_COLUMNS))
        sql = f"INSERT INTO employment ({', '.join(SPELL_COLUMNS)}) VALUES ({marks})"
        raw = engine.raw_connection()
        try:
            cur = raw.cursor()
            cur.execute("PRAGMA synchronous=OFF")  # a throwaway file: no fsync per page
            cur.execute("BEGIN")
            batch: list[tuple[Any, ...]] = []
            for row in rows:
                batch.append(_sqlite_row(row))
                if len(batch) == 50_000:
                    cur.executemany(sql, batch)
                    batch = []
            if batch:
                cur.executemany(sql, batch)
            cur.execute("COMMIT")
            cur.execute("ANALYZE")
        finally:
            raw.close()
    return time.perf_counter() - start


# --- timing -------------------------------------------------------------------------------------


def _lifelines_fit(durations: np.ndarray, observed: np.ndarray) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        kmf = KaplanMeierFitter().fit(durations, observed)
        return kmf.predict([365, 730, 1095]).to_numpy()


def _pandas_read(engine: Engine) -> tuple[np.ndarray, np.ndarray]:
    """What a notebook would do: read the two dates with pandas, subtract, fit."""
    e = Employment.__table__  # type: ignore[attr-defined]
    stmt = select(e.c.hired_on, e.c.departed_on).where(
        e.c.recruited_via_program.is_(True), e.c.hired_on <= AS_OF
    )
    with engine.connect() as conn:
        df = pd.read_sql(stmt, conn, parse_dates=["hired_on", "departed_on"])
    cutoff = pd.Timestamp(AS_OF)
    left = df["departed_on"].notna() & (df["departed_on"] <= cutoff)
    end = df["departed_on"].where(left, cutoff)
    return (end - df["hired_on"]).dt.days.to_numpy(), left.to_numpy()


def _rowwise_read(engine: Engine) -> tuple[np.ndarray, np.ndarray]:
    """The textbook fast read: Core SELECT of integer day numbers, rows unpacked by numpy."""
    e = Employment.__table__  # type: ignore[attr-defined]
    if engine.dialect.name == "postgresql":
        hired = e.c.hired_on - literal_column("DATE '1970-01-01'")
        left = e.c.departed_on - literal_column("DATE '1970-01-01'")
        by_as_of = e.c.hired_on <= AS_OF
    else:
        hired = cast(func.julianday(e.c.hired_on) - 2440587.5, Integer)
        left = cast(func.julianday(e.c.departed_on) - 2440587.5, Integer)
        by_as_of = func.likely(e.c.hired_on <= AS_OF)  # a scan, as ours (see queries._hired_by)
    stmt = select(hired, func.coalesce(left, 2**31 - 1)).where(
        e.c.recruited_via_program.is_(True), by_as_of
    )
    with engine.connect() as conn:
        rows = conn.execute(stmt).cursor.fetchall()
    flat = np.fromiter(itertools.chain.from_iterable(rows), np.int64, count=2 * len(rows))
    hired_day, left_day = flat[0::2], flat[1::2]
    observed = left_day <= AS_DAY
    return np.where(observed, left_day, AS_DAY) - hired_day, observed


def race(contestants: dict[str, Callable[[], Any]], rounds: int) -> dict[str, list[float]]:
    """Run every contestant once per round, in turn, so that load from other processes on the
    machine falls on all of them alike; return each one's timings."""
    times: dict[str, list[float]] = {name: [] for name in contestants}
    for _ in range(rounds):
        for name, fn in contestants.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return times


def run(label: str, engine: Engine, n: int | None, rounds: int) -> None:
    if n is not None:
        upgrade(engine.url.render_as_string(hide_password=False))
        seconds = populate(engine, n)
        print(f"\n== {label}: {n:,} spells inserted in {seconds:.1f} s")
    else:
        print(f"\n== {label}: existing database")
    population = PopulationQuery(as_of=AS_OF)

    def load() -> queries.Spells:
        with Session(engine) as session:
            return queries.load_spells(session, PROVINCE, population)

    def summary(group_by: GroupBy) -> Callable[[], Any]:
        def fn() -> Any:
            with Session(engine) as session:
                return service.summary(session, PROVINCE, population, group_by, (12, 24, 36))

        return fn

    def curve() -> Any:
        with Session(engine) as session:
            return service.curve(session, PROVINCE, population)

    # Same spells, same answers, before anything is timed.
    spells = load()
    durations, observed = _rowwise_read(engine)
    same = np.sort(durations * 2 + observed) == np.sort(spells.durations * 2 + spells.observed)
    assert same.all(), "the two reads disagree"
    reference = _lifelines_fit(durations, observed)
    ours = [h.survival for h in summary(GroupBy.firm)().total.horizons]
    assert np.allclose(ours, reference, rtol=0, atol=1e-9), (ours, reference)
    print(
        f"  {spells.size:,} spells counted, {int(spells.observed.sum()):,} departures; "
        f"S(12/24/36 months) = {np.round(reference, 4).tolist()} (ours = lifelines to 1e-9)"
    )

    groupings = (
        GroupBy.firm,
        GroupBy.center,
        GroupBy.home_city,
        GroupBy.education,
        GroupBy.hire_year,
    )
    contestants: dict[str, Callable[[], Any]] = {
        "read: our packed query (no key)": load,
        "read: row by row (Core, integer day numbers)": lambda: _rowwise_read(engine),
        **{f"ours: summary by {g.value}": summary(g) for g in groupings},
        "ours: curve": curve,
        "lifelines: fit + predict only (in memory)": lambda: _lifelines_fit(durations, observed),
        "lifelines: row-by-row read + fit": lambda: _lifelines_fit(*_rowwise_read(engine)),
        "lifelines: our packed read + fit": lambda: _lifelines_fit(
            (s := load()).durations, s.observed
        ),
        "lifelines: pandas.read_sql + fit": lambda: _lifelines_fit(*_pandas_read(engine)),
    }
    times = race(contestants, rounds)
    print(f"  {'':<48}{'best':>9}{'median':>10}   ({rounds} interleaved rounds)")
    for name, ts in times.items():
        print(f"  {name:<48}{min(ts) * 1e3:7.0f} ms{statistics.median(ts) * 1e3:7.0f} ms")
    slowest = max((k for k in times if k.startswith("ours: summary")), key=lambda k: min(times[k]))
    worst = min(times[slowest])
    for ref in (
        "lifelines: row-by-row read + fit",
        "lifelines: pandas.read_sql + fit",
        "lifelines: our packed read + fit",
    ):
        print(f"  {ref} / slowest summary ({slowest[14:]}): {min(times[ref]) / worst:.2f}x")


@contextmanager
def postgres_database(base_url: str) -> Iterator[str]:
    name = f"talent_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(make_url(base_url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(base_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--spells", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--postgres-only", action="store_true")
    parser.add_argument("--existing-sqlite", help="time an already populated SQLite file")
    parser.add_argument("--existing-postgres", help="time an already populated database URL")
    args = parser.parse_args(argv)
    if args.existing_sqlite or args.existing_postgres:
        existing = (("SQLite", args.existing_sqlite), ("PostgreSQL", args.existing_postgres))
        for label, url in existing:
            if url:
                engine = make_engine(url if "://" in url else f"sqlite:///{url}")
                run(label, engine, None, args.rounds)
                engine.dispose()
        return
    print(f"python {sys.version.split()[0]}, numpy {np.__version__}, as of {AS_OF}")
    if not args.postgres_only:
        with tempfile.TemporaryDirectory() as tmp:
            engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
            try:
                run("SQLite", engine, args.spells, args.rounds)
            finally:
                engine.dispose()
    if not args.sqlite_only:
        with postgres_database(args.postgres) as url:
            engine = make_engine(url)
            try:
                run("PostgreSQL", engine, args.spells, args.rounds)
            finally:
                engine.dispose()


if __name__ == "__main__":
    main()
