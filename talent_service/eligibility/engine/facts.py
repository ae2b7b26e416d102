"""Fact registry, parameter specs and the date arithmetic facts are defined by.

事实登记表：规则只能引用这里登记的事实；每个事实有类型、单位、中英文定义与取整规则。

A *fact* is a named value about one talent on one as-of date (computed by the database layer).
A *parameter* is a named, typed threshold whose value is supplied per evaluation (the database
keeps effective-dated values). A fact that cannot be known is *missing* — represented as ``None``
or by leaving the key out of the mapping — and is never treated as false.
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from talent_service.reference import labels
from talent_service.reference.enums import (
    CenterStatus,
    Education,
    FirmTier,
    SchoolStage,
    TitleLevel,
)

FactValue = int | float | bool | str
ParamValue = FactValue | list[FactValue]
# Missing facts are None (or absent); `Facts` is what evaluate() reads.
Facts = Mapping[str, FactValue | None]


class ValueType(StrEnum):
    NUMBER = "number"  # int or float, never bool
    BOOLEAN = "boolean"
    ENUM = "enum"  # a string from a closed, documented list
    STRING = "string"  # a free string, optionally with a fixed format


class Growth(StrEnum):
    """How a fact changes when only time passes (used by forecast)."""

    NONE = "none"
    MONTHS = "months"  # +1 on each monthly anniversary of an anchor date
    YEARS = "years"  # +1 on each birthday


class FactError(ValueError):
    """A fact value has the wrong type: a bug in whoever computed it, not a missing fact."""


# --- date arithmetic -------------------------------------------------------------------------


def add_months(d: date, months: int) -> date:
    """``d`` moved by whole months; a day that does not exist is clamped to the month's end.

    Jan 31 + 1 month = Feb 28 (Feb 29 in a leap year); Feb 29 + 12 months = Feb 28.
    """
    index = d.year * 12 + (d.month - 1) + months
    year, month0 = divmod(index, 12)
    last = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(d.day, last))


def whole_months_between(start: date, end: date) -> int:
    """Whole months elapsed from ``start`` to ``end`` (floor); 0 when ``end`` <= ``start``.

    满月计算：自起始日起，每到（按月末截断的）同日即满一个月，不足一月不计。
    A month is complete on the same day-of-month of a later month, clamped to that month's last
    day: from Jan 31 the first month completes on Feb 28/29, the second on Mar 31.
    """
    if end <= start:
        return 0
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if add_months(start, months) > end:
        months -= 1
    return months


def age_on(birth: date, as_of: date) -> int:
    """Age in whole years (周岁) on ``as_of``; it increases on the birthday itself.

    Someone born on Feb 29 turns a year older on Feb 28 in common years (the same clamping as
    :func:`add_months`), so ``age_on(b, d) == whole_months_between(b, d) // 12`` always.
    """
    if as_of <= birth:
        return 0
    years = as_of.year - birth.year
    if add_months(birth, 12 * years) > as_of:
        years -= 1
    return years


# --- registry ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class FactSpec:
    name: str
    type: ValueType
    label_zh: str
    label_en: str
    definition_zh: str
    definition_en: str
    rounding_zh: str = ""
    rounding_en: str = ""
    unit_zh: str = ""
    unit_en: str = ""
    growth: Growth = Growth.NONE
    # ENUM: allowed values in their natural order, with zh/en labels for explanations.
    allowed: tuple[str, ...] = ()
    value_labels_zh: Mapping[str, str] | None = None
    value_labels_en: Mapping[str, str] | None = None
    # STRING: a fixed format, checked with plain character tests (never a regex on user input).
    string_format: str | None = None  # "gb2260": six ASCII digits
    # Derived facts: computed from another fact by `complete_facts`.
    derived_from: str | None = None
    # Rank facts: the words for each rank, so explanations read "≥ 中级" rather than "≥ 2".
    rank_labels_zh: Mapping[int, str] | None = None
    rank_labels_en: Mapping[int, str] | None = None
    # A fact about a child that a machine client may supply in the request (see ``supplied``);
    # never a fact about the talent.
    suppliable: bool = False

    def to_json(self) -> dict[str, Any]:
        """Plain-dict form for a `GET /facts` style listing."""
        out: dict[str, Any] = {
            "name": self.name,
            "type": self.type.value,
            "label_zh": self.label_zh,
            "label_en": self.label_en,
            "definition_zh": self.definition_zh,
            "definition_en": self.definition_en,
            "rounding_zh": self.rounding_zh,
            "rounding_en": self.rounding_en,
            "unit_zh": self.unit_zh,
            "unit_en": self.unit_en,
            "grows_with_time": self.growth.value,
            "suppliable": self.suppliable,
        }
        if self.allowed:
            out["allowed"] = [
                {
                    "value": v,
                    "label_zh": (self.value_labels_zh or {}).get(v, v),
                    "label_en": (self.value_labels_en or {}).get(v, v),
                }
                for v in self.allowed
            ]
        if self.rank_labels_zh:
            out["ranks"] = [
                {"rank": r, "label_zh": z, "label_en": (self.rank_labels_en or {}).get(r, z)}
                for r, z in self.rank_labels_zh.items()
            ]
        if self.string_format:
            out["format"] = self.string_format
        if self.derived_from:
            out["derived_from"] = self.derived_from
        return out


# Value lists come from the enums the tables store, in their declared order (lowest first), so
# every stored value has a place and a rank; labels missing for a new member fall back to it.
EDUCATION_LEVELS: tuple[str, ...] = tuple(e.value for e in Education)
EDUCATION_RANK: Mapping[str, int] = {v: i for i, v in enumerate(EDUCATION_LEVELS)}
EDUCATION_ZH = labels.zh(labels.EDUCATION)
EDUCATION_EN = labels.en(labels.EDUCATION)

TITLE_LEVELS: tuple[str, ...] = tuple(t.value for t in TitleLevel)
TITLE_RANK: Mapping[str, int] = {v: i for i, v in enumerate(TITLE_LEVELS)}
TITLE_ZH = labels.zh(labels.TITLE)
TITLE_EN = labels.en(labels.TITLE)

# `none`: the firm is known to hold no tier certificate (distinct from a missing tier); the
# firms table stores it as NULL tier, the enum holds only real tiers.
FIRM_TIERS: tuple[str, ...] = ("none", *(t.value for t in FirmTier))
# The SME ladder ranks 0 (none), 1, 2, … in the enum's order. The single champion programme
# stands beside it; for threshold rules it ranks with the top rung (key little giant). Rules that
# must tell them apart compare `firm_tier` instead.
_LADDER = tuple(t for t in FIRM_TIERS if t != FirmTier.single_champion)
FIRM_TIER_RANK: Mapping[str, int] = {
    t: _LADDER.index(t) if t in _LADDER else len(_LADDER) - 1 for t in FIRM_TIERS
}
FIRM_TIER_ZH = labels.zh(labels.FIRM_TIER)
FIRM_TIER_EN = labels.en(labels.FIRM_TIER)

CENTER_STATUSES: tuple[str, ...] = tuple(s.value for s in CenterStatus)
CENTER_STATUS_ZH = {
    "pending": "待认定",
    "accredited": "已认定",
    "rejected": "未通过认定",
    "suspended": "暂停",
    "closed": "已关闭",
}
CENTER_STATUS_EN = {
    "pending": "pending",
    "accredited": "accredited",
    "rejected": "rejected",
    "suspended": "suspended",
    "closed": "closed",
}

SCHOOL_STAGES: tuple[str, ...] = tuple(s.value for s in SchoolStage)
SCHOOL_STAGE_ZH = {
    "kindergarten": "幼儿园",
    "primary": "小学",
    "junior_secondary": "初中",
    "senior_secondary": "高中",
}
SCHOOL_STAGE_EN = {
    "kindergarten": "kindergarten",
    "primary": "primary school",
    "junior_secondary": "junior secondary school",
    "senior_secondary": "senior secondary school",
}

_MONTHS_ROUND_ZH = "按整月向下取整：自起始日起每到（月末截断的）同日满一个月；不足一月不计。"
_MONTHS_ROUND_EN = (
    "Whole months, rounded down: a month completes on the same day of a later "
    "month (clamped to month end); a partial month does not count."
)
# How a month-counting fact adds up several employments (fact_builder computes it this way).
_SPELLS_ZH = (
    "各段任职自入职日起算至离职日或核验日；时间重叠的任职合并为一段，自其最早入职日起算，"
    "同一月份只计一次；首尾相接而不重叠的任职分段计算。"
)
_SPELLS_EN = (
    "Each employment counts from hire to departure or the as-of date; employments that "
    "overlap in time are merged into one period counted from its first hire, so a month counts "
    "once; employments that only meet on a day are counted separately."
)
_BOOL_ROUND_ZH = "判断截至核验日当天的状态。"
_BOOL_ROUND_EN = "The state on the as-of date itself."


def _months(name: str, label_zh: str, label_en: str, def_zh: str, def_en: str) -> FactSpec:
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


def _flag(
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


def _enum(
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


def _rank(
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


_FACT_LIST: tuple[FactSpec, ...] = (
    FactSpec(
        "age_years",
        ValueType.NUMBER,
        "年龄（周岁）",
        "age",
        "核验日的周岁年龄，依据身份证件上的出生日期计算。",
        "Age in whole years on the as-of date, from the birth date on the identity document.",
        "周岁向下取整，生日当天增加一岁；2月29日出生者在平年的2月28日增加一岁。",
        "Whole years, rounded down; a year is added on the birthday itself; someone born on "
        "Feb 29 adds a year on Feb 28 in common years.",
        "岁",
        "years",
        Growth.YEARS,
    ),
    _enum(
        "education",
        "最高学历",
        "highest education",
        "经核验的最高学历（学位）层次。",
        "Highest verified education (degree) level.",
        EDUCATION_LEVELS,
        EDUCATION_ZH,
        EDUCATION_EN,
    ),
    _rank(
        "education_rank",
        "education",
        "学历等级",
        "education rank",
        EDUCATION_RANK,
        EDUCATION_ZH,
        EDUCATION_EN,
    ),
    _enum(
        "title_level",
        "职称级别",
        "professional title level",
        "核验日有效的最高专业技术职称级别。",
        "Highest professional title level valid on the as-of date.",
        TITLE_LEVELS,
        TITLE_ZH,
        TITLE_EN,
    ),
    _rank("title_rank", "title_level", "职称等级", "title rank", TITLE_RANK, TITLE_ZH, TITLE_EN),
    _months(
        "months_at_accredited_center",
        "在认定中心工作月数",
        "months at an accredited center",
        "本人在本政策所涉飞地中心（承接地政策：设在本市的中心；流出地政策：本市企业的中心）任职的"
        "整月数，仅计核验日处于已认定状态的中心。" + _SPELLS_ZH,
        "Whole months of the talent's employment at the enclave centers the policy is about "
        "(host side: centers in the city; home side: centers of firms based in the city) that "
        "are accredited on the as-of date. " + _SPELLS_EN,
    ),
    _months(
        "months_employed_at_firm",
        "在本企业工作月数",
        "months employed at the firm",
        "本人在当前任职所在企业各段任职的整月数（服务年限）。" + _SPELLS_ZH,
        "Whole months of the talent's employment with the firm of the current employment, over "
        "all spells with that firm (years of service). " + _SPELLS_EN,
    ),
    _months(
        "si_months_host",
        "承接地社保月数",
        "social insurance months in the host city",
        "截至核验日在承接地（珠三角）城市缴纳社会保险的任职累计整月数。" + _SPELLS_ZH,
        "Whole months up to the as-of date of employments paying social insurance in the host "
        "(PRD) city. " + _SPELLS_EN,
    ),
    _months(
        "si_months_home",
        "流出地社保月数",
        "social insurance months in the home city",
        "截至核验日在企业所在地（流出地）城市缴纳社会保险的任职累计整月数。" + _SPELLS_ZH,
        "Whole months up to the as-of date of employments paying social insurance in the "
        "firm's home city. " + _SPELLS_EN,
    ),
    _months(
        "si_months_either",
        "双边任一方社保月数",
        "social insurance months on either side",
        "截至核验日在承接地或流出地任一方缴纳社保的任职累计整月数，同一月份双方均缴只计一次。"
        + _SPELLS_ZH,
        "Whole months up to the as-of date of employments paying social insurance on either "
        "side; a month paid on both sides counts once. " + _SPELLS_EN,
    ),
    _enum(
        "firm_tier",
        "企业梯度资质",
        "firm tier",
        "用人企业在核验日持有的最高梯度培育资质（不论证书是否过期）。",
        "Highest tier the employing firm holds on the as-of date (whether or not its "
        "certificate has expired).",
        FIRM_TIERS,
        FIRM_TIER_ZH,
        FIRM_TIER_EN,
    ),
    _rank(
        "firm_tier_rank",
        "firm_tier",
        "企业梯度等级",
        "firm tier rank",
        FIRM_TIER_RANK,
        FIRM_TIER_ZH,
        FIRM_TIER_EN,
    ),
    _flag(
        "firm_tier_valid",
        "企业资质在有效期内",
        "firm tier certificate valid",
        "企业最高梯度资质证书在核验日未过期。",
        "The certificate of the firm's tier has not expired on the as-of date.",
    ),
    _enum(
        "center_status",
        "中心认定状态",
        "center status",
        "本人当前任职的飞地中心在核验日的认定状态。",
        "Accreditation status, on the as-of date, of the enclave center the talent works at.",
        CENTER_STATUSES,
        CENTER_STATUS_ZH,
        CENTER_STATUS_EN,
    ),
    _flag(
        "center_accredited",
        "中心已认定",
        "center accredited",
        "本人当前任职的飞地中心在核验日处于已认定状态。",
        "The talent's current enclave center is accredited on the as-of date.",
        derived_from="center_status",
    ),
    _flag(
        "key_post",
        "重点岗位",
        "key post",
        "本人在核验日所任岗位被认定为重点岗位。",
        "The talent's post is designated a key post on the as-of date.",
    ),
    _flag(
        "recruited_via_program",
        "经“反向飞地”引进",
        "recruited via the programme",
        "本人系通过人才“反向飞地”项目引进。",
        "The talent was recruited through the reverse-enclave programme.",
    ),
    _flag(
        "currently_employed",
        "在职",
        "currently employed",
        "本人在核验日与企业存在有效的任职关系（已入职且未离职）。",
        "The talent has an open employment with the firm on the as-of date (hired, not left).",
    ),
    FactSpec(
        "hukou_city",
        ValueType.STRING,
        "户籍所在城市",
        "hukou city",
        "本人在核验日的户籍所在城市，GB/T 2260 六位行政区划代码（地级市）。",
        "City of the talent's household registration on the as-of date, as a six-digit "
        "GB/T 2260 code (prefecture level).",
        "区县代码归并到地级市代码（后两位为 00）。",
        "District codes are folded to the prefecture code (last two digits 00).",
        string_format="gb2260",
    ),
    _flag(
        "hukou_in_city",
        "户籍已在本市",
        "hukou already in the policy city",
        "本人户籍已在所适用政策的城市（随政策而定）。",
        "The talent's hukou is already in the city of the policy being applied (depends on "
        "the policy).",
    ),
    # Facts about the child the check names (``household_member_id``), from the household
    # record in force on the as-of date, or supplied by a machine client where the policy
    # accepts it.
    FactSpec(
        "child_age_years",
        ValueType.NUMBER,
        "子女年龄（周岁）",
        "child's age",
        "所核验子女在核验日的周岁年龄，依据家庭成员记录中的出生日期计算。",
        "The named child's age in whole years on the as-of date, from the birth date in the "
        "household record.",
        "周岁向下取整，生日当天增加一岁；2月29日出生者在平年的2月28日增加一岁。",
        "Whole years, rounded down; a year is added on the birthday itself; someone born on "
        "Feb 29 adds a year on Feb 28 in common years.",
        "岁",
        "years",
        Growth.YEARS,
    ),
    replace(
        _enum(
            "child_school_stage",
            "子女学段",
            "child's school stage",
            "所核验子女在核验日就读或申请就读的学段。",
            "The stage of schooling the named child is in, or applies for, on the as-of date.",
            SCHOOL_STAGES,
            SCHOOL_STAGE_ZH,
            SCHOOL_STAGE_EN,
        ),
        suppliable=True,
    ),
    replace(
        _flag(
            "child_district_in_city",
            "子女申请学区在本市",
            "child applies in the policy city",
            "所核验子女申请就读的区县（GB/T 2260）属于所适用政策的城市（随政策而定）。",
            "The district (GB/T 2260) the named child applies to school in lies in the city of "
            "the policy being applied (depends on the policy).",
        ),
        suppliable=True,
    ),
    _flag(
        "is_foreign",
        "外籍人才",
        "foreign national",
        "本人为外国籍（持护照或外国人永久居留身份证）。",
        "The talent is a foreign national (passport or foreign permanent resident ID).",
    ),
)

FACTS: Mapping[str, FactSpec] = {f.name: f for f in _FACT_LIST}
SUPPLIABLE: frozenset[str] = frozenset(f.name for f in _FACT_LIST if f.suppliable)
CHILD_FACTS: tuple[str, ...] = tuple(f.name for f in _FACT_LIST if f.name.startswith("child_"))

# Rank tables for derived facts, keyed by the derived fact's name.
RANK_SCALES: Mapping[str, Mapping[str, int]] = {
    "education_rank": EDUCATION_RANK,
    "title_rank": TITLE_RANK,
    "firm_tier_rank": FIRM_TIER_RANK,
}


# --- value checks -----------------------------------------------------------------------------


def is_gb2260(value: str) -> bool:
    """Six ASCII digits; plain character checks so no pattern engine ever sees the input."""
    return len(value) == 6 and all("0" <= ch <= "9" for ch in value)


def value_problem(spec: FactSpec, value: object) -> str | None:
    """Why ``value`` is not a valid value of fact ``spec`` (None when it is valid)."""
    if spec.type is ValueType.NUMBER:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return f"expected a number, got {type(value).__name__}"
        if isinstance(value, float) and not math.isfinite(value):
            return "expected a finite number"
        return None
    if spec.type is ValueType.BOOLEAN:
        if isinstance(value, bool):
            return None
        return f"expected a boolean, got {type(value).__name__}"
    if not isinstance(value, str):
        return f"expected a string, got {type(value).__name__}"
    if spec.type is ValueType.ENUM and value not in spec.allowed:
        shown = value if len(value) <= 40 else value[:40] + "…"
        return f"{shown!r} is not one of {', '.join(spec.allowed)}"
    if spec.string_format == "gb2260" and not is_gb2260(value):
        return "expected a six-digit GB/T 2260 code"
    return None


# Thresholds compared with a fact that grows with time (age, month counts): a person's whole
# life fits in them, and beyond them a rule could only say "never" (or "always"). They also keep
# every date a forecast may compute from a threshold within the calendar.
MAX_AGE_THRESHOLD = 150  # years
MAX_MONTHS_THRESHOLD = 12 * MAX_AGE_THRESHOLD
_THRESHOLD_LIMITS = {Growth.YEARS: MAX_AGE_THRESHOLD, Growth.MONTHS: MAX_MONTHS_THRESHOLD}


def threshold_problem(spec: FactSpec, value: object) -> str | None:
    """Why ``value`` (or an item of a list) is out of range as a threshold for fact ``spec``;
    only time-growing facts are bounded. Assumes :func:`value_problem` accepted the value."""
    limit = _THRESHOLD_LIMITS.get(spec.growth)
    if limit is None:
        return None
    for item in value if isinstance(value, list | tuple) else (value,):
        if isinstance(item, int | float) and not isinstance(item, bool) and not 0 <= item <= limit:
            return (
                f"a threshold for fact {spec.name!r} must lie between 0 and {limit} {spec.unit_en}"
            )
    return None


def check_facts(facts: Facts) -> None:
    """Raise :class:`FactError` for any registered fact with an ill-typed value.

    Unknown names are refused too, so a typo in the database layer does not pass as missing.
    """
    problems = []
    for name, value in facts.items():
        spec = FACTS.get(name)
        if spec is None:
            problems.append(f"{name}: unknown fact")
        elif value is not None and (why := value_problem(spec, value)):
            problems.append(f"{name}: {why}")
    if problems:
        raise FactError("; ".join(problems))


def complete_facts(facts: Facts, policy_city: str | None = None) -> dict[str, FactValue | None]:
    """Facts with derived facts filled in from their sources (ranks, center_accredited, and
    hukou_in_city when ``policy_city`` is given). A supplied derived value must agree."""
    out: dict[str, FactValue | None] = dict(facts)
    check_facts(out)
    derived: dict[str, FactValue | None] = {}
    for name, scale in RANK_SCALES.items():
        source = FACTS[name].derived_from
        assert source is not None
        src = out.get(source)
        derived[name] = None if src is None else scale[str(src)]
    status = out.get("center_status")
    derived["center_accredited"] = None if status is None else status == "accredited"
    if policy_city is not None:
        city = out.get("hukou_city")
        derived["hukou_in_city"] = None if city is None else city == policy_city
    for name, value in derived.items():
        given = out.get(name)
        if given is None:
            out[name] = value
        elif value is not None and given != value:
            raise FactError(f"{name}: given {given!r} disagrees with derived {value!r}")
    return out


# --- parameters -------------------------------------------------------------------------------


class ParamSpec(BaseModel):
    """The declared type of a named threshold (its values are effective-dated in the database).

    ``domain`` names an enum/string fact whose allowed values or format the parameter shares
    (e.g. ``domain="education"``); ``many`` marks a list parameter for ``in``/``not_in``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: ValueType
    many: bool = False
    domain: str | None = None
    unit_zh: str = ""
    unit_en: str = ""
    label_zh: str = ""
    label_en: str = ""
    min_items: int = Field(default=1, ge=1)


# Stand-ins for parameters without a domain: only the value type is checked.
_PLAIN_SPECS = {t: FactSpec("", t, "", "", "", "") for t in ValueType}


def param_value_problem(spec: ParamSpec, value: object) -> str | None:
    """Why ``value`` is not a valid value for a parameter of ``spec`` (None when valid)."""
    scalar_spec = FACTS.get(spec.domain) if spec.domain else None
    if scalar_spec is None:
        scalar_spec = _PLAIN_SPECS[spec.type]
    if spec.many:
        if not isinstance(value, list | tuple):
            return "expected a list"
        if len(value) < spec.min_items:
            return "expected a non-empty list"
        for i, item in enumerate(value):
            if why := value_problem(scalar_spec, item):
                return f"item {i}: {why}"
        return None
    if isinstance(value, list | tuple):
        return "expected a single value, got a list"
    return value_problem(scalar_spec, value)


class ParameterError(ValueError):
    """Parameter values supplied to an evaluation are missing or ill-typed."""


def check_params(
    needed: Mapping[str, ParamSpec], values: Mapping[str, object]
) -> dict[str, ParamValue]:
    """The values of the ``needed`` parameters, checked; raise :class:`ParameterError`."""
    out: dict[str, ParamValue] = {}
    problems = []
    for name, spec in needed.items():
        if name not in values or values[name] is None:
            problems.append(f"{name}: no value supplied")
            continue
        value = values[name]
        if why := param_value_problem(spec, value):
            problems.append(f"{name}: {why}")
            continue
        out[name] = list(value) if isinstance(value, list | tuple) else value  # type: ignore[assignment]
    if problems:
        raise ParameterError("; ".join(problems))
    return out
