"""The bureaus' queue and reviews: ``GET /v1/declarations``, ``POST …/verify`` and ``…/reject``."""

from __future__ import annotations

import pytest

from talent_service.auth.principal import ALL_SCOPES, Principal
from talent_service.reference.enums import Role
from tests.declarations.conftest import MISSING, Scene, assert_like_missing, assert_problem
from tests.factories import SHENZHEN, bearer

REVIEW_FIELDS = {"verification", "reviewed_by", "reviewed_at", "evidence", "review_note", "version"}


def _ids(items: list[dict[str, object]]) -> list[object]:
    return [item["id"] for item in items]


def test_the_shenzhen_queue_lists_a_firms_declaration_about_talent_at_a_shenzhen_center(
    scene: Scene,
) -> None:
    scene.review_all()
    made = scene.declared("firm_a", value="doctor")
    assert _ids(scene.queue("bureau_shenzhen")) == [made["id"]]


def test_a_bureaus_queue_holds_the_talent_registered_by_firms_based_in_its_city(
    scene: Scene,
) -> None:
    scene.review_all()
    at_home = scene.declared("firm_a", scene.home_only, value="doctor")
    at_center = scene.declared("firm_a", value="doctor")
    # Shantou: firm A is based there. Shenzhen: only the person at the center it hosts.
    assert _ids(scene.queue("bureau_shantou")) == [at_home["id"], at_center["id"]]
    assert _ids(scene.queue("bureau_shenzhen")) == [at_center["id"]]
    assert _ids(scene.queue("province")) == [at_home["id"], at_center["id"]]


def test_verifying_with_evidence_empties_the_queue_and_refreshes_the_profile(scene: Scene) -> None:
    scene.review_all()
    made = scene.declared("firm_a", value="doctor", effective_on="2024-07-01")
    assert scene.profile()["education"] == "doctor"  # declared already counts for the profile
    before = scene.row(made["id"])

    response = scene.verify("bureau_shenzhen", made["id"], "学位证书编号 1055812024000123")
    assert response.status_code == 200, response.text
    review = response.json()["review"]
    assert response.json()["verification"] == "verified"
    assert review["evidence"] == "学位证书编号 1055812024000123" and review["note"] is None
    assert review["by"] == "user:900002"
    assert scene.queue("bureau_shenzhen") == []
    assert scene.profile()["education"] == "doctor"
    after = scene.row(made["id"])
    # The review fields are set; nothing else of the declaration changes.
    assert {k: v for k, v in after.items() if k not in REVIEW_FIELDS} == {
        k: v for k, v in before.items() if k not in REVIEW_FIELDS
    }
    assert after["version"] == before["version"] + 1


def test_rejecting_needs_a_reason(scene: Scene) -> None:
    made = scene.declared("firm_a", value="doctor")
    before = scene.stored()
    for body in ({}, {"reason": ""}, {"reason": "   "}):
        response = scene.client.post(
            f"/v1/declarations/{made['id']}/reject",
            json=body,
            headers=scene.headers("bureau_shenzhen"),
        )
        assert_problem(response, 422, field="body.reason")
    assert scene.stored() == before

    rejected = scene.reject("bureau_shenzhen", made["id"], "学信网无此学位记录")
    assert rejected.status_code == 200, rejected.text
    assert rejected.json()["verification"] == "rejected"
    assert rejected.json()["review"]["note"] == "学信网无此学位记录"
    assert rejected.json()["review"]["evidence"] is None


def test_verifying_needs_evidence(scene: Scene) -> None:
    made = scene.declared("firm_a", value="doctor")
    before = scene.stored()
    response = scene.client.post(
        f"/v1/declarations/{made['id']}/verify", json={}, headers=scene.headers("province")
    )
    assert_problem(response, 422, field="body.evidence")
    assert scene.stored() == before


@pytest.mark.parametrize(
    ("first", "second"),
    [("verify", "verify"), ("verify", "reject"), ("reject", "verify"), ("reject", "reject")],
)
def test_a_declaration_is_reviewed_once(scene: Scene, first: str, second: str) -> None:
    made = scene.declared("firm_a", value="doctor")
    assert getattr(scene, first)("bureau_shenzhen", made["id"]).status_code == 200
    before = scene.stored()
    again = getattr(scene, second)("province", made["id"])
    body = assert_problem(again, 409)
    assert "already" in body["detail"]
    assert scene.stored() == before


def test_an_authoritys_own_declaration_is_not_reviewed_again(scene: Scene) -> None:
    made = scene.declared("bureau_shenzhen", value="doctor", evidence="学位证书")
    before = scene.stored()
    assert_problem(scene.reject("province", made["id"]), 409)
    assert scene.stored() == before


def test_a_review_with_a_stale_if_match_is_refused(scene: Scene) -> None:
    made = scene.declared("firm_a", value="doctor")
    before = scene.stored()
    assert_problem(scene.verify("bureau_shenzhen", made["id"], **{"If-Match": '"7"'}), 412)
    assert scene.stored() == before
    read = scene.client.get(f"/v1/declarations/{made['id']}", headers=scene.headers("province"))
    assert read.headers["etag"] == '"1"'
    ok = scene.verify("bureau_shenzhen", made["id"], **{"If-Match": read.headers["etag"]})
    assert ok.status_code == 200 and ok.json()["version"] == 2


# --- who may review ---------------------------------------------------------------------------


@pytest.mark.parametrize("caller", ["bureau_dongguan", "bureau_meizhou"])
def test_a_bureau_of_another_city_gets_404_and_an_empty_queue(scene: Scene, caller: str) -> None:
    made = scene.declared("firm_a", scene.home_only, value="doctor")  # Shantou's, not theirs
    before = scene.stored()
    key = made["id"]
    for call in (
        lambda k: scene.client.get(f"/v1/declarations/{k}", headers=scene.headers(caller)),
        lambda k: scene.verify(caller, k),
        lambda k: scene.reject(caller, k),
    ):
        assert_like_missing(call(key), call(MISSING), key)
    assert key not in _ids(scene.queue(caller))
    assert key not in _ids(scene.queue(caller, "?verification=declared&fact=education"))
    assert scene.stored() == before


def test_the_dongguan_queue_is_empty(scene: Scene) -> None:
    scene.declared("firm_a", value="doctor")
    assert scene.queue("bureau_dongguan") == []


@pytest.mark.parametrize("caller", ["firm_a", "firm_b"])
def test_a_firm_cannot_review_even_its_own_declaration(scene: Scene, caller: str) -> None:
    made = scene.declared("firm_a", value="doctor")
    before = scene.stored()
    assert_problem(scene.verify(caller, made["id"]), 403)
    assert_problem(scene.reject(caller, made["id"]), 403)
    response = scene.client.get("/v1/declarations", headers=scene.headers(caller))
    assert_problem(response, 403)
    assert scene.stored() == before


def test_a_machine_client_cannot_review_even_with_every_scope(scene: Scene) -> None:
    made = scene.declared("firm_a", value="doctor")
    every = bearer(Principal("client:all", Role.client, city_code=SHENZHEN, scopes=ALL_SCOPES))
    before = scene.stored()
    for action, body in (("verify", {"evidence": "x"}), ("reject", {"reason": "x"})):
        response = scene.client.post(
            f"/v1/declarations/{made['id']}/{action}", json=body, headers=every
        )
        assert_problem(response, 403)
    assert scene.stored() == before


# --- the queue's filters and pages ------------------------------------------------------------


def test_the_queue_filters_by_fact_state_and_person(scene: Scene) -> None:
    scene.review_all()
    degree = scene.declared("firm_a", value="doctor")
    title = scene.declared("firm_a", fact="title", value="senior", effective_on="2023-01-01")
    other = scene.declared("firm_a", scene.home_only, value="doctor")
    assert _ids(scene.queue("province", "?fact=education")) == [degree["id"], other["id"]]
    assert _ids(scene.queue("province", "?fact=title")) == [title["id"]]
    assert _ids(scene.queue("province", f"?talent_id={scene.home_only.id}")) == [other["id"]]
    scene.reject("province", title["id"])
    assert _ids(scene.queue("province", "?verification=rejected")) == [title["id"]]
    assert title["id"] not in _ids(scene.queue("province"))


def test_the_queue_pages_through_every_declaration_once(scene: Scene) -> None:
    made = [scene.declared("firm_a", value=v)["id"] for v in ("bachelor", "master", "doctor")]
    seen: list[int] = []
    cursor = None
    for _ in range(20):
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = scene.client.get(
            "/v1/declarations", params=params, headers=scene.headers("province")
        ).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) and set(made) <= set(seen)
    assert seen == sorted(seen)  # oldest first


def test_a_corrected_declaration_no_longer_awaits_review(scene: Scene) -> None:
    scene.review_all()
    wrong = scene.declared("firm_a", value="doctor", effective_on="2024-07-01")
    fixed = scene.declared(
        "firm_a", value="doctor", effective_on="2023-07-01", corrects_id=wrong["id"]
    )
    assert _ids(scene.queue("bureau_shenzhen")) == [fixed["id"]]
    # Rejecting the correction puts the original back in the queue.
    scene.reject("bureau_shenzhen", fixed["id"])
    assert _ids(scene.queue("bureau_shenzhen")) == [wrong["id"]]
