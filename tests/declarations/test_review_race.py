"""Live server (2 workers on PostgreSQL): reviews and declarations about one person at the same
moment. A declaration is reviewed exactly once (the others 409), and nothing answers 5xx (the
person's row is locked first by every such write, so none deadlocks another)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from functools import partial
from typing import Any

import httpx
import pytest
from sqlmodel import Session

from talent_service.models import Declaration
from talent_service.reference.enums import DeclaredFact
from tests.e2e.api import at_once
from tests.e2e.conftest import _started
from tests.e2e.live import LiveServer
from tests.factories import SHANTOU, SHENZHEN, Factory

ROUNDS = 10
WRITERS = 16


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    yield from _started(tmp_path_factory.mktemp("live-declarations"))


def _pending(make: Factory) -> tuple[int, int, dict[str, str]]:
    """A person working at a Shenzhen center with one firm declaration awaiting review."""
    firm = make.firm(SHANTOU)
    person = make.talent(firm)
    make.employment(person, firm, make.center(firm, SHENZHEN))
    pending = make.declaration(person, DeclaredFact.education, "doctor", firm=firm)
    make.session.commit()
    assert person.id is not None and pending.id is not None
    return person.id, pending.id, make.firm_user(firm)


def _send(client: httpx.Client, job: tuple[str, str, dict[str, str], Any]) -> httpx.Response:
    _, url, headers, body = job
    return client.post(url, json=body, headers=headers)


def test_a_declaration_raced_by_many_reviewers_is_reviewed_once(server: LiveServer) -> None:
    make = Factory(Session(server.database.engine, expire_on_commit=False))
    reviewers = [make.province(), make.bureau(SHENZHEN), make.bureau(SHANTOU)]
    violations = 0
    with httpx.Client(base_url=server.url, timeout=60) as client:
        for _ in range(ROUNDS):
            person, key, firm = _pending(make)
            jobs: list[tuple[str, str, dict[str, str], Any]] = []
            for i in range(WRITERS):
                who = reviewers[i % len(reviewers)]
                if i % 4 == 3:  # the firm declares about the same person meanwhile
                    body = {"fact": "title", "value": "senior", "effective_on": f"20{10 + i}-01-01"}
                    jobs.append(("declare", f"/v1/talents/{person}/declarations", firm, body))
                elif i % 2:
                    jobs.append(
                        ("verify", f"/v1/declarations/{key}/verify", who, {"evidence": f"证书 {i}"})
                    )
                else:
                    jobs.append(
                        ("reject", f"/v1/declarations/{key}/reject", who, {"reason": f"理由 {i}"})
                    )
            answers = at_once(partial(_send, client), jobs)
            statuses = Counter((j[0], r.status_code) for j, r in zip(jobs, answers, strict=True))
            assert {s for _, s in statuses} <= {200, 201, 409}, statuses
            reviews = statuses[("verify", 200)] + statuses[("reject", 200)]
            with Session(server.database.engine) as session:
                stored = session.get(Declaration, key)
                assert stored is not None
                violations += reviews != 1 or stored.version != 2
            assert statuses[("declare", 201)] == WRITERS // 4
    make.session.close()
    print(f"reviews: {ROUNDS} rounds × {WRITERS} writers, {violations} violations")
    assert violations == 0
