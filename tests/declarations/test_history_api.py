"""``GET /v1/talents/{talent_id}/history``: registrations, declarations, corrections and reviews
in time order, within the caller's view."""

from __future__ import annotations

from typing import Any

from tests.declarations.conftest import Scene


def _story(history: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [(e["kind"], e["declaration_id"], e["fact"], e["value"]) for e in history["events"]]


def test_the_history_tells_declarations_reviews_and_corrections_in_time_order(
    scene: Scene,
) -> None:
    wrong = scene.declared("firm_a", value="doctor", effective_on="2024-07-01")
    fixed = scene.declared(
        "firm_a", value="doctor", effective_on="2023-07-01", corrects_id=wrong["id"]
    )
    scene.verify("bureau_shenzhen", fixed["id"], "学位证书编号 1055812023000042")
    b_claim = scene.declared("firm_b", fact="title", value="senior", effective_on="2022-01-01")
    scene.reject("province", b_claim["id"], "无职称评审记录")

    history = scene.history("bureau_shenzhen")
    events = history["events"]
    assert history["talent_id"] == scene.person.id and history["truncated"] is False
    assert [e["at"] for e in events] == sorted(e["at"] for e in events)
    assert [e["kind"] for e in events if e["kind"] == "registered"] == ["registered"] * 2
    tail = _story(history)[-5:]
    assert tail == [
        ("declared", wrong["id"], "education", "doctor"),
        ("corrected", fixed["id"], "education", "doctor"),
        ("verified", fixed["id"], "education", "doctor"),
        ("declared", b_claim["id"], "title", "senior"),
        ("rejected", b_claim["id"], "title", "senior"),
    ]
    corrected, verified, rejected = events[-4], events[-3], events[-1]
    assert corrected["corrects_id"] == wrong["id"]
    assert corrected["effective_on"] == "2023-07-01"
    assert corrected["source"] == {"kind": "firm", "firm_id": scene.a.id, "city_code": None}
    assert verified["by"] == "user:900002"
    assert verified["evidence"] == "学位证书编号 1055812023000042"
    assert rejected["note"] == "无职称评审记录" and rejected["by"] == "user:900001"


def test_the_history_starts_with_the_registrations(scene: Scene) -> None:
    history = scene.history("province")
    registered = [e for e in history["events"] if e["kind"] == "registered"]
    assert {e["firm_id"] for e in registered} == {scene.a.id, scene.b.id}
    # The registrations' own declarations follow them (the factories record them after).
    first_declared = next(i for i, e in enumerate(history["events"]) if e["kind"] != "registered")
    assert history["events"][0]["kind"] == "registered" and first_declared >= 1


def test_an_authoritys_declaration_is_recorded_then_verified_at_once(scene: Scene) -> None:
    made = scene.declared(
        "bureau_shenzhen",
        fact="hukou_city",
        value="440300",
        effective_on="2025-01-01",
        evidence="户籍迁入证明",
    )
    events = [e for e in scene.history("province")["events"] if e["declaration_id"] == made["id"]]
    assert [e["kind"] for e in events] == ["declared", "verified"]
    assert events[0]["source"]["city_code"] == "440300"
    assert events[1]["evidence"] == "户籍迁入证明"


def test_a_firms_history_shows_the_reviews_of_its_own_declarations(scene: Scene) -> None:
    made = scene.declared("firm_a", value="doctor")
    scene.reject("bureau_shenzhen", made["id"], "证书编号无效")
    events = [e for e in scene.history("firm_a")["events"] if e["declaration_id"] == made["id"]]
    assert [e["kind"] for e in events] == ["declared", "rejected"]
    assert events[1]["note"] == "证书编号无效"
    registered = [e for e in scene.history("firm_a")["events"] if e["kind"] == "registered"]
    assert [e["firm_id"] for e in registered] == [scene.a.id]
