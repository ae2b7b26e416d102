"""One table of names: every stored value has one, and the fact registry and retention read it."""

from __future__ import annotations

from talent_service.eligibility.engine.facts import FACTS
from talent_service.reference import labels
from talent_service.reference.enums import CenterKind, Education, FirmTier, Region, TitleLevel
from talent_service.retention.schemas import EDUCATION_LABELS, REGION_LABELS


def test_every_stored_value_has_a_name_in_both_languages() -> None:
    for names, values in (
        (labels.EDUCATION, list(Education)),
        (labels.TITLE, list(TitleLevel)),
        (labels.FIRM_TIER, ["none", *FirmTier]),
        (labels.CENTER_KIND, list(CenterKind)),
        (labels.REGION, list(Region)),
    ):
        assert set(names) == {str(v) for v in values}
        assert all(zh and en for zh, en in names.values())


def test_the_fact_registry_and_retention_groups_use_the_same_names() -> None:
    for fact, names in (
        ("education", labels.EDUCATION),
        ("title_level", labels.TITLE),
        ("firm_tier", labels.FIRM_TIER),
    ):
        spec = FACTS[fact]
        assert spec.value_labels_zh == labels.zh(names), fact
        assert spec.value_labels_en == labels.en(names), fact
    ranked = FACTS["title_rank"].rank_labels_en or {}
    assert ranked[2] == labels.TITLE[TitleLevel.intermediate][1]
    for value, (zh, en) in labels.EDUCATION.items():
        assert EDUCATION_LABELS[str(value)] == (zh, labels.heading(en))
    for region, (zh, en) in labels.REGION.items():
        assert REGION_LABELS[Region(region)] == (zh, labels.heading(en))
