"""One-person evaluator: Kleene logic, blame, relevant missing facts, explanation."""

import json
from itertools import product

import pytest

from talent_service.eligibility.engine.evaluate import evaluate, outcome_of
from talent_service.eligibility.engine.fact_spec import FactError, ValueType
from talent_service.eligibility.engine.parameters import ParameterError, ParamSpec
from talent_service.eligibility.engine.rules import validate_rule
from talent_service.reference.enums import Outcome


def flag(node_id, fact):
    return {
        "id": node_id,
        "kind": "compare",
        "label_zh": f"{fact}中文",
        "label_en": fact,
        "fact": fact,
        "op": "eq",
        "rhs": {"value": True},
    }


def group(kind, children, node_id="root"):
    return {
        "id": node_id,
        "kind": kind,
        "label_zh": "组",
        "label_en": "group",
        "children": children,
    }


def neg(child, node_id="neg"):
    return {"id": node_id, "kind": "not", "label_zh": "非", "label_en": "not", "child": child}


A, B = flag("a", "key_post"), flag("b", "is_foreign")
VALUES = {True: Outcome.eligible, False: Outcome.ineligible, None: Outcome.undetermined}


def kleene_and(x, y):
    if x is False or y is False:
        return False
    return None if x is None or y is None else True


def kleene_or(x, y):
    if x is True or y is True:
        return True
    return None if x is None or y is None else False


@pytest.mark.parametrize(("x", "y"), list(product([True, False, None], repeat=2)))
def test_all_any_not_follow_kleene_truth_tables(x, y):
    facts = {"key_post": x, "is_foreign": y}
    assert (
        evaluate(validate_rule(group("all", [A, B])), facts, {}).outcome is VALUES[kleene_and(x, y)]
    )
    assert (
        evaluate(validate_rule(group("any", [A, B])), facts, {}).outcome is VALUES[kleene_or(x, y)]
    )
    assert (
        evaluate(validate_rule(neg(A)), facts, {}).outcome is VALUES[None if x is None else not x]
    )


def test_missing_fact_that_cannot_change_the_outcome_is_not_reported():
    rule = validate_rule(group("any", [A, B]))
    result = evaluate(rule, {"key_post": True}, {})
    assert result.outcome is Outcome.eligible
    assert result.missing_facts == []
    assert result.facts_used == {"key_post": True, "is_foreign": None}
    result = evaluate(validate_rule(group("all", [A, B])), {"key_post": False}, {})
    assert result.outcome is Outcome.ineligible and result.missing_facts == []


def test_missing_fact_that_decides_makes_it_undetermined_and_is_listed():
    rule = validate_rule(
        group("all", [A, group("any", [B, flag("c", "currently_employed")], "inner")])
    )
    result = evaluate(rule, {"key_post": True, "currently_employed": False}, {})
    assert result.outcome is Outcome.undetermined
    assert result.missing_facts == ["is_foreign"]
    assert result.failed_criteria[0]["id"] == "c"  # still worth telling: it could help
    result = evaluate(rule, {"currently_employed": False}, {})
    assert result.missing_facts == ["key_post", "is_foreign"]


def test_missing_is_never_false():
    rule = validate_rule(neg(A))
    assert evaluate(rule, {}, {}).outcome is Outcome.undetermined
    assert evaluate(rule, {"key_post": None}, {}).outcome is Outcome.undetermined


def test_failed_criteria_name_the_leaves_that_matter():
    rule = validate_rule(group("all", [A, B, flag("c", "currently_employed")]))
    result = evaluate(
        rule, {"key_post": False, "is_foreign": True, "currently_employed": False}, {}
    )
    assert [f["id"] for f in result.failed_criteria] == ["a", "c"]
    assert result.failed_criteria[0]["label_en"] == "key_post"
    # In an `any` that passes, a failing alternative does not matter.
    rule = validate_rule(group("any", [A, B]))
    assert evaluate(rule, {"key_post": False, "is_foreign": True}, {}).failed_criteria == []


def test_a_failing_not_is_blamed_as_one_criterion():
    rule = validate_rule(group("all", [neg(A)]))
    result = evaluate(rule, {"key_post": True}, {})
    assert [f["id"] for f in result.failed_criteria] == ["neg"]


def test_a_criterion_without_its_own_reference_names_its_groups_and_ranks_read_as_words():
    rule = validate_rule(
        {
            "id": "root",
            "kind": "all",
            "label_zh": "职称条件",
            "label_en": "title conditions",
            "legal_ref": "示例办法第5条",
            "children": [
                {
                    "id": "title",
                    "kind": "compare",
                    "label_zh": "具有中级及以上职称",
                    "label_en": "holds an intermediate title or higher",
                    "fact": "title_rank",
                    "op": "ge",
                    "rhs": {"value": 2},
                }
            ],
        }
    )
    result = evaluate(rule, {"title_rank": 1}, {})
    (title,) = result.explanation["children"]
    assert (title["legal_ref"], title["legal_basis"]) == (None, "示例办法第5条")
    assert title["text_zh"] == "具有中级及以上职称：职称等级 ≥ 中级（实际 初级）：未通过"
    assert title["text_en"] == (
        "holds an intermediate title or higher: title rank ≥ intermediate (found junior): failed"
    )
    (failed,) = result.failed_criteria
    assert failed["legal_basis"] == "示例办法第5条"
    assert result.explanation["text_zh"].endswith("（依据：示例办法第5条）")


def test_explanation_has_required_found_result_and_sentences_in_both_languages():
    rule = validate_rule(
        group(
            "all",
            [
                {
                    "id": "age",
                    "kind": "compare",
                    "label_zh": "年龄上限",
                    "label_en": "age limit",
                    "legal_ref": "第3条",
                    "fact": "age_years",
                    "op": "le",
                    "rhs": {"param": "max_age"},
                },
                {
                    "id": "edu",
                    "kind": "compare",
                    "label_zh": "学历",
                    "label_en": "degree",
                    "fact": "education",
                    "op": "in",
                    "rhs": {"value": ["master", "doctor"]},
                },
                {
                    "id": "months",
                    "kind": "compare",
                    "label_zh": "月数",
                    "label_en": "months",
                    "fact": "months_at_accredited_center",
                    "op": "ge",
                    "rhs": {"value": 12},
                },
            ],
        ),
        {"max_age": ParamSpec(type=ValueType.NUMBER)},
    )
    result = evaluate(rule, {"age_years": 38, "education": "bachelor"}, {"max_age": 40})
    age, edu, months = result.explanation["children"]
    assert age == {
        "id": "age",
        "kind": "compare",
        "label_zh": "年龄上限",
        "label_en": "age limit",
        "legal_ref": "第3条",
        "legal_basis": "第3条",
        "fact": "age_years",
        "op": "le",
        "required": 40,
        "param": "max_age",
        "found": 38,
        "missing": False,
        "result": "pass",
        # The policy's words for the criterion first, its legal reference last.
        "text_zh": "年龄上限：年龄（周岁） ≤ 40岁（实际 38岁）：通过（依据：第3条）",
        "text_en": "age limit: age ≤ 40 years (found 38 years): passed (under 第3条)",
    }
    assert edu["result"] == "fail" and edu["required"] == ["master", "doctor"]
    assert edu["text_zh"] == "学历：最高学历 属于 {硕士研究生、博士研究生}（实际 本科）：未通过"
    assert edu["legal_basis"] is None  # neither it nor its group names an article
    assert months["missing"] is True and months["result"] == "unknown"
    assert months["text_en"] == (
        "months: months at an accredited center ≥ 12 months (missing): undetermined"
    )
    assert result.explanation["result"] == "fail"
    assert result.outcome is Outcome.ineligible
    assert result.params_used == {"max_age": 40}
    assert result.summary_zh.startswith("不符合条件")


def test_evaluation_is_plain_json():
    rule = validate_rule(group("all", [A, neg(B)]))
    data = evaluate(rule, {"key_post": True}, {}).to_json()
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data
    assert data["outcome"] == "undetermined"
    assert data["engine_version"]


def test_missing_or_ill_typed_parameters_are_configuration_errors():
    rule = validate_rule(
        {
            "id": "age",
            "kind": "compare",
            "label_zh": "年龄",
            "label_en": "age",
            "fact": "age_years",
            "op": "le",
            "rhs": {"param": "max_age"},
        },
        {"max_age": ParamSpec(type=ValueType.NUMBER)},
    )
    with pytest.raises(ParameterError):
        evaluate(rule, {"age_years": 30}, {})
    with pytest.raises(ParameterError):
        evaluate(rule, {"age_years": 30}, {"max_age": "40"})


def test_ill_typed_fact_is_an_error_not_a_missing_value():
    rule = validate_rule(A)
    with pytest.raises(FactError):
        evaluate(rule, {"key_post": "yes"}, {})
    with pytest.raises(FactError):
        outcome_of(rule, {"key_post": 1}, {})
    # Facts the rule does not read are ignored.
    assert evaluate(rule, {"key_post": True, "other": object()}, {}).outcome is Outcome.eligible


def test_string_and_enum_membership():
    rule = validate_rule(
        {
            "id": "city",
            "kind": "compare",
            "label_zh": "户籍",
            "label_en": "city",
            "fact": "hukou_city",
            "op": "not_in",
            "rhs": {"value": ["440300", "440100"]},
        }
    )
    assert evaluate(rule, {"hukou_city": "441500"}, {}).outcome is Outcome.eligible
    assert evaluate(rule, {"hukou_city": "440300"}, {}).outcome is Outcome.ineligible
