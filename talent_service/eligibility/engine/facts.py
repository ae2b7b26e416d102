"""The fact registry: rules may read only the facts registered here.

事实登记表：规则只能引用这里登记的事实；每个事实有类型、单位、中英文定义与取整规则。

Each fact has a type, a unit, zh/en definitions and its rounding rule (``fact_spec.FactSpec``);
enumerated facts carry their values in order with labels, and rank facts the words for each rank.
``complete_facts`` fills in the derived facts (ranks, accreditation, hukou in the city).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from talent_service.eligibility.engine.fact_kinds import (
    SPELLS_EN,
    SPELLS_ZH,
    enum_fact,
    flag_fact,
    months_fact,
    rank_fact,
)
from talent_service.eligibility.engine.fact_spec import (
    FactError,
    Facts,
    FactSpec,
    FactValue,
    Growth,
    ValueType,
    value_problem,
)
from talent_service.eligibility.engine.scales import (
    CENTER_STATUS_EN,
    CENTER_STATUS_ZH,
    CENTER_STATUSES,
    EDUCATION_EN,
    EDUCATION_LEVELS,
    EDUCATION_RANK,
    EDUCATION_ZH,
    FIRM_TIER_EN,
    FIRM_TIER_RANK,
    FIRM_TIER_ZH,
    FIRM_TIERS,
    SCHOOL_STAGE_EN,
    SCHOOL_STAGE_ZH,
    SCHOOL_STAGES,
    TITLE_EN,
    TITLE_LEVELS,
    TITLE_RANK,
    TITLE_ZH,
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
    enum_fact(
        "education",
        "最高学历",
        "highest education",
        "经核验的最高学历（学位）层次。",
        "Highest verified education (degree) level.",
        EDUCATION_LEVELS,
        EDUCATION_ZH,
        EDUCATION_EN,
    ),
    rank_fact(
        "education_rank",
        "education",
        "学历等级",
        "education rank",
        EDUCATION_RANK,
        EDUCATION_ZH,
        EDUCATION_EN,
    ),
    enum_fact(
        "title_level",
        "职称级别",
        "professional title level",
        "核验日有效的最高专业技术职称级别。",
        "Highest professional title level valid on the as-of date.",
        TITLE_LEVELS,
        TITLE_ZH,
        TITLE_EN,
    ),
    rank_fact(
        "title_rank", "title_level", "职称等级", "title rank", TITLE_RANK, TITLE_ZH, TITLE_EN
    ),
    months_fact(
        "months_at_accredited_center",
        "在认定中心工作月数",
        "months at an accredited center",
        "本人在本政策所涉飞地中心（承接地政策：设在本市的中心；流出地政策：本市企业的中心）任职的"
        "整月数，仅计核验日处于已认定状态的中心。" + SPELLS_ZH,
        "Whole months of the talent's employment at the enclave centers the policy is about "
        "(host side: centers in the city; home side: centers of firms based in the city) that "
        "are accredited on the as-of date. " + SPELLS_EN,
    ),
    months_fact(
        "months_employed_at_firm",
        "在本企业工作月数",
        "months employed at the firm",
        "本人在当前任职所在企业各段任职的整月数（服务年限）。" + SPELLS_ZH,
        "Whole months of the talent's employment with the firm of the current employment, over "
        "all spells with that firm (years of service). " + SPELLS_EN,
    ),
    months_fact(
        "si_months_host",
        "承接地社保月数",
        "social insurance months in the host city",
        "截至核验日在承接地（珠三角）城市缴纳社会保险的任职累计整月数。" + SPELLS_ZH,
        "Whole months up to the as-of date of employments paying social insurance in the host "
        "(PRD) city. " + SPELLS_EN,
    ),
    months_fact(
        "si_months_home",
        "流出地社保月数",
        "social insurance months in the home city",
        "截至核验日在企业所在地（流出地）城市缴纳社会保险的任职累计整月数。" + SPELLS_ZH,
        "Whole months up to the as-of date of employments paying social insurance in the "
        "firm's home city. " + SPELLS_EN,
    ),
    months_fact(
        "si_months_either",
        "双边任一方社保月数",
        "social insurance months on either side",
        "截至核验日在承接地或流出地任一方缴纳社保的任职累计整月数，同一月份双方均缴只计一次。"
        + SPELLS_ZH,
        "Whole months up to the as-of date of employments paying social insurance on either "
        "side; a month paid on both sides counts once. " + SPELLS_EN,
    ),
    enum_fact(
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
    rank_fact(
        "firm_tier_rank",
        "firm_tier",
        "企业梯度等级",
        "firm tier rank",
        FIRM_TIER_RANK,
        FIRM_TIER_ZH,
        FIRM_TIER_EN,
    ),
    flag_fact(
        "firm_tier_valid",
        "企业资质在有效期内",
        "firm tier certificate valid",
        "企业最高梯度资质证书在核验日未过期。",
        "The certificate of the firm's tier has not expired on the as-of date.",
    ),
    enum_fact(
        "center_status",
        "中心认定状态",
        "center status",
        "本人当前任职的飞地中心在核验日的认定状态。",
        "Accreditation status, on the as-of date, of the enclave center the talent works at.",
        CENTER_STATUSES,
        CENTER_STATUS_ZH,
        CENTER_STATUS_EN,
    ),
    flag_fact(
        "center_accredited",
        "中心已认定",
        "center accredited",
        "本人当前任职的飞地中心在核验日处于已认定状态。",
        "The talent's current enclave center is accredited on the as-of date.",
        derived_from="center_status",
    ),
    flag_fact(
        "key_post",
        "重点岗位",
        "key post",
        "本人在核验日所任岗位被认定为重点岗位。",
        "The talent's post is designated a key post on the as-of date.",
    ),
    flag_fact(
        "recruited_via_program",
        "经“反向飞地”引进",
        "recruited via the programme",
        "本人系通过人才“反向飞地”项目引进。",
        "The talent was recruited through the reverse-enclave programme.",
    ),
    flag_fact(
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
    flag_fact(
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
        enum_fact(
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
        flag_fact(
            "child_district_in_city",
            "子女申请学区在本市",
            "child applies in the policy city",
            "所核验子女申请就读的区县（GB/T 2260）属于所适用政策的城市（随政策而定）。",
            "The district (GB/T 2260) the named child applies to school in lies in the city of "
            "the policy being applied (depends on the policy).",
        ),
        suppliable=True,
    ),
    flag_fact(
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
