"""Who sees which declarations: a firm its own only; a bureau those about its city's talent; the
province all; a machine client like a bureau of its city, without the officers' free text."""

from __future__ import annotations

import pytest

from tests.declarations.conftest import MISSING, Scene, assert_like_missing, assert_problem


def _sources(items: list[dict[str, object]]) -> set[object]:
    return {item["source"]["firm_id"] for item in items}  # type: ignore[index]


def test_firm_b_never_sees_firm_as_declarations(scene: Scene) -> None:
    a_degree = scene.declared("firm_a", value="doctor")
    b_title = scene.declared(
        "firm_b", fact="title", value="intermediate", detail="机械工程", effective_on="2021-01-01"
    )
    seen = scene.listed("firm_b")
    assert b_title["id"] in [item["id"] for item in seen]
    assert _sources(seen) == {scene.b.id}
    for query in ("?fact=education", "?verification=declared", "?limit=1"):
        assert _sources(scene.listed("firm_b", query=query)) <= {scene.b.id}
    assert "doctor" not in str(seen)
    # And the other way round.
    assert _sources(scene.listed("firm_a")) == {scene.a.id}
    assert a_degree["id"] in [item["id"] for item in scene.listed("firm_a")]


def test_firm_b_cannot_read_firm_as_declaration_by_id(scene: Scene) -> None:
    theirs = scene.declared("firm_a", value="doctor")
    headers = scene.headers("firm_b")
    refused = scene.client.get(f"/v1/declarations/{theirs['id']}", headers=headers)
    missing = scene.client.get(f"/v1/declarations/{MISSING}", headers=headers)
    assert_like_missing(refused, missing, theirs["id"])
    own = scene.declared("firm_b", value="master", effective_on="2016-07-01")
    assert scene.client.get(f"/v1/declarations/{own['id']}", headers=headers).status_code == 200


def test_firm_b_history_holds_only_its_own_registration_and_declarations(scene: Scene) -> None:
    a_degree = scene.declared("firm_a", value="doctor")
    scene.verify("bureau_shenzhen", a_degree["id"], "学位证书编号 A-1")
    scene.declared("firm_b", value="master", effective_on="2016-07-01")
    history = scene.history("firm_b")
    ids = {event["declaration_id"] for event in history["events"]}
    a_ids = {r["id"] for r in scene.rows() if r["source_firm_id"] == scene.a.id}
    assert ids - {None} and not ids & a_ids
    registered = [e for e in history["events"] if e["kind"] == "registered"]
    assert [e["firm_id"] for e in registered] == [scene.b.id]
    assert "doctor" not in str(history) and "A-1" not in str(history)


def test_a_bureau_sees_every_partys_declarations_about_its_talent(scene: Scene) -> None:
    scene.declared("firm_a", value="doctor")
    scene.declared("firm_b", value="master", effective_on="2016-07-01")
    by_city = scene.declared(
        "bureau_shenzhen",
        fact="hukou_city",
        value="440300",
        effective_on="2025-01-01",
        evidence="户籍证明",
    )
    seen = scene.listed("bureau_shenzhen")
    assert _sources(seen) == {scene.a.id, scene.b.id, None}
    assert seen[0]["id"] == by_city["id"]  # newest first
    assert [item["id"] for item in seen] == sorted((item["id"] for item in seen), reverse=True)
    # The province sees the same, and the migration's (none here) would be there too.
    assert [i["id"] for i in scene.listed("province")] == [i["id"] for i in seen]


@pytest.mark.parametrize("caller", ["bureau_dongguan", "bureau_meizhou", "client_dongguan"])
def test_a_bureau_or_client_of_another_city_gets_404_for_the_list_and_history(
    scene: Scene, caller: str
) -> None:
    target = scene.home_only
    scene.declared("firm_a", target, value="doctor")
    headers = scene.headers(caller)
    for path in ("declarations", "history"):
        refused = scene.client.get(f"/v1/talents/{target.id}/{path}", headers=headers)
        missing = scene.client.get(f"/v1/talents/{MISSING}/{path}", headers=headers)
        assert_like_missing(refused, missing, target.id)  # type: ignore[arg-type]


def test_a_firm_gets_404_for_talent_it_did_not_register(scene: Scene) -> None:
    headers = scene.headers("firm_b")
    for path in ("declarations", "history"):
        refused = scene.client.get(f"/v1/talents/{scene.home_only.id}/{path}", headers=headers)
        missing = scene.client.get(f"/v1/talents/{MISSING}/{path}", headers=headers)
        assert_like_missing(refused, missing, scene.home_only.id)  # type: ignore[arg-type]


def test_a_machine_client_reads_like_its_citys_bureau_without_evidence_or_reasons(
    scene: Scene,
) -> None:
    verified = scene.declared("firm_a", value="doctor")
    scene.verify("bureau_shenzhen", verified["id"], "学位证书编号 X-9")
    rejected = scene.declared("firm_b", value="bachelor", effective_on="2012-07-01")
    scene.reject("bureau_shenzhen", rejected["id"], "与学信网记录不符")
    seen = {item["id"]: item for item in scene.listed("client_shenzhen")}
    assert set(seen) == {item["id"] for item in scene.listed("bureau_shenzhen")}
    assert seen[verified["id"]]["review"]["evidence"] is None
    assert seen[rejected["id"]]["review"]["note"] is None
    assert seen[rejected["id"]]["verification"] == "rejected"
    history = scene.history("client_shenzhen")
    assert "X-9" not in str(history) and "学信网" not in str(history)
    # The bureau itself reads both.
    bureau = {item["id"]: item for item in scene.listed("bureau_shenzhen")}
    assert bureau[verified["id"]]["review"]["evidence"] == "学位证书编号 X-9"
    assert bureau[rejected["id"]]["review"]["note"] == "与学信网记录不符"


def test_a_machine_client_has_no_queue(scene: Scene) -> None:
    response = scene.client.get("/v1/declarations", headers=scene.headers("client_shenzhen"))
    assert_problem(response, 403)


def test_the_list_pages_newest_first_without_repeats(scene: Scene) -> None:
    for value in ("bachelor", "master", "doctor"):
        scene.declared("firm_a", value=value, effective_on=f"20{10 + len(value)}-07-01")
    seen: list[int] = []
    cursor = None
    for _ in range(20):
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = scene.client.get(
            f"/v1/talents/{scene.person.id}/declarations",
            params=params,
            headers=scene.headers("firm_a"),
        ).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    expected = [
        r["id"]
        for r in scene.rows()
        if r["source_firm_id"] == scene.a.id and r["talent_id"] == scene.person.id
    ]
    assert seen == sorted(expected, reverse=True)
