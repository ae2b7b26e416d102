"""The kinds of registered fact (month counts, flags, enumerations, ranks), each with the
wording of its rounding rule, so that every fact of a kind is defined alike."""

from __future__ import annotations

from collections.abc import Mapping

from talent_service.eligibility.engine.fact_spec import FactSpec, Growth, ValueType

_MONTHS_ROUND_ZH = "按整月向下取整：自起始日起每到（月末截断的）同日满一个月；不足一月不计。"
_MONTHS_ROUND_EN = (
    "Whole months, rounded down: a month completes on the same day of a later "
    "month (clamped to month end); a partial month does not count."
)
# How a month-counting fact adds up several employments (fact_builder computes it this way).
SPELLS_ZH = (
    "各段任职自入职日起算至离职日或核验日；时间重叠的任职合并为一段，自其最早入职日起算，"
    "同一月份只计一次；首尾相接而不重叠的任职分段计算。"
)
SPELLS_EN = (
    "Each employment counts from hire to departure or the as-of date; employments that "
    "overlap in time are merged into one period counted from its first hire, so a month counts "
    "once; employments that only meet on a day are counted separately."
)
_BOOL_ROUND_ZH = "判断截至核验日当天的状态。"
_BOOL_ROUND_EN = "The state on the as-of date itself."


def months_fact(name: str, label_zh: str, label_en: str, def_zh: str, def_en: str) -> FactSpec:
    return FactSpec(
        name,
        ValueType.NUMBER,
        label_zh,
        label_en,
        def_zh,
        def_en,
        _MONTHS_ROUND_ZH,
        _MONTHS_ROUND_EN,
        "个月",
        "months",
        Growth.MONTHS,
    )


def flag_fact(
    name: str,
    label_zh: str,
    label_en: str,
    def_zh: str,
    def_en: str,
    derived_from: str | None = None,
) -> FactSpec:
    return FactSpec(
        name,
        ValueType.BOOLEAN,
        label_zh,
        label_en,
        def_zh,
        def_en,
        _BOOL_ROUND_ZH,
        _BOOL_ROUND_EN,
        derived_from=derived_from,
    )


def enum_fact(
    name: str,
    label_zh: str,
    label_en: str,
    def_zh: str,
    def_en: str,
    allowed: tuple[str, ...],
    zh: Mapping[str, str],
    en: Mapping[str, str],
) -> FactSpec:
    return FactSpec(
        name,
        ValueType.ENUM,
        label_zh,
        label_en,
        def_zh,
        def_en,
        _BOOL_ROUND_ZH,
        _BOOL_ROUND_EN,
        allowed=allowed,
        value_labels_zh=zh,
        value_labels_en=en,
    )


def rank_fact(
    name: str,
    source: str,
    label_zh: str,
    label_en: str,
    scale: Mapping[str, int],
    labels_zh: Mapping[str, str],
    labels_en: Mapping[str, str],
) -> FactSpec:
    scale_en = ", ".join(f"{labels_en.get(k, k)}={v}" for k, v in scale.items())
    # Ranks shared by several values (the top SME rung and the single champion) read as the
    # first of them in the scale's order.
    words_zh: dict[int, str] = {}
    words_en: dict[int, str] = {}
    for value, rank in scale.items():
        words_zh.setdefault(rank, labels_zh.get(value, value))
        words_en.setdefault(rank, labels_en.get(value, value))
    return FactSpec(
        name,
        ValueType.NUMBER,
        label_zh,
        label_en,
        f"由事实 {source} 按固定等级换算的整数：{scale_en}。",
        f"Integer rank of fact {source} on a fixed ordered scale: {scale_en}.",
        "整数，无需取整。",
        "An integer; no rounding.",
        derived_from=source,
        rank_labels_zh=words_zh,
        rank_labels_en=words_en,
    )
