"""The default, ILLUSTRATIVE policy pack, as pure data.

默认示例政策包：仅供演示，条件形状参照真实政策（学历分档年龄上限、在认定中心工作月数、双边社保月数、
重点岗位、博士直接认定中级职称等），各市应替换为本市实际规定。

For each of the four benefits there is one shape for the host (PRD) side and one for the home
side; :func:`default_policies` instantiates them for every city given. Thresholds are
parameters, so a city can change a limit without touching the rule.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from talent_service.eligibility.engine.fact_spec import ValueType, is_gb2260
from talent_service.eligibility.engine.parameters import ParamSpec
from talent_service.eligibility.engine.rules import Rule, validate_rule
from talent_service.reference.enums import DeclaredFact

Side = Literal["host", "home"]
Benefit = Literal["hukou", "social_insurance", "education", "title"]
BENEFITS: tuple[Benefit, ...] = ("hukou", "social_insurance", "education", "title")
DEFAULT_EFFECTIVE_FROM = date(2024, 1, 1)

BENEFIT_ZH = {
    "hukou": "落户",
    "social_insurance": "社会保险",
    "education": "子女教育",
    "title": "职称认定",
}
BENEFIT_EN = {
    "hukou": "hukou",
    "social_insurance": "social insurance",
    "education": "children's education",
    "title": "professional title recognition",
}
SIDE_ZH = {"host": "承接地（珠三角）", "home": "企业所在地（流出地）"}
SIDE_EN = {"host": "host (PRD) side", "home": "home side"}


class PolicyDefinition(BaseModel):
    """One policy with its first version, ready to be stored."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    key: str  # "440300-host-hukou": stable, for idempotent loading
    city_code: str
    side: Side
    benefit: Benefit
    version: int = 1
    status: Literal["draft", "published"] = "published"
    effective_from: date = DEFAULT_EFFECTIVE_FROM
    effective_to: date | None = None
    document_ref: str
    title_zh: str
    title_en: str
    description_zh: str
    description_en: str
    illustrative: bool = True
    rule: dict[str, Any]
    parameter_types: dict[str, ParamSpec]
    parameters: dict[str, Any]  # values in force from `effective_from`, open-ended
    # The illustrative pack accepts unverified declarations of every declared fact (flagged in
    # each explanation), so that people whose facts no bureau has verified yet are still
    # decided; a city that requires verified facts publishes a version naming "verified".
    fact_sources: dict[str, str] = Field(
        default_factory=lambda: {fact.value: "declared" for fact in DeclaredFact}
    )
    # Facts a school-admission system may supply in the request that the version reads.
    accepts_supplied: tuple[str, ...] = ()

    def validated_rule(self) -> Rule:
        return validate_rule(self.rule, self.parameter_types)


# --- rule building helpers --------------------------------------------------------------------


def _ref(article: int) -> str:
    return (
        f"示例政策第{article}条（非正式条文） / "
        f"Illustrative policy art. {article} (not a real provision)"
    )


def _cmp(
    node_id: str,
    zh: str,
    en: str,
    fact: str,
    op: str,
    *,
    value: Any = None,
    param: str | None = None,
    article: int | None = None,
) -> dict[str, Any]:
    node: dict[str, Any] = {
        "id": node_id,
        "kind": "compare",
        "label_zh": zh,
        "label_en": en,
        "fact": fact,
        "op": op,
        "rhs": {"param": param} if param else {"value": value},
    }
    if article is not None:
        node["legal_ref"] = _ref(article)
    return node


def _group(
    kind: str,
    node_id: str,
    zh: str,
    en: str,
    children: list[dict[str, Any]],
    article: int | None = None,
) -> dict[str, Any]:
    node: dict[str, Any] = {
        "id": node_id,
        "kind": kind,
        "label_zh": zh,
        "label_en": en,
        "children": children,
    }
    if article is not None:
        node["legal_ref"] = _ref(article)
    return node


def _number(zh: str, en: str, unit_zh: str, unit_en: str) -> ParamSpec:
    return ParamSpec(
        type=ValueType.NUMBER, label_zh=zh, label_en=en, unit_zh=unit_zh, unit_en=unit_en
    )


_AGE = ("岁", "years")
_MONTHS = ("个月", "months")

# --- the shapes -------------------------------------------------------------------------------


def _degree_branch(level: str, zh: str, en: str) -> dict[str, Any]:
    return _group(
        "all",
        f"{level}-age",
        f"{zh}学历且年龄不超过上限",
        f"{en} and within its age limit",
        [
            _cmp(
                f"edu-{level}", f"学历为{zh}", f"education is {en}", "education", "eq", value=level
            ),
            _cmp(
                f"age-{level}",
                f"{zh}学历年龄不超过上限",
                f"age within the limit for {en}",
                "age_years",
                "le",
                param=f"max_age_{level}",
            ),
        ],
    )


def _hukou_rule(side: Side) -> dict[str, Any]:
    return _group(
        "all",
        f"{side}-hukou",
        "落户条件",
        "hukou conditions",
        [
            _group(
                "any",
                "degree-by-age",
                "学历与年龄条件（分档）",
                "degree by age limit",
                [
                    _degree_branch("bachelor", "本科", "bachelor's degree"),
                    _degree_branch("master", "硕士研究生", "master's degree"),
                    _degree_branch("doctor", "博士研究生", "doctorate"),
                ],
                article=3,
            ),
            _cmp(
                "months-at-center",
                "在认定中心工作满规定月数",
                "employed at an accredited center for the minimum months",
                "months_at_accredited_center",
                "ge",
                param="min_months_at_center",
                article=4,
            ),
            _cmp(
                "si-either-side",
                "双边任一方社保缴纳满规定月数",
                "social insurance paid on either side for the minimum months",
                "si_months_either",
                "ge",
                param="min_si_months",
                article=4,
            ),
            _cmp(
                "hukou-not-local",
                "户籍尚未在本市",
                "hukou not yet in this city",
                "hukou_in_city",
                "eq",
                value=False,
                article=5,
            ),
        ],
    )


def _hukou_params(side: Side) -> tuple[dict[str, ParamSpec], dict[str, Any]]:
    types = {
        "max_age_bachelor": _number("本科学历年龄上限", "age limit, bachelor's", *_AGE),
        "max_age_master": _number("硕士学历年龄上限", "age limit, master's", *_AGE),
        "max_age_doctor": _number("博士学历年龄上限", "age limit, doctorate", *_AGE),
        "min_months_at_center": _number(
            "在认定中心最少工作月数", "minimum months at an accredited center", *_MONTHS
        ),
        "min_si_months": _number(
            "最少社保缴纳月数", "minimum months of social insurance", *_MONTHS
        ),
    }
    # The home side wants its talent back on its register, so it asks less.
    values = (
        {
            "max_age_bachelor": 40,
            "max_age_master": 45,
            "max_age_doctor": 50,
            "min_months_at_center": 12,
            "min_si_months": 12,
        }
        if side == "host"
        else {
            "max_age_bachelor": 45,
            "max_age_master": 50,
            "max_age_doctor": 55,
            "min_months_at_center": 6,
            "min_si_months": 6,
        }
    )
    return types, values


def _social_insurance_rule(side: Side) -> dict[str, Any]:
    children = [
        _cmp(
            "employed",
            "在职",
            "currently employed",
            "currently_employed",
            "eq",
            value=True,
            article=2,
        ),
        _cmp(
            "center-accredited",
            "任职中心已认定",
            "works at an accredited center",
            "center_accredited",
            "eq",
            value=True,
            article=2,
        ),
        _cmp(
            "via-program",
            "经“反向飞地”项目引进",
            "recruited via the programme",
            "recruited_via_program",
            "eq",
            value=True,
            article=2,
        ),
    ]
    if side == "home":
        children += [
            _cmp(
                "firm-tier",
                "企业达到规定梯度资质",
                "firm holds the minimum tier",
                "firm_tier_rank",
                "ge",
                param="min_firm_tier_rank",
                article=6,
            ),
            _cmp(
                "firm-tier-valid",
                "企业资质证书在有效期内",
                "firm tier certificate unexpired",
                "firm_tier_valid",
                "eq",
                value=True,
                article=6,
            ),
        ]
    return _group(
        "all", f"{side}-social-insurance", "社保待遇条件", "social insurance conditions", children
    )


def _social_insurance_params(side: Side) -> tuple[dict[str, ParamSpec], dict[str, Any]]:
    if side == "host":
        return {}, {}
    spec = ParamSpec(
        type=ValueType.NUMBER, label_zh="企业最低梯度等级", label_en="minimum firm tier rank"
    )
    return {"min_firm_tier_rank": spec}, {"min_firm_tier_rank": 2}  # provincial specialized


def _education_rule(side: Side) -> dict[str, Any]:
    return _group(
        "all",
        f"{side}-education",
        "子女教育待遇条件",
        "children's education conditions",
        [
            _cmp(
                "key-post",
                "在重点岗位任职",
                "holds a key post",
                "key_post",
                "eq",
                value=True,
                article=7,
            ),
            _cmp(
                "months-at-center",
                "在认定中心工作满规定月数",
                "employed at an accredited center for the minimum months",
                "months_at_accredited_center",
                "ge",
                param="min_months_at_center",
                article=7,
            ),
            # The child: of compulsory-education age, entering primary or junior secondary
            # school, in a district of the policy's city.
            _cmp(
                "child-min-age",
                "子女已达义务教育入学年龄",
                "the child has reached compulsory-school age",
                "child_age_years",
                "ge",
                param="min_child_age",
                article=7,
            ),
            _cmp(
                "child-max-age",
                "子女未超过义务教育年龄",
                "the child is within compulsory-school age",
                "child_age_years",
                "le",
                param="max_child_age",
                article=7,
            ),
            _cmp(
                "child-stage",
                "子女就读义务教育学段（小学或初中）",
                "the child is in (or enters) primary or junior secondary school",
                "child_school_stage",
                "in",
                value=["primary", "junior_secondary"],
                article=7,
            ),
            _cmp(
                "child-district",
                "子女申请就读本市学校",
                "the child applies to a school in the city",
                "child_district_in_city",
                "eq",
                value=True,
                article=7,
            ),
        ],
    )


_YEARS = ("岁", "years")


def _education_params(side: Side) -> tuple[dict[str, ParamSpec], dict[str, Any]]:
    spec = _number("在认定中心最少工作月数", "minimum months at an accredited center", *_MONTHS)
    types = {
        "min_months_at_center": spec,
        "min_child_age": _number("子女最低年龄", "minimum age of the child", *_YEARS),
        "max_child_age": _number("子女最高年龄", "maximum age of the child", *_YEARS),
    }
    values = {
        "min_months_at_center": 12 if side == "host" else 6,
        "min_child_age": 6,
        "max_child_age": 15,
    }
    return types, values


def _title_rule(side: Side) -> dict[str, Any]:
    return _group(
        "all",
        f"{side}-title",
        "中级职称直接认定条件",
        "direct recognition of an intermediate title",
        [
            _cmp(
                "center-accredited",
                "任职中心已认定",
                "works at an accredited center",
                "center_accredited",
                "eq",
                value=True,
                article=8,
            ),
            _cmp(
                "below-intermediate",
                "尚未取得中级及以上职称",
                "holds no intermediate or higher title yet",
                "title_rank",
                "lt",
                value=2,
                article=8,
            ),
            _group(
                "any",
                "degree-or-service",
                "学历或服务年限",
                "degree or years of service",
                [
                    _cmp(
                        "doctor-direct",
                        "博士研究生直接认定",
                        "doctorate: direct recognition",
                        "education",
                        "eq",
                        value="doctor",
                        article=9,
                    ),
                    _group(
                        "all",
                        "master-service",
                        "硕士研究生且服务满规定年限",
                        "master's with the minimum years of service",
                        [
                            _cmp(
                                "edu-master",
                                "学历为硕士研究生",
                                "education is master's",
                                "education",
                                "eq",
                                value="master",
                            ),
                            _cmp(
                                "service-months",
                                "在本企业服务满规定月数",
                                "minimum months of service with the firm",
                                "months_employed_at_firm",
                                "ge",
                                param="min_service_months",
                            ),
                        ],
                        article=9,
                    ),
                ],
            ),
        ],
    )


def _title_params(side: Side) -> tuple[dict[str, ParamSpec], dict[str, Any]]:
    spec = _number("最少服务月数", "minimum months of service", *_MONTHS)
    return {"min_service_months": spec}, {"min_service_months": 36}


_SHAPES = {
    "hukou": (_hukou_rule, _hukou_params),
    "social_insurance": (_social_insurance_rule, _social_insurance_params),
    "education": (_education_rule, _education_params),
    "title": (_title_rule, _title_params),
}


def default_policy(city_code: str, side: Side, benefit: Benefit) -> PolicyDefinition:
    make_rule, make_params = _SHAPES[benefit]
    types, values = make_params(side)
    title_zh = f"{city_code} {SIDE_ZH[side]}人才{BENEFIT_ZH[benefit]}政策（示例）"
    title_en = f"{city_code} {SIDE_EN[side]} talent {BENEFIT_EN[benefit]} policy (illustrative)"
    return PolicyDefinition(
        key=f"{city_code}-{side}-{benefit}",
        city_code=city_code,
        side=side,
        benefit=benefit,
        document_ref=f"ILLUSTRATIVE/{city_code}/{side}/{benefit}/v1（示例，非正式文件）",
        title_zh=title_zh,
        title_en=title_en,
        description_zh=f"示例政策，仅供演示，请替换为本市实际规定。{title_zh}：条件形状参照常见人才政策，"
        "阈值为可按生效日期调整的参数。",
        description_en=f"Illustrative default, replace with the city's real rule. {title_en}: "
        "shaped like common talent policies; thresholds are effective-dated parameters.",
        # Stored in the canonical key order that Rule.to_json() produces (and validated now).
        rule=validate_rule(make_rule(side), types).to_json(),
        parameter_types=types,
        parameters=values,
        # The stage a school admits the child to is the school's to say; the district is the
        # household record's (a supplied district is refused).
        accepts_supplied=("child_school_stage",) if benefit == "education" else (),
    )


def default_policies(
    prd_city_codes: Iterable[str], home_city_codes: Iterable[str]
) -> list[PolicyDefinition]:
    """Host-side policies for every PRD city and home-side policies for every home city, one
    per benefit (4 × (len(prd) + len(home)) definitions, in a stable order)."""
    out: list[PolicyDefinition] = []
    for side, codes in (("host", prd_city_codes), ("home", home_city_codes)):
        seen: set[str] = set()
        for code in codes:
            if not is_gb2260(code):
                raise ValueError(f"{code!r} is not a six-digit GB/T 2260 city code")
            if code in seen:
                continue
            seen.add(code)
            for benefit in BENEFITS:
                out.append(default_policy(code, side, benefit))  # type: ignore[arg-type]
    return out
