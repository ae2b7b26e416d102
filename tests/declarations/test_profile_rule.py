"""The consolidated profile follows the selection rule, through HTTP: the declaration in effect
most recently wins; a rejected one is never read; a correction replaces what it corrects."""

from __future__ import annotations

from tests.declarations.conftest import Scene


def test_the_latest_degree_holds_until_it_is_rejected(scene: Scene) -> None:
    scene.declared("firm_a", value="master", effective_on="2015-07-01")
    doctor = scene.declared("firm_b", value="doctor", effective_on="2024-07-01")
    assert scene.profile()["education"] == "doctor"
    bureau = scene.client.get(
        f"/v1/talents/{scene.person.id}", headers=scene.headers("bureau_shenzhen")
    )
    assert bureau.json()["education"] == "doctor"

    assert scene.reject("bureau_shenzhen", doctor["id"], "学信网无此学位").status_code == 200
    assert scene.profile()["education"] == "master"


def test_a_verified_declaration_beats_a_declared_one_of_the_same_date(scene: Scene) -> None:
    scene.declared("firm_a", fact="title", value="senior", effective_on="2022-01-01")
    scene.declared(
        "bureau_shenzhen",
        fact="title",
        value="associate_senior",
        detail="电子工程",
        effective_on="2022-01-01",
        evidence="职称证书 GD-2022-7",
    )
    profile = scene.profile()
    assert (profile["title_level"], profile["title_field"]) == ("associate_senior", "电子工程")


def test_the_hukou_follows_the_latest_move(scene: Scene) -> None:
    scene.declared("firm_a", fact="hukou_city", value="440500", effective_on="2010-01-01")
    scene.declared("firm_a", fact="hukou_city", value="440300", effective_on="2025-05-01")
    assert scene.profile()["hukou_city_code"] == "440300"
    scene.declared("firm_a", fact="hukou_city", value=None, effective_on="2025-06-01")
    assert scene.profile()["hukou_city_code"] is None


def test_a_rejected_correction_leaves_the_original_standing(scene: Scene) -> None:
    original = scene.declared("firm_a", value="doctor", effective_on="2024-07-01")
    fixed = scene.declared(
        "firm_a", value="bachelor", effective_on="2012-07-01", corrects_id=original["id"]
    )
    assert scene.profile()["education"] == "bachelor"
    scene.reject("bureau_shenzhen", fixed["id"], "毕业证书显示为博士")
    assert scene.profile()["education"] == "doctor"


def test_a_review_moves_the_declaring_firms_own_profile(scene: Scene) -> None:
    doctor = scene.declared("firm_b", value="doctor", effective_on="2024-07-01")
    own = {r["firm_id"]: r for r in scene.rows_of_registrations()}
    assert own[scene.b.id]["education"] == "doctor"
    scene.reject("bureau_shenzhen", doctor["id"], "无学位记录")
    own = {r["firm_id"]: r for r in scene.rows_of_registrations()}
    assert own[scene.b.id]["education"] == "master"
    assert own[scene.a.id]["education"] == "master"
