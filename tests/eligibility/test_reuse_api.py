"""Issue 12, idempotent verify and check: the same question with the same answer returns the
asker's stored decision (``reused``) instead of a new row; any change in what the answer rests
on makes a new decision; another asker never receives someone else's decision."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func
from sqlmodel import Session, select

from talent_service.eligibility.decisions import service as decisions_module
from talent_service.eligibility.decisions.reuse import ABOUT_THE_ASKING, answer_hash
from talent_service.eligibility.policies.store import load_default_policies
from talent_service.models import Decision, Employment, Firm, Talent
from talent_service.reference.enums import Education
from tests.eligibility.test_verify_api import BIRTH, Person, ask
from tests.factories import SHANTOU, SHENZHEN, Factory

CHECKS = "/v1/eligibility/checks"
POLLS = 1000


@pytest.fixture
def person(session: Session, make: Factory) -> Person:
    """A Shantou firm's master at its Shenzhen center since 2023-01-10, hukou in Shantou: as of
    2025-06-30 eligible for the Shenzhen host-side hukou."""
    load_default_policies(session)
    firm = make.firm(SHANTOU)
    number = make.resident_id(BIRTH)
    talent = make.talent(
        firm,
        number=number,
        birth_date=BIRTH,
        education=Education.master,
        hukou_city_code=SHANTOU,
    )
    make.employment(talent, firm, make.center(firm, SHENZHEN), hired_on=date(2023, 1, 10))
    return Person(talent, number)


def rows(session: Session, talent: Talent) -> int:
    query = select(func.count()).select_from(Decision).where(Decision.talent_id == talent.id)
    return session.exec(query).one()


def spell_of(session: Session, talent: Talent) -> Employment:
    (spell,) = session.exec(select(Employment).where(Employment.talent_id == talent.id)).all()
    return spell


def check(client: TestClient, headers: dict[str, str], talent: Talent, **body: Any) -> Any:
    payload = {"talent_id": talent.id, "as_of": "2025-06-30"} | body
    r = client.post(CHECKS, json=payload, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()["decisions"]


def test_a_polling_client_gets_one_decision_until_a_fact_changes(
    client: TestClient, session: Session, make: Factory, person: Person
) -> None:
    """A school system asks the same question 1,000 times: one row. A bureau's verified
    declaration, then a departure, each make one new decision, reused by the polls after."""
    machine = make.client("eligibility:verify", city=SHENZHEN)
    first = ask(client, machine, person.number).json()
    assert first["reused"] is False and first["outcome"] == "eligible"
    for _ in range(POLLS - 1):
        r = ask(client, machine, person.number)
        assert r.status_code == 200, r.text
        again = r.json()
        assert again["reused"] is True
        assert again["decision_id"] == first["decision_id"]
    assert rows(session, person.talent) == 1
    assert ask(client, machine, person.number).json() == first | {"reused": True}

    # The Shenzhen bureau records a doctorate (an authority's declaration: verified at once).
    r = client.post(
        f"/v1/talents/{person.talent.id}/declarations",
        json={
            "fact": "education",
            "value": "doctor",
            "effective_on": "2020-07-01",
            "evidence": "学位证书核验",
        },
        headers=make.bureau(SHENZHEN),
    )
    assert r.status_code == 201, r.text
    declared = ask(client, machine, person.number).json()
    assert declared["reused"] is False and declared["decision_id"] != first["decision_id"]
    assert rows(session, person.talent) == 2
    assert ask(client, machine, person.number).json()["decision_id"] == declared["decision_id"]
    stored = session.get(Decision, declared["decision_id"])
    assert stored is not None
    assert stored.document["provenance"]["education"]["declaration_id"] == r.json()["id"]

    # The person left before the as-of date: months stop, the answer changes.
    spell = spell_of(session, person.talent)
    r = client.post(
        f"/v1/employments/{spell.id}/departure",
        json={"departed_on": "2025-03-31", "reason": "resigned"},
        headers=make.firm_user(session.get_one(Firm, spell.firm_id)),
    )
    assert r.status_code == 200, r.text
    departed = ask(client, machine, person.number).json()
    assert departed["reused"] is False
    assert departed["decision_id"] not in (first["decision_id"], declared["decision_id"])
    assert rows(session, person.talent) == 3
    assert ask(client, machine, person.number).json()["reused"] is True
    assert rows(session, person.talent) == 3


def test_a_repeated_check_returns_the_stored_decisions_until_a_departure(
    client: TestClient, session: Session, make: Factory, person: Person
) -> None:
    bureau = make.bureau(SHENZHEN)
    first = check(client, bureau, person.talent)  # every benefit, both sides
    assert len(first) == 8 and not any(d["reused"] for d in first)
    assert rows(session, person.talent) == 8
    for _ in range(20):
        again = check(client, bureau, person.talent)
        assert [d["id"] for d in again] == [d["id"] for d in first]
        assert all(d["reused"] for d in again)
        # The stored decision comes back as stored: its document still verifies as signed.
        assert [d["document"] for d in again] == [d["document"] for d in first]
    assert rows(session, person.talent) == 8

    spell = spell_of(session, person.talent)
    r = client.post(
        f"/v1/employments/{spell.id}/departure",
        json={"departed_on": "2025-03-31", "reason": "resigned"},
        headers=make.firm_user(session.get_one(Firm, spell.firm_id)),
    )
    assert r.status_code == 200, r.text
    after = {
        (d["document"]["policy"]["policy_id"]): d for d in check(client, bureau, person.talent)
    }
    before = {(d["document"]["policy"]["policy_id"]): d for d in first}
    host_hukou = next(
        d
        for d in first
        if d["document"]["policy"]["side"] == "host"
        and d["document"]["policy"]["benefit"] == "hukou"
    )
    changed = after[host_hukou["document"]["policy"]["policy_id"]]
    assert changed["reused"] is False and changed["id"] != host_hukou["id"]
    assert changed["document"]["facts"] != host_hukou["document"]["facts"]
    # A decision is reused exactly when its answer is unchanged.
    for policy_id, decision in after.items():
        same = answer_hash(decision["document"]) == answer_hash(before[policy_id]["document"])
        assert decision["reused"] is same
        assert (decision["id"] == before[policy_id]["id"]) is same
    new = sum(not d["reused"] for d in after.values())
    assert rows(session, person.talent) == 8 + new


def test_reuse_is_per_asker_so_a_firm_never_receives_a_bureaus_decision(
    client: TestClient, session: Session, make: Factory, person: Person
) -> None:
    spell = spell_of(session, person.talent)
    firm = make.firm_user(session.get_one(Firm, spell.firm_id))
    bureau = make.bureau(SHENZHEN)
    question = {"benefit": "hukou", "city_code": SHENZHEN}
    (by_bureau,) = check(client, bureau, person.talent, **question)
    (by_firm,) = check(client, firm, person.talent, **question)
    assert by_firm["reused"] is False and by_firm["id"] != by_bureau["id"]
    assert rows(session, person.talent) == 2
    # Nothing in the firm's answer speaks of the bureau's asking.
    assert by_bureau["document"]["requested_by"] not in str(by_firm)
    assert by_bureau["document"]["issued_at"] not in str(by_firm)
    # Each asker's own decision is theirs to get again.
    (firm_again,) = check(client, firm, person.talent, **question)
    (bureau_again,) = check(client, bureau, person.talent, **question)
    assert (firm_again["id"], firm_again["reused"]) == (by_firm["id"], True)
    assert (bureau_again["id"], bureau_again["reused"]) == (by_bureau["id"], True)
    assert rows(session, person.talent) == 2


def test_a_concurrent_twins_stored_answer_is_returned_not_a_second_row(
    client: TestClient, session: Session, make: Factory, person: Person, monkeypatch: Any
) -> None:
    """Two identical askings at once both find nothing stored; the second insert hits the unique
    key, its savepoint rolls back, and it returns the first one's decision."""
    machine = make.client("eligibility:verify", city=SHENZHEN)
    first = ask(client, machine, person.number).json()
    real = decisions_module.stored_answers
    calls: list[int] = []

    def blind_once(*args: Any) -> dict[str, Decision]:
        calls.append(1)
        return {} if len(calls) == 1 else real(*args)

    monkeypatch.setattr(decisions_module, "stored_answers", blind_once)
    r = ask(client, machine, person.number)
    assert r.status_code == 200, r.text
    assert (r.json()["decision_id"], r.json()["reused"]) == (first["decision_id"], True)
    assert len(calls) == 2  # looked up, collided, looked up again
    assert rows(session, person.talent) == 1


def test_the_answer_hash_leaves_out_only_the_asking(
    client: TestClient, session: Session, make: Factory, person: Person
) -> None:
    (decision,) = check(client, make.bureau(SHENZHEN), person.talent, benefit="hukou")[:1]
    # The whole document as signed (the answer shows it without the age: disclosure).
    document = client.get(
        f"/v1/eligibility/decisions/{decision['id']}/document", headers=make.bureau(SHENZHEN)
    ).json()["document"]
    stored = session.get_one(Decision, decision["id"])
    assert stored.answer_hash == answer_hash(document)
    assert {"decision_id", "issued_at", "requested_by", "corrections"} == ABOUT_THE_ASKING
    for name in ABOUT_THE_ASKING:
        assert answer_hash({**document, name: "something else"}) == stored.answer_hash, name
    for name in set(document) - ABOUT_THE_ASKING:
        assert answer_hash({**document, name: "something else"}) != stored.answer_hash, name
