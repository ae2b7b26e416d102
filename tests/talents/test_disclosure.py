"""How a person is shown (auth/disclosure.py): the ID as 4 + 2 and the birth year to every
caller, dates refused only before the birth year (no probing for the birthday by 422s), and the
whole signed decision document only at an audited read."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import Connection, text
from sqlmodel import Session

from talent_service.eligibility.policies.store import load_default_policies
from talent_service.models import Declaration, Talent
from tests.factories import MEIZHOU, SHANTOU, SHENZHEN, Factory

BIRTH = date(1990, 5, 17)


def _person(make: Factory) -> tuple[Talent, str, dict[str, dict[str, str]]]:
    firm = make.firm(SHANTOU)
    number = make.resident_id(BIRTH)
    talent = make.talent(firm, number=number, birth_date=BIRTH, hukou_city_code=SHANTOU)
    make.employment(talent, firm, make.center(firm, SHENZHEN), hired_on=date(2023, 1, 10))
    callers = {
        "firm": make.firm_user(firm),
        "host bureau": make.bureau(SHENZHEN),
        "home bureau": make.bureau(SHANTOU),
        "province": make.province(),
        "machine client": make.client("registry:read", city=SHENZHEN),
    }
    return talent, number, callers


def test_every_caller_reads_the_id_as_four_and_two_and_the_birth_year_only(
    client: TestClient, make: Factory
) -> None:
    talent, number, callers = _person(make)
    for caller, headers in callers.items():
        for url in (f"/v1/talents/{talent.id}", "/v1/talents"):
            r = client.get(url, headers=headers)
            assert r.status_code == 200, (caller, r.text)
            body = r.json()
            row = body if "id" in body else next(i for i in body["items"] if i["id"] == talent.id)
            assert row["id_number_masked"] == number[:4] + "*" * 12 + number[-2:], caller
            assert row["birth_year"] == 1990 and "birth_date" not in row, caller
            assert "0517" not in r.text, caller


def test_a_date_inside_the_birth_year_is_accepted_and_one_before_it_refused(
    client: TestClient, session: Session, make: Factory
) -> None:
    talent, _, callers = _person(make)
    url = f"/v1/talents/{talent.id}/declarations"
    body = {"fact": "hukou_city", "value": SHANTOU, "evidence": "户口簿"}
    before = session.query(Declaration).count()
    # Before the birthday but inside the year: accepted, so a refusal cannot find the day.
    r = client.post(url, json=body | {"effective_on": "1990-01-01"}, headers=callers["province"])
    assert r.status_code == 201, r.text
    r = client.post(url, json=body | {"effective_on": "1989-12-31"}, headers=callers["province"])
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["field"] == "body.effective_on"
    assert "birth year" in r.json()["errors"][0]["reason"]
    assert session.query(Declaration).count() == before + 1


def test_the_whole_signed_document_is_an_audited_disclosure_for_bureaus_and_the_province(
    client: TestClient, session: Session, make: Factory, connection: Connection
) -> None:
    load_default_policies(session)
    talent, _, callers = _person(make)
    r = client.post(
        "/v1/eligibility/checks",
        json={
            "talent_id": talent.id,
            "benefit": "hukou",
            "city_code": SHENZHEN,
            "as_of": "2025-06-30",
        },
        headers=callers["host bureau"],
    )
    assert r.status_code == 201, r.text
    (decision,) = r.json()["decisions"]
    assert decision["document"]["facts"]["age_years"] is None
    url = f"/v1/eligibility/decisions/{decision['id']}/document"
    seq = connection.execute(text("SELECT coalesce(max(seq), 0) FROM audit_entry")).scalar()

    # A firm and a machine client may not; a bureau of a city the person does not touch
    # does not see the decision at all.
    assert client.get(url, headers=callers["firm"]).status_code == 403
    check_client = make.client("eligibility:check", city=SHENZHEN)
    assert client.get(url, headers=check_client).status_code == 403
    assert client.get(url, headers=make.bureau(MEIZHOU)).status_code == 404
    bad = "/v1/eligibility/decisions/not-a-uuid/document"
    assert client.get(bad, headers=callers["province"]).status_code == 422
    rows = "SELECT action, object_id, outcome FROM audit_entry WHERE seq > :s ORDER BY seq"
    assert list(connection.execute(text(rows), {"s": seq})) == []

    r = client.get(url, headers=callers["host bureau"])
    assert r.status_code == 200, r.text
    whole = r.json()
    assert whole["signature"]["signs"] == "document"
    assert whole["document"]["facts"]["age_years"] == 35
    entries = list(connection.execute(text(rows), {"s": seq}))
    assert [tuple(e) for e in entries] == [("decision.document", decision["id"], "disclosed")]
