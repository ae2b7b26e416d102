"""Firms registering one person at the same moment, on the live server (2 workers on PostgreSQL).

Each firm (its own account) registers the same resident ID with a profile of its own, all
released together. Each gets its own registration at once (201, never a 409 that would tell
it someone else was registering the ID at that moment), exactly one person exists afterwards
with one registration per firm, each firm reads its own profile back at once, and no answer
carries another firm's data. Then each firm changes its registration several times at once with
one If-Match: one change per firm wins, the others are told 412.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import partial
from typing import Any

import httpx
import pytest

from tests.e2e.api import HOME_CITY, Firm, World, at_once, bearer, resident_id
from tests.e2e.live import PASSWORD, LiveServer

ROUNDS = 5
FIRMS = 8
PATCHES = 4  # per firm, at once, with the same If-Match
BUREAU = "e2e-bureau-home"
_EDUCATION = ["below_bachelor", "bachelor", "master", "doctor"]
_TITLES = ["none", "junior", "intermediate", "associate_senior", "senior"]
_PROFILE = ("name", "education", "title_level", "hukou_city_code")


@pytest.fixture(scope="module")
def bureau(world: World, server: LiveServer) -> dict[str, str]:
    """The bureau of the firms' home city: it sees the people they register."""
    server.cli(
        "create-user", BUREAU, "--role", "bureau", "--city", HOME_CITY, "--password-stdin",
        stdin=PASSWORD,
    )  # fmt: skip
    return bearer(world.client, BUREAU)


@pytest.fixture(scope="module")
def firms(world: World) -> list[Firm]:
    return [world.firm() for _ in range(FIRMS)]


def _profile(round_: int, i: int, id_number: str) -> dict[str, Any]:
    """Firm ``i``'s own view of the person: every profile field differs between firms."""
    return {
        "id_number": id_number,
        "name": f"登记人{round_}-{i}",
        "education": _EDUCATION[i % len(_EDUCATION)],
        "title_level": _TITLES[i % len(_TITLES)],
        "hukou_city_code": HOME_CITY if i % 2 else None,
    }


@dataclass(frozen=True)
class Registered:
    statuses: list[int]  # every answer
    answer: httpx.Response  # the last one
    read_back: httpx.Response | None  # a 201's registration, read at once by the same firm


def _register(world: World, job: tuple[Firm, dict[str, Any]]) -> Registered:
    firm, body = job
    answer = world.client.post("/v1/talents", json=body, headers=firm.headers)
    read_back = None
    if answer.status_code == 201:
        read_back = world.client.get(f"/v1/talents/{answer.json()['id']}", headers=firm.headers)
    return Registered([answer.status_code], answer, read_back)


def _own(answer: dict[str, Any], body: dict[str, Any]) -> bool:
    return all(answer[k] == body[k] for k in _PROFILE)


def test_firms_registering_one_person_at_once_each_get_their_own_registration(
    world: World, server: LiveServer, firms: list[Firm], bureau: dict[str, str]
) -> None:
    figures: Counter[str] = Counter()
    faults: list[str] = []
    for round_ in range(ROUNDS):
        people = server.database.scalar("SELECT count(*) FROM talent")
        registrations = server.database.scalar("SELECT count(*) FROM talent_firm")
        id_number = resident_id()
        bodies = [_profile(round_, i, id_number) for i in range(FIRMS)]
        results = at_once(partial(_register, world), list(zip(firms, bodies, strict=True)))
        for result in results:
            figures.update(str(s) for s in result.statuses)
            figures["5xx"] += sum(s >= 500 for s in result.statuses)
        assert all(r.statuses == [201] for r in results), [
            (r.statuses, r.answer.text) for r in results
        ]

        answers = [r.answer.json() for r in results]
        ids = {a["id"] for a in answers}
        if len(ids) != 1:
            faults.append(f"round {round_}: the firms got persons {sorted(ids)}")
        talent = answers[0]["id"]
        # What a firm is told is its own registration: its profile, and version 1 for all (a
        # known person looks new).
        for i, (firm, body, answer) in enumerate(zip(firms, bodies, answers, strict=True)):
            if not _own(answer, body) or answer["version"] != 1:
                faults.append(f"round {round_}: firm {i} was answered {answer}")
            again = world.client.get(f"/v1/talents/{talent}", headers=firm.headers)
            for read in (results[i].read_back, again):
                assert read is not None
                if read.status_code != 200 or read.json() != answer:
                    faults.append(f"round {round_}: firm {i} reads {read.status_code} {read.text}")
            history = world.client.get(f"/v1/talents/{talent}/history", headers=firm.headers)
            registered = [e["firm_id"] for e in history.json()["events"] if e["firm_id"]]
            if registered != [firm.id]:
                faults.append(
                    f"round {round_}: firm {i}'s history shows registrations {registered}"
                )
        # One person more, with one registration per firm: the bureau sees all of them.
        if server.database.scalar("SELECT count(*) FROM talent") != people + 1:
            faults.append(f"round {round_}: not exactly one person was created")
        if server.database.scalar("SELECT count(*) FROM talent_firm") != registrations + FIRMS:
            faults.append(f"round {round_}: not one registration per firm")
        whole = world.client.get(f"/v1/talents/{talent}/history", headers=bureau).json()
        by_bureau = sorted(e["firm_id"] for e in whole["events"] if e["kind"] == "registered")
        if by_bureau != sorted(f.id for f in firms):
            faults.append(f"round {round_}: the bureau sees registrations by {by_bureau}")
        figures["rounds"] += 1
    print(
        f"registration race: {ROUNDS} rounds × {FIRMS} firms, "
        f"answers {dict(sorted(figures.items()))}"
    )
    assert faults == []
    assert figures["5xx"] == 0


def _patch(world: World, talent: int, job: tuple[Firm, int, dict[str, Any]]) -> httpx.Response:
    firm, version, body = job
    headers = firm.headers | {"If-Match": f'"{version}"'}
    return world.client.patch(f"/v1/talents/{talent}", json=body, headers=headers)


def test_changes_of_one_registration_with_one_if_match_have_one_winner_per_firm(
    world: World, firms: list[Firm]
) -> None:
    figures: Counter[int] = Counter()
    faults: list[str] = []
    for round_ in range(ROUNDS):
        id_number = resident_id()
        bodies = [_profile(round_, i, id_number) for i in range(FIRMS)]
        registered = [_register(world, job).answer for job in zip(firms, bodies, strict=True)]
        assert all(r.status_code == 201 for r in registered), [r.text for r in registered]
        talent = registered[0].json()["id"]
        versions = [r.json()["version"] for r in registered]

        # Every firm sends PATCHES changes of its own registration at once, each naming the
        # version it read: the person's row lock serialises them all.
        jobs = [
            (firm, version, {"name": f"改名{round_}-{i}-{k}", "education": _EDUCATION[k]})
            for i, (firm, version) in enumerate(zip(firms, versions, strict=True))
            for k in range(PATCHES)
        ]
        answers = at_once(partial(_patch, world, talent), jobs)
        statuses = Counter(r.status_code for r in answers)
        figures.update(statuses)
        assert set(statuses) <= {200, 412}, statuses
        for i, firm in enumerate(firms):
            mine = answers[i * PATCHES : (i + 1) * PATCHES]
            won = [r.json() for r in mine if r.status_code == 200]
            lost = [r for r in mine if r.status_code == 412]
            read = world.client.get(f"/v1/talents/{talent}", headers=firm.headers).json()
            if len(won) != 1 or read != won[0] or read["version"] != versions[i] + 1:
                faults.append(f"round {round_}: firm {i} won {len(won)}, reads {read}")
            if not all(
                r.headers["content-type"].startswith("application/problem+json") for r in lost
            ):
                faults.append(f"round {round_}: firm {i}'s 412s are not problem responses")
            # Its registration holds one of its own changes, nobody else's.
            if not read["name"].startswith(f"改名{round_}-{i}-"):
                faults.append(f"round {round_}: firm {i} reads the name {read['name']}")
    print(
        f"If-Match on registrations: {ROUNDS} rounds × {FIRMS} firms × {PATCHES}, {dict(figures)}"
    )
    assert faults == []
    assert figures[200] == ROUNDS * FIRMS
