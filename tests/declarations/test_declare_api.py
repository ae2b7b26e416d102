"""``POST /v1/talents/{talent_id}/declarations``: who may declare what, and what is refused."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from talent_service.auth.principal import ALL_SCOPES, Principal
from talent_service.core import clock
from talent_service.models import TalentFirm
from talent_service.reference.enums import Role
from tests.declarations.conftest import MISSING, Scene, assert_like_missing, assert_problem
from tests.factories import SHENZHEN, bearer


def test_a_firms_declaration_waits_for_review(scene: Scene) -> None:
    made = scene.declared("firm_a", value="doctor", effective_on="2024-07-01")
    assert made["verification"] == "declared" and made["review"] is None
    assert made["source"] == {"kind": "firm", "firm_id": scene.a.id, "city_code": None}
    assert (made["fact"], made["value"], made["effective_on"]) == (
        "education",
        "doctor",
        "2024-07-01",
    )
    assert made["talent_id"] == scene.person.id and made["corrects_id"] is None
    assert scene.row(made["id"])["verification"] == "declared"


def test_a_bureaus_declaration_is_verified_at_once_on_its_evidence(scene: Scene) -> None:
    made = scene.declared(
        "bureau_shenzhen",
        fact="hukou_city",
        value=SHENZHEN,
        effective_on="2025-03-01",
        evidence="深圳市公安局户籍迁入证明 2025-0301",
    )
    assert made["verification"] == "verified"
    assert made["source"] == {"kind": "bureau", "firm_id": None, "city_code": SHENZHEN}
    assert made["review"]["evidence"] == "深圳市公安局户籍迁入证明 2025-0301"
    assert made["review"]["by"] == made["recorded_by"]
    assert scene.profile()["hukou_city_code"] == SHENZHEN


def test_the_province_declares_a_hukou_outside_guangdong_as_null(scene: Scene) -> None:
    scene.declared(
        "bureau_shenzhen",
        fact="hukou_city",
        value=SHENZHEN,
        effective_on="2020-01-01",
        evidence="户籍证明",
    )
    made = scene.declared(
        "province", fact="hukou_city", value=None, effective_on="2025-01-01", evidence="迁出证明"
    )
    assert made["value"] is None and made["source"]["kind"] == "province"
    assert scene.profile()["hukou_city_code"] is None


def test_a_title_carries_its_field(scene: Scene) -> None:
    made = scene.declared(
        "firm_a", fact="title", value="senior", detail="电子信息工程", effective_on="2022-12-01"
    )
    assert (made["fact"], made["value"], made["detail"]) == ("title", "senior", "电子信息工程")


def test_a_firms_declaration_moves_its_own_registration_only(scene: Scene) -> None:
    scene.declared("firm_a", value="doctor")
    registrations = {
        r["firm_id"]: r for r in scene.rows(TalentFirm) if r["talent_id"] == scene.person.id
    }
    assert registrations[scene.a.id]["education"] == "doctor"
    assert registrations[scene.b.id]["education"] == "master"


def test_sending_the_same_declaration_again_answers_the_one_recorded(scene: Scene) -> None:
    first = scene.declared("firm_a")
    before = scene.count()
    again = scene.declared("firm_a")
    assert again["id"] == first["id"] and scene.count() == before


# --- corrections ---------------------------------------------------------------------------


def test_a_firm_corrects_its_own_declaration(scene: Scene) -> None:
    wrong = scene.declared("firm_a", value="doctor", effective_on="2024-07-01")
    assert scene.profile()["education"] == "doctor"
    fixed = scene.declared(
        "firm_a", value="master", effective_on="2015-07-01", corrects_id=wrong["id"]
    )
    assert fixed["corrects_id"] == wrong["id"]
    # The corrected doctorate holds no more, though its date is later.
    assert scene.profile()["education"] == "master"


def test_a_firm_cannot_correct_another_partys_declaration(scene: Scene) -> None:
    theirs = scene.declared("firm_a", value="doctor")
    before = scene.stored()
    refused = scene.declare("firm_b", value="master", corrects_id=theirs["id"])
    missing = scene.declare("firm_b", value="master", corrects_id=MISSING)
    body = assert_problem(refused, 422, field="body.corrects_id", slug="rule-violation")
    # Nothing tells B that A's declaration exists.
    assert body["detail"] == missing.json()["detail"]
    assert scene.stored() == before


def test_a_bureau_cannot_correct_a_firms_declaration(scene: Scene) -> None:
    theirs = scene.declared("firm_a", value="doctor")
    before = scene.stored()
    refused = scene.declare(
        "bureau_shenzhen", value="master", evidence="学位证书", corrects_id=theirs["id"]
    )
    assert_problem(refused, 422, field="body.corrects_id")
    assert scene.stored() == before


def test_a_correction_names_a_declaration_of_the_same_fact(scene: Scene) -> None:
    degree = scene.declared("firm_a", value="doctor")
    before = scene.stored()
    refused = scene.declare(
        "firm_a", fact="title", value="senior", effective_on="2023-01-01", corrects_id=degree["id"]
    )
    assert_problem(refused, 422, field="body.corrects_id")
    assert scene.stored() == before


def test_a_correction_names_a_declaration_about_the_same_person(scene: Scene) -> None:
    other = scene.declared("firm_a", scene.home_only, value="doctor")
    before = scene.stored()
    assert_problem(
        scene.declare("firm_a", value="master", corrects_id=other["id"]),
        422,
        field="body.corrects_id",
    )
    assert scene.stored() == before


# --- bad input: 422 naming the field, nothing written ---------------------------------------


def _future() -> str:
    return (clock.today() + timedelta(days=1)).isoformat()


BAD_BODIES: list[tuple[str, dict[str, Any], str]] = [
    ("unknown fact", {"fact": "salary"}, "body.fact"),
    ("education value not allowed", {"value": "phd"}, "body.value"),
    ("education null", {"value": None}, "body.value"),
    ("title value not allowed", {"fact": "title", "value": "professor"}, "body.value"),
    ("unknown city", {"fact": "hukou_city", "value": "999999"}, "body.value"),
    ("value too long", {"value": "d" * 33}, "body.value"),
    ("no value at all", {"value": ...}, "body.value"),
    ("no effective date", {"effective_on": ...}, "body.effective_on"),
    ("effective date not a date", {"effective_on": "2024-13-01"}, "body.effective_on"),
    ("detail on education", {"detail": "计算机"}, "body.detail"),
    ("detail on a hukou", {"fact": "hukou_city", "value": SHENZHEN, "detail": "x"}, "body.detail"),
    ("detail without a title", {"fact": "title", "value": "none", "detail": "x"}, "body.detail"),
    ("evidence from a firm", {"evidence": "学位证书"}, "body.evidence"),
    ("unknown field", {"source": "bureau"}, "body.source"),
    ("corrects_id not an id", {"corrects_id": 0}, "body.corrects_id"),
]


@pytest.mark.parametrize(("case", "change", "field"), BAD_BODIES, ids=[c for c, _, _ in BAD_BODIES])
def test_bad_input_is_refused_naming_the_field(
    scene: Scene, case: str, change: dict[str, Any], field: str
) -> None:
    body = {"fact": "education", "value": "doctor", "effective_on": "2024-07-01"} | change
    body = {k: v for k, v in body.items() if v is not ...}
    before = scene.stored()
    response = scene.client.post(
        f"/v1/talents/{scene.person.id}/declarations", json=body, headers=scene.headers("firm_a")
    )
    assert_problem(response, 422, field=field)
    assert scene.stored() == before


def test_a_future_effective_date_is_refused(scene: Scene) -> None:
    before = scene.stored()
    body = assert_problem(
        scene.declare("firm_a", effective_on=_future()), 422, field="body.effective_on"
    )
    assert "future" in body["detail"]
    assert scene.stored() == before


def test_an_effective_date_before_the_person_was_born_is_refused(scene: Scene) -> None:
    before = scene.stored()
    response = scene.declare("firm_a", effective_on="1980-01-01")
    assert_problem(response, 422, field="body.effective_on")
    assert scene.stored() == before


def test_an_authoritys_declaration_needs_evidence(scene: Scene) -> None:
    before = scene.stored()
    assert_problem(scene.declare("bureau_shenzhen"), 422, field="body.evidence")
    assert_problem(scene.declare("province"), 422, field="body.evidence")
    assert scene.stored() == before


# --- who may declare -------------------------------------------------------------------------


@pytest.mark.parametrize("caller", ["bureau_dongguan", "bureau_meizhou"])
def test_a_bureau_cannot_declare_about_talent_it_does_not_see(scene: Scene, caller: str) -> None:
    target = scene.home_only  # registered by a Shantou firm, working in Shantou
    before = scene.stored()
    refused = scene.declare(caller, target, evidence="x")
    missing = scene.declare(caller, MISSING, evidence="x")
    assert_problem(refused, 404)
    assert_like_missing(refused, missing, target.id)  # type: ignore[arg-type]
    assert scene.stored() == before


def test_a_firm_cannot_declare_about_talent_it_did_not_register(scene: Scene) -> None:
    before = scene.stored()
    refused = scene.declare("firm_b", scene.home_only)
    missing = scene.declare("firm_b", MISSING)
    assert_like_missing(refused, missing, scene.home_only.id)  # type: ignore[arg-type]
    assert scene.stored() == before


def test_a_machine_client_cannot_declare_even_with_every_scope(scene: Scene) -> None:
    before = scene.stored()
    for city in (SHENZHEN, None):
        every = bearer(Principal("client:all", Role.client, city_code=city, scopes=ALL_SCOPES))
        response = scene.client.post(
            f"/v1/talents/{scene.person.id}/declarations",
            json={"fact": "education", "value": "doctor", "effective_on": "2024-07-01"},
            headers=every,
        )
        assert_problem(response, 403)
    assert scene.stored() == before


def test_a_bureau_needs_the_verify_scope_to_declare(scene: Scene) -> None:
    reader = bearer(
        Principal("user:7", Role.bureau, city_code=SHENZHEN, scopes=frozenset({"registry:read"}))
    )
    before = scene.stored()
    response = scene.client.post(
        f"/v1/talents/{scene.person.id}/declarations",
        json={
            "fact": "education",
            "value": "doctor",
            "effective_on": "2024-07-01",
            "evidence": "x",
        },
        headers=reader,
    )
    assert_problem(response, 403)
    assert scene.stored() == before
