"""Where the hot talent read's time goes, beside /healthz: in-process ASGI requests under cProfile.

Run by hand from the repo root after ``bash bench/bench_talent_read.sh`` (whose demo database it
reads; the bench leaves it in place):

    TALENT_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/talent_bench_read \\
        PYTHONPATH=. .venv/bin/python bench/profile_talent_read.py [N] [--top 25]

Prints µs per request for /healthz and for GET /v1/talents/{id} (the Shenzhen bureau, the
people it sees in turn) without the profiler, then the read's top entries by own time. The
client is httpx's ASGI transport: its own cost shows in the profile too (it tries to import
trio on every request), which a served worker does not pay.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import logging
import pstats
import time

import httpx

from talent_service.main import create_app

logging.disable(logging.INFO)


async def _timed(client: httpx.AsyncClient, urls: list[str], headers: dict[str, str]) -> float:
    started = time.perf_counter()
    for url in urls:
        response = await client.get(url, headers=headers)
        assert response.status_code == 200, response.text
    return 1e6 * (time.perf_counter() - started) / len(urls)


async def main(n: int, top: int) -> None:
    app = create_app()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        form = {"grant_type": "password", "username": "bureau-440300"}
        token = await client.post("/v1/auth/token", data=form | {"password": "bench-password-1"})
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        page = await client.get("/v1/talents?limit=100", headers=headers)
        ids = [t["id"] for t in page.json()["items"]]
        reads = [f"/v1/talents/{ids[i % len(ids)]}" for i in range(n)]
        await _timed(client, reads[:200], headers)  # warm caches and connections
        health = await _timed(client, ["/healthz"] * n, {})
        read = await _timed(client, reads, headers)
        print(f"in process, one request at a time: /healthz {health:.0f} µs, read {read:.0f} µs")
        profile = cProfile.Profile()
        profile.enable()
        await _timed(client, reads, headers)
        profile.disable()
    pstats.Stats(profile).sort_stats("tottime").print_stats(top)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("n", type=int, nargs="?", default=2000)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    asyncio.run(main(args.n, args.top))
