"""A center's status events under concurrent writers, on the live server (2 workers on PostgreSQL).

The host city's bureau sends suspensions, reinstatements, closures and accreditations with
effective dates of its own, 8 at once, wave after wave. Every 2xx must be in the history read
back afterwards, and the history must be a sequence the status machine allows (recorded order
= holding order, dates never going backwards, nothing after a closure); every refusal is a
problem response (409, 412, 422), never a 5xx. An eligibility check or a policy publish that
races a status change sees the state before or after it, never a mix.
"""

from __future__ import annotations

import random
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial
from typing import Any

import httpx
import pytest

from talent_service.centers.lifecycle import TRANSITIONS, CenterAction
from talent_service.reference.enums import CenterStatus
from tests.e2e.api import HOST_CITY, Firm, World, at_once, bearer, hire_body, months_rule
from tests.e2e.live import PASSWORD, LiveServer

ROUNDS = 4
WAVES = 4
WRITERS = 8
REFUSALS = {409, 412, 422}
BUREAU = "e2e-bureau-host"
ACCREDITED_DAYS_AGO = 60  # inside the default back-dating limit (90) with a day to spare

_ACTIONS = {  # the route, the status it leads to, the lifecycle action it is
    "suspension": (CenterStatus.suspended, CenterAction.suspend),
    "reinstatement": (CenterStatus.accredited, CenterAction.reinstate),
    "closure": (CenterStatus.closed, CenterAction.close),
    "accreditation": (CenterStatus.accredited, CenterAction.accredit),
}


# Mostly suspensions and reinstatements: a closure ends a center's story.
_WEIGHTS = [4, 4, 1, 1]


def _days_ago(wave: int) -> tuple[int, int]:
    """Each wave's effective dates, overlapping the previous wave's and nearer today."""
    top = ACCREDITED_DAYS_AGO - 5 - 12 * wave
    return max(0, top - 20), top


@pytest.fixture(scope="module")
def bureau(world: World, server: LiveServer) -> dict[str, str]:
    """The host city's bureau: it decides on the centers hosted there."""
    server.cli(
        "create-user", BUREAU, "--role", "bureau", "--city", HOST_CITY, "--password-stdin",
        stdin=PASSWORD,
    )  # fmt: skip
    return bearer(world.client, BUREAU)


def _accredited_center(world: World, firm: Firm, bureau: dict[str, str], since: date) -> str:
    created = world.center(firm)
    assert created.status_code == 201, created.text
    url = f"/v1/centers/{created.json()['id']}"
    body = {"decision": "accredited", "effective_on": since.isoformat(), "note": "setup"}
    accredited = world.client.post(f"{url}/accreditation", json=body, headers=bureau)
    assert accredited.status_code == 200, accredited.text
    return url


def _server_today(world: World, firm: Firm, bureau: dict[str, str]) -> date:
    """The service's today (Asia/Shanghai), as it answers an act given no date."""
    created = world.center(firm)
    assert created.status_code == 201, created.text
    url = f"/v1/centers/{created.json()['id']}/accreditation"
    answer = world.client.post(url, json={"decision": "accredited"}, headers=bureau)
    assert answer.status_code == 200, answer.text
    return date.fromisoformat(answer.json()["status_since"])


@dataclass(frozen=True)
class Act:
    route: str
    day: date
    note: str  # unique: how the act is found in the history
    if_match: int | None = None

    def body(self) -> dict[str, Any]:
        if self.route == "closure":
            return {"closed_on": self.day.isoformat(), "note": self.note}
        body: dict[str, Any] = {"effective_on": self.day.isoformat(), "note": self.note}
        return body | ({"decision": "accredited"} if self.route == "accreditation" else {})


def _send(world: World, url: str, bureau: dict[str, str], act: Act) -> httpx.Response:
    headers = bureau | ({} if act.if_match is None else {"If-Match": f'"{act.if_match}"'})
    return world.client.post(f"{url}/{act.route}", json=act.body(), headers=headers)


def _problems(answers: list[httpx.Response]) -> list[str]:
    """What is wrong with the refusals: each must be a problem response naming its cause."""
    wrong = []
    for r in answers:
        if r.status_code in REFUSALS:
            media = r.headers.get("content-type", "")
            if not media.startswith("application/problem+json") or not r.json().get("detail"):
                wrong.append(f"{r.status_code} {media} {r.text[:200]}")
    return wrong


def _sequence_faults(events: list[dict[str, Any]]) -> list[str]:
    """Faults of a history as a sequence of acts: each event a transition the status machine
    allows from the one before (registration first), in recorded order = holding order, with
    effective dates never going backwards."""
    faults = []
    if [e["id"] for e in events] != sorted(e["id"] for e in events):
        faults.append("the order the events hold in is not the order they were recorded in")
    allowed = {(before, after) for (before, _), after in TRANSITIONS.items()}
    for before, after in zip(events, events[1:], strict=False):
        pair = (CenterStatus(before["status"]), CenterStatus(after["status"]))
        if pair not in allowed:
            faults.append(f"{pair[0].value} → {pair[1].value} (event {after['id']})")
        if after["effective_on"] < before["effective_on"]:
            faults.append(f"event {after['id']} takes effect before event {before['id']}")
    return faults


def test_concurrent_status_changes_commit_every_acknowledged_event_in_a_possible_order(
    world: World, bureau: dict[str, str]
) -> None:
    firm = world.firm()
    today = _server_today(world, firm, bureau)
    rng = random.Random(20240901)
    figures: Counter[str] = Counter()
    faults: list[str] = []
    for round_ in range(ROUNDS):
        url = _accredited_center(world, firm, bureau, today - timedelta(ACCREDITED_DAYS_AGO))
        acknowledged: list[tuple[Act, dict[str, Any]]] = []
        for wave in range(WAVES):
            version = world.client.get(url, headers=bureau).json()["version"]
            acts = [
                Act(
                    rng.choices(list(_ACTIONS), weights=_WEIGHTS)[0],
                    today - timedelta(rng.randint(*_days_ago(wave))),
                    f"r{round_}w{wave}a{i}",
                    version if i % 2 else None,  # half of them name the version they read
                )
                for i in range(WRITERS)
            ]
            answers = at_once(partial(_send, world, url, bureau), acts)
            for act, answer in zip(acts, answers, strict=True):
                figures[f"{act.route} {answer.status_code}"] += 1
                if answer.status_code == 200:
                    acknowledged.append((act, answer.json()))
                    # The answer tells the status the act led to, and from the date it gave.
                    told = (answer.json()["status"], answer.json()["status_since"])
                    if told != (_ACTIONS[act.route][0].value, act.day.isoformat()):
                        faults.append(f"{url} {act}: answered {told}")
            statuses = Counter(r.status_code for r in answers)
            figures["refused"] += sum(n for s, n in statuses.items() if s in REFUSALS)
            figures["5xx"] += sum(n for s, n in statuses.items() if s >= 500)
            assert set(statuses) <= {200} | REFUSALS, statuses
            faults += _problems(answers)
            # Of the acts naming one version, one at most applied.
            pairs = zip(acts, answers, strict=True)
            if sum(a.if_match is not None and r.status_code == 200 for a, r in pairs) > 1:
                faults.append(f"{url} wave {wave}: two acts on version {version} applied")

        history = world.client.get(f"{url}/history", headers=bureau).json()
        center = world.client.get(url, headers=bureau).json()
        events = history["events"]
        faults += [f"{url}: {f}" for f in _sequence_faults(events)]
        # The registration and the setup's accreditation, then exactly the acknowledged acts.
        if [e["status"] for e in events[:2]] != ["pending", "accredited"]:
            faults.append(f"{url}: history starts {events[:2]}")
        stored = Counter((e["status"], e["effective_on"], e["note"]) for e in events[2:])
        acked = Counter(
            (_ACTIONS[a.route][0].value, a.day.isoformat(), a.note) for a, _ in acknowledged
        )
        if stored != acked:
            faults.append(f"{url}: stored {sorted(stored)} but acknowledged {sorted(acked)}")
        # Each acknowledged act moved the center's version by one, none applied to the same one.
        versions = sorted(answer["version"] for _, answer in acknowledged)
        if versions and versions != list(range(versions[0], versions[0] + len(versions))):
            faults.append(f"{url}: acknowledged versions {versions}")
        last = events[-1]
        if (center["status"], center["status_since"]) != (last["status"], last["effective_on"]):
            faults.append(f"{url}: reads {center['status']} but its history ends {last}")
        if history["periods"][-1]["status"] != center["status"]:
            faults.append(f"{url}: periods end {history['periods'][-1]}, status {center['status']}")
        figures["acknowledged"] += len(acknowledged)
    print(
        f"center status events: {ROUNDS} rounds × {WAVES} waves × {WRITERS} writers, "
        f"{figures['acknowledged']} acknowledged, {figures['refused']} refused, "
        f"{figures['5xx']} 5xx; "
        f"{dict(sorted((k, n) for k, n in figures.items() if ' ' in k))}"
    )
    assert faults == []
    assert figures["acknowledged"] >= ROUNDS  # every round moved its center at least once


def test_a_status_change_is_read_at_once_by_another_client(
    world: World, bureau: dict[str, str]
) -> None:
    firm = world.firm()
    clients, cycles = 8, 5

    def suspend_and_reinstate(_: int) -> tuple[int, int]:
        created = world.center(firm)
        assert created.status_code == 201, created.text
        url = f"/v1/centers/{created.json()['id']}"
        misses = writes = 0
        with world.new_client() as writer, world.new_client() as reader:
            done = writer.post(
                f"{url}/accreditation", json={"decision": "accredited"}, headers=bureau
            )
            assert done.status_code == 200, done.text
            for cycle in range(cycles * 2):
                route, status = (
                    ("suspension", "suspended")
                    if cycle % 2 == 0
                    else ("reinstatement", "accredited")
                )
                done = writer.post(f"{url}/{route}", json={"note": f"c{cycle}"}, headers=bureau)
                assert done.status_code == 200, done.text
                writes += 1
                seen = reader.get(url, headers=bureau).json()
                history = reader.get(f"{url}/history", headers=bureau).json()
                misses += (seen["status"], seen["version"]) != (status, done.json()["version"])
                misses += (history["events"][-1]["status"], history["events"][-1]["note"]) != (
                    status,
                    f"c{cycle}",
                )
        return writes, misses

    with ThreadPoolExecutor(clients) as pool:
        results = list(pool.map(suspend_and_reinstate, range(clients)))
    writes, misses = sum(w for w, _ in results), sum(m for _, m in results)
    print(f"status change → read elsewhere: {writes} writes, {misses} misses")
    assert writes == clients * cycles * 2
    assert misses == 0


def _version(world: World, policy: int, threshold: int, effective_from: date) -> int:
    draft = {
        "rule": months_rule(threshold),
        "effective_from": effective_from.isoformat(),
        "document_ref": f"E2E〔{effective_from.year}〕{threshold}号",
        "description_zh": "状态与决定并发测试",
        "description_en": "status change racing a decision",
    }
    made = world.client.post(f"/v1/policies/{policy}/versions", json=draft, headers=world.province)
    assert made.status_code == 201, made.text
    return int(made.json()["version"])


def _months_of(decision: dict[str, Any]) -> Any:
    return decision["document"]["facts"]["months_at_accredited_center"]


def _outcome_faults(decisions: list[dict[str, Any]], thresholds: dict[int, int]) -> list[str]:
    """Each decision's outcome is its own version's rule applied to its own facts."""
    faults = []
    for d in decisions:
        version, months = d["document"]["policy"]["version"], _months_of(d)
        expected = "eligible" if months >= thresholds[version] else "ineligible"
        if d["outcome"] != expected:
            faults.append(f"{d['id']}: version {version}, {months} months, {d['outcome']}")
    return faults


@pytest.mark.parametrize("benefit", ["hukou", "social_insurance", "education"])
def test_checks_racing_a_suspension_and_a_publish_see_one_state_or_the_other(
    world: World, bureau: dict[str, str], benefit: str
) -> None:
    firm = world.firm()
    today = _server_today(world, firm, bureau)
    since = today - timedelta(ACCREDITED_DAYS_AGO)
    url = _accredited_center(world, firm, bureau, since)
    talent = world.talent(firm)
    hired = world.client.post(
        "/v1/employments", json=hire_body(talent, int(url.rsplit("/", 1)[1])), headers=firm.headers
    )
    assert hired.status_code == 201, hired.text
    created = world.client.post(
        "/v1/policies", json={"city_code": HOST_CITY, "benefit": benefit}, headers=world.province
    )
    assert created.status_code == 201, created.text
    policy = created.json()["id"]
    # Version 1 asks one month (met before the suspension); version 2, from today, 100 months.
    thresholds = {_version(world, policy, 1, date(2024, 1, 1)): 1}
    publish = f"/v1/policies/{policy}/versions"
    assert world.client.post(f"{publish}/1/publish", headers=world.province).status_code == 200
    thresholds[_version(world, policy, 100, today)] = 100
    body = {
        "talent_id": talent,
        "benefit": benefit,
        "city_code": HOST_CITY,
        "as_of": today.isoformat(),
    }

    def check() -> httpx.Response:
        return world.client.post("/v1/eligibility/checks", json=body, headers=world.province)

    before = check()
    assert before.status_code == 201, before.text
    # Suspended from the day after the accreditation: the months of the two states differ.
    suspension = {"effective_on": (since + timedelta(1)).isoformat(), "note": "race"}
    jobs: list[Any] = [
        lambda: world.client.post(f"{url}/suspension", json=suspension, headers=bureau),
        lambda: world.client.post(f"{url}/suspension", json=suspension, headers=bureau),
        lambda: world.client.post(
            f"{publish}/2/publish", json={"supersede": True}, headers=world.province
        ),
    ] + [check] * (WRITERS - 3)
    answers = at_once(lambda job: job(), jobs)
    after = check()
    assert after.status_code == 201, after.text
    statuses = Counter(r.status_code for r in answers)
    seen = Counter(
        (d["document"]["policy"]["version"], _months_of(d))
        for r in answers[3:]
        for d in r.json().get("decisions", [])
    )
    print(
        f"checks racing a suspension and a publish ({benefit}): {dict(statuses)}; "
        f"(version, months) seen: {dict(seen)}"
    )
    assert [r.status_code for r in answers[:2]].count(200) == 1, statuses  # one suspension
    assert answers[2].status_code == 200, answers[2].text
    assert {r.status_code for r in answers[3:]} == {201}, statuses
    assert _problems(answers) == []

    v0, v1 = (_months_of(r.json()["decisions"][0]) for r in (before, after))
    assert v0 != v1, (v0, v1)  # otherwise the race could not show a mix
    decisions = [d for r in (before, *answers[3:], after) for d in r.json()["decisions"]]
    assert {_months_of(d) for d in decisions} <= {v0, v1}
    assert {d["document"]["policy"]["version"] for d in decisions} <= set(thresholds)
    assert after.json()["decisions"][0]["document"]["policy"]["version"] == 2
    assert _outcome_faults(decisions, thresholds) == []
    # What was answered is what was stored.
    for d in decisions:
        stored = world.client.get(f"/v1/eligibility/decisions/{d['id']}", headers=world.province)
        assert stored.status_code == 200 and stored.json()["document"] == d["document"]
